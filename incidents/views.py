"""Thin views for the 発生連絡票: parse, ask the policy, call a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from manual import selectors as manual_selectors

from . import policies, selectors, services
from .forms import IncidentReportForm, TimelineFormSet
from .models import IncidentReport


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail.

    X-Forwarded-For is believed only behind our own reverse proxy (``KASUHARA_TRUST_X_FORWARDED_FOR``);
    otherwise any client could write a false address into the audit log.
    """
    if settings.KASUHARA_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """私の連絡票 (default) or, for roles that read others' reports, 閲覧できる連絡票 (?scope=visible)."""
    scope = request.GET.get("scope", "mine")
    if scope == "visible":
        reports = selectors.readable_reports(request.user)
    else:
        scope = "mine"
        reports = selectors.my_reports(request.user)
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    return render(request, "incidents/report_list.html", {"page": page, "scope": scope})


def _parse_ids(raw: list[str]) -> list[int]:
    ids = []
    for chunk in raw:
        for part in chunk.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New report (``pk`` None) or the reporter's own editable one: save as draft, or submit."""
    if pk is None:
        if not policies.can_file_report(request.user):
            messages.error(request, _("所属（課）が登録されていないため、連絡票を作成できません。管理者に連絡してください。"))
            return redirect("home")
        report = IncidentReport(reporter=request.user)
    else:
        report = policies.get_report_for_user(request.user, pk, for_edit=True)
        if request.method == "GET":
            # Opening a draft to edit shows it too: a view like any other.
            services.record_view(report=report, actor=request.user, ip_address=client_ip(request))
    related_choices = selectors.related_report_choices(request.user)
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    staged = []
    if request.method == "POST":
        form = IncidentReportForm(
            request.POST, request.FILES, instance=report, user=request.user,
            related_choices=related_choices, submitting=submitting,
        )
        timeline = TimelineFormSet(request.POST, instance=report, prefix="timeline")
        form_ok = form.is_valid()
        timeline.submitting = submitting
        timeline.window = form.incident_window()
        timeline_ok = timeline.is_valid()
        staged = services.keep_uploads(
            uploader=request.user,
            staged_ids=_parse_ids(request.POST.getlist("staged")),
            files=request.FILES.getlist("evidence"),
        )
        if form_ok and timeline_ok:
            try:
                saved = services.save_report(
                    actor=request.user,
                    form=form,
                    timeline=timeline,
                    staged_ids=[a.pk for a in staged],
                    ip_address=client_ip(request),
                    submit=submitting,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied:
                raise Http404 from None
            else:
                if submitting:
                    messages.success(request, _("連絡票を提出しました。相談窓口と所属長に届きます。"))
                    return redirect("incidents:detail", pk=saved.pk)
                messages.success(request, _("下書きを保存しました。"))
                return redirect("incidents:edit", pk=saved.pk)
        messages.error(request, _("入力内容を確認してください。赤字の項目を直して、もう一度保存してください。"))
    else:
        form = IncidentReportForm(instance=report, user=request.user, related_choices=related_choices)
        timeline = TimelineFormSet(instance=report, prefix="timeline")
    return render(
        request,
        "incidents/report_form.html",
        {
            "form": form,
            "timeline": timeline,
            "report": report,
            "staged": staged,
            "saved_attachments": list(report.attachments.all()) if report.pk else [],
            "playbooks": manual_selectors.playbook_summaries(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = policies.get_report_for_user(request.user, pk)
    services.record_view(report=report, actor=request.user, ip_address=client_ip(request))
    return render(
        request,
        "incidents/report_detail.html",
        {
            "report": selectors.report_detail(report),
            "history": selectors.report_history(report) if policies.can_see_history(request.user, report) else None,
            "can_edit": policies.can_edit_report(request.user, report),
        },
    )


@login_required
@require_GET
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = policies.get_report_for_user(request.user, pk)
    services.record_view(report=report, actor=request.user, ip_address=client_ip(request), printed=True)
    return render(request, "incidents/report_print.html", {"report": selectors.report_detail(report)})


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is only ever served here, after the policy said yes; each view is recorded."""
    attachment = policies.get_attachment_for_user(request.user, pk)
    if attachment.report is not None:
        services.record_event(
            report=attachment.report,
            actor=request.user,
            action="attachment_downloaded",
            ip_address=client_ip(request),
            detail={"attachment": attachment.pk, "name": attachment.original_name},
        )
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=request.GET.get("inline") != "1",
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response
