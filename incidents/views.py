"""Thin views for the 発生連絡票: parse, ask the policy, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from counterparts import policies as counterpart_policies
from counterparts import selectors as counterpart_selectors
from manual import selectors as manual_selectors
from organization.audit import client_ip

from . import policies, selectors, services
from .changes import CASE_CHANGES, change_forms
from .forms import MAX_TIMELINE_ROWS, IncidentReportForm, MoveForm
from .lifecycle import PLAIN, TRANSITIONS
from .models import IncidentReport


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


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New report (``pk`` None) or the reporter's own one: save as draft, or submit."""
    if pk is None:
        if not policies.can_file_report(request.user):
            messages.error(request, _("所属（課）が登録されていないため、連絡票を作成できません。管理者に連絡してください。"))
            return redirect("home")
        report = IncidentReport(reporter=request.user)
    else:
        report = policies.get_report_for_user(request.user, pk, for_edit=True)
        if request.method == "GET" and not policies.can_edit_report(request.user, report):
            messages.info(request, _("この連絡票は「%(status)s」のため編集できません。") % {"status": report.get_status_display()})
            return redirect("incidents:detail", pk=report.pk)
    if request.method == "GET":
        if report.pk:
            # Opening a draft to edit shows it too: a view like any other.
            services.record_view(report=report, actor=request.user, ip_address=client_ip(request))
        return _render_form(request, IncidentReportForm(instance=report, user=request.user))

    form = IncidentReportForm.from_request(request, instance=report)
    try:
        result = services.save_report(actor=request.user, form=form, ip_address=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    if result.report is not None:
        messages.success(request, SAVED_MESSAGES[result.outcome])
        if result.report.is_editable:
            return redirect("incidents:edit", pk=result.report.pk)
        return redirect("incidents:detail", pk=result.report.pk)
    if result.outcome == services.Outcome.INVALID:
        messages.error(request, _("入力内容を確認してください。赤字の項目を直して、もう一度保存してください。"))
    return _render_form(request, form, status=409 if result.outcome == services.Outcome.CONFLICT else 400)


SAVED_MESSAGES = {
    services.Outcome.CREATED: _lazy("下書きを保存しました。"),
    services.Outcome.SAVED: _lazy("下書きを保存しました。"),
    services.Outcome.SUBMITTED: _lazy("連絡票を提出しました。相談窓口と所属長に届きます。"),
    services.Outcome.DUPLICATE: _lazy("この送信はすでに受け付けています（二重送信）。受け付けた連絡票を表示しています。"),
}


def _render_form(request: HttpRequest, form: IncidentReportForm, *, status: int = 200) -> HttpResponse:
    report = form.instance
    return render(
        request,
        "incidents/report_form.html",
        {
            "form": form,
            "timeline": form.timeline,
            "report": report,
            "staged": form.staged,
            "saved_attachments": list(report.attachments.all()) if report.pk else [],
            "playbooks": manual_selectors.playbook_summaries(),
            "max_timeline_rows": MAX_TIMELINE_ROWS,
            "can_discard": bool(report.pk) and policies.can_discard(request.user, report),
        },
        status=status,
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = policies.get_report_for_user(request.user, pk)
    services.record_view(report=report, actor=request.user, ip_address=client_ip(request))
    return render(request, "incidents/report_detail.html", _case_context(request, report))


def _case_context(request: HttpRequest, report: IncidentReport, **forms) -> dict:
    """What the case page shows this user: the report, its place in the lifecycle in plain words,
    the moves and changes the user may make (each a form), and what their role may read."""
    user = request.user
    detail = selectors.report_detail(report)
    # The history shows the changes; every read is counted and listed only on demand.
    with_reads = request.GET.get("history") == "all"
    related, related_hidden = selectors.related_reports(user, detail)
    return {
        "report": detail,
        "plain": PLAIN.get(detail.status),
        "related": related,
        "related_hidden": related_hidden,
        "history": (
            selectors.report_history_for(user, detail, with_reads=with_reads)
            if policies.can_see_history(user, detail) else None
        ),
        "can_edit": policies.can_edit_report(user, detail),
        "can_discard": policies.can_discard(user, detail),
        "moves": forms.get("moves") or selectors.move_forms(user, detail),
        "changes": forms.get("changes") or change_forms(user, detail),
        "see_chief": policies.can_see_chief_comment(user, detail),
        "see_internal": policies.can_see_internal(user, detail),
        "notes": detail.notes.select_related("author") if policies.can_see_internal(user, detail) else (),
        "return_reason": selectors.return_reason(detail),
        "age": selectors.business_age(detail) if policies.can_see_internal(user, detail) else None,
        "counterparts": counterpart_selectors.for_report(user, detail),
        "can_link_counterparts": counterpart_policies.can_link_report(user, detail),
        "actions": detail.actions.all() if policies.can_see_chief_comment(user, detail) else (),
    }


@login_required
@require_http_methods(["POST"])
def report_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One move of the lifecycle (``lifecycle.TRANSITIONS``), from the case page's form."""
    report = policies.get_report_for_user(request.user, pk)
    move = TRANSITIONS.get(name)
    if move is None or not move.on_case_page or not getattr(policies, move.policy)(request.user, report):
        raise Http404
    form = MoveForm(request.POST, move=move, auto_id=f"move-{name}-%s")
    if form.is_valid():
        inputs = form.inputs()
        try:
            services.transition(
                report=report, name=name, actor=request.user, ip_address=client_ip(request),
                reason=inputs.pop("reason", ""), inputs=inputs, version=form.cleaned_data["version"],
            )
        except PermissionDenied:
            raise Http404 from None
        except (ValidationError, services.Conflict) as error:
            _refuse(form, error)
        else:
            messages.success(request, _("「%(label)s」を記録しました。") % {"label": move.label})
            return redirect("incidents:detail", pk=report.pk)
    return _refused(request, report, moves={name: form})


@login_required
@require_http_methods(["GET", "POST"])
def report_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """下書きの削除: a page that says what will be lost (GET), the deletion (POST), then 私の連絡票.
    Only the reporter's own draft: anyone else gets 404; the reporter of a report already submitted
    is sent to it with the reason; a draft changed since the page was opened is asked about again."""
    try:
        report = policies.get_report_for_user(request.user, pk, for_edit=True)
    except Http404:
        if request.method == "POST" and selectors.discarded_by(request.user, pk):
            # The same button pressed twice: the first press deleted it.
            messages.info(request, _("この下書きはすでに削除しています。"))
            return redirect("incidents:list")
        raise
    if not policies.can_discard(request.user, report):
        messages.info(request, _("この連絡票は「%(status)s」のため削除できません。") % {"status": report.get_status_display()})
        return redirect("incidents:detail", pk=report.pk)
    if request.method == "GET":
        services.record_view(report=report, actor=request.user, ip_address=client_ip(request))
        return _render_discard(request, report)
    form = MoveForm(request.POST, move=TRANSITIONS["discard"])
    if not form.is_valid():
        return _render_discard(request, report, status=400,
                               error=_("送信された内容を読み取れませんでした。もう一度「削除する」を押してください。"))
    title = report.title
    try:
        services.transition(report=report, name="discard", actor=request.user, ip_address=client_ip(request),
                            version=form.cleaned_data["version"])
    except PermissionDenied:
        raise Http404 from None
    except (ValidationError, services.Conflict):
        # Changed in another window since this page was opened: submitted (refused), or edited (ask again).
        return _discard_refused(request, pk)
    messages.success(request, _("下書き「%(title)s」を削除しました。") % {"title": title} if title
                     else _("下書きを削除しました。"))
    return redirect("incidents:list")


def _discard_refused(request: HttpRequest, pk: int) -> HttpResponse:
    report = policies.get_report_for_user(request.user, pk, for_edit=True)
    if not policies.can_discard(request.user, report):
        messages.error(request, _("この連絡票は、この画面を開いた後に「%(status)s」になったため、削除できません。")
                       % {"status": report.get_status_display()})
        return redirect("incidents:detail", pk=report.pk)
    changed = _("この下書きは、この画面を開いた後に別の画面で変更されました（%(at)s）。"
                "内容を確かめて、それでも削除するときは、もう一度「削除する」を押してください。")
    return _render_discard(request, report, status=409,
                           error=changed % {"at": f"{timezone.localtime(report.updated_at):%H:%M}"})


def _render_discard(request: HttpRequest, report: IncidentReport, *, status: int = 200, error: str = "") -> HttpResponse:
    """The confirmation page, its form carrying the version shown (a draft changed since is asked about again)."""
    form = MoveForm(move=TRANSITIONS["discard"], initial={"version": report.version}, auto_id="discard-%s")
    return render(
        request,
        "incidents/report_discard.html",
        {"report": report, "form": form, "error": error, "attachments": report.attachments.count(),
         "timeline": report.timeline.count()},
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def report_change(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A change to the case that is not a move: 担当者, 継続性・悪質性・至急, 特に困難, 内部メモ, 対応の記録."""
    report = policies.get_report_for_user(request.user, pk)
    change = CASE_CHANGES.get(name)
    if change is None or not change.policy(request.user, report):
        raise Http404
    form = change.form(request.POST, auto_id=f"change-{name}-%s")
    if form.is_valid():
        try:
            change.apply(report=report, actor=request.user, data=form.cleaned_data, ip_address=client_ip(request))
        except PermissionDenied:
            raise Http404 from None
        except (ValidationError, services.Conflict) as error:
            _refuse(form, error)
        else:
            messages.success(request, _("「%(label)s」を記録しました。") % {"label": change.label})
            return redirect("incidents:detail", pk=report.pk)
    return _refused(request, report, changes={name: form})


def _refuse(form, error: Exception) -> None:
    """Say why on the form; after a conflict, the page carries the current version, so sending the
    same form again (after reading what changed) applies it on purpose."""
    form.conflict = isinstance(error, services.Conflict)
    if form.conflict and error.version is not None:
        form.data = form.data.copy()
        form.data["version"] = str(error.version)
    form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))


def _refused(request: HttpRequest, report: IncidentReport, **forms) -> HttpResponse:
    """The case page again, with the refused form holding what was typed and saying why."""
    form = next(iter(next(iter(forms.values())).values()))
    conflict = getattr(form, "conflict", False)
    context = _case_context(request, report)
    for kind, refused in forms.items():
        context[kind] = {**context[kind], **refused}
    context["refused"] = True
    return render(request, "incidents/report_detail.html", context, status=409 if conflict else 400)


@login_required
@require_GET
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    report = policies.get_report_for_user(request.user, pk)
    services.record_view(report=report, actor=request.user, ip_address=client_ip(request), printed=True)
    related, related_hidden = selectors.related_reports(request.user, report)
    return render(
        request,
        "incidents/report_print.html",
        {"report": selectors.report_detail(report), "related": related, "related_hidden": related_hidden},
    )


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
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response
