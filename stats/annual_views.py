"""Thin views of the annual report 「カスハラ発生状況報告（令和N年度）」: ask the policy, build the form,
make one service call, render. Someone the policy does not let read it gets 404; a refused write
comes back with a Japanese message and what was typed."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.audit import client_ip

from . import annual, policies, services, xlsx
from .annual_forms import CommentsForm, VersionForm
from .models import AnnualReport, AnnualReportAction


def _reader(request: HttpRequest) -> None:
    if not policies.can_read_annual_report(request.user):
        raise Http404


def _manager(request: HttpRequest) -> None:
    if not policies.can_manage_annual_report(request.user):
        raise Http404


def _year(fiscal_year: int) -> int:
    if not services.FIRST_YEAR <= fiscal_year <= services.LAST_YEAR:
        raise Http404
    return fiscal_year


def _report_or_404(request: HttpRequest, fiscal_year: int) -> AnnualReport:
    _reader(request)
    report = annual.report_or_none(_year(fiscal_year))
    if report is None:
        raise Http404
    return report


def _sections(report: AnnualReport, form: CommentsForm | None) -> list[dict]:
    """Each table with its comment (text, or the form's box while the report may be edited)."""
    return [{"table": table, "comment": report.comments.get(table.key, ""),
             "field": form.table_field(table.key) if form is not None else None}
            for table in report.table_objects()]


@login_required
@require_GET
def annual_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(request, "stats/annual_list.html", {
        "rows": annual.year_rows(), "can_manage": policies.can_manage_annual_report(request.user),
    })


@login_required
@require_POST
def annual_generate(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    """Generate the 年度's report, or regenerate its draft (the comments stay)."""
    _manager(request)
    existing = annual.report_or_none(_year(fiscal_year))
    try:
        report = services.generate(actor=request.user, fiscal_year=fiscal_year, ip_address=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    except services.ReportLocked as refused:
        messages.error(request, refused.messages[0])
        return redirect("stats:annual_report", fiscal_year)
    if existing is None:
        messages.success(request, _("%(title)sを作成しました。") % {"title": report.title})
    else:
        messages.success(request, _("集計表を作り直しました。総評とコメントはそのまま残しています。"))
    return redirect("stats:annual_report", fiscal_year)


def _render_report(request: HttpRequest, report: AnnualReport, *, form: CommentsForm | None = None,
                   status: int = 200) -> HttpResponse:
    can_manage = policies.can_manage_annual_report(request.user)
    editable = can_manage and not report.final
    if editable and form is None:
        form = CommentsForm(report=report)
    if status == 200:
        services.record_access(actor=request.user, report=report, action=AnnualReportAction.VIEWED,
                               ip_address=client_ip(request))
    return render(request, "stats/annual_report.html", {
        "report": report, "can_manage": can_manage, "editable": editable, "form": form if editable else None,
        "sections": _sections(report, form if editable else None),
    }, status=status)


@login_required
@require_GET
def annual_report(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    return _render_report(request, _report_or_404(request, fiscal_year))


@login_required
@require_POST
def annual_comments(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    report = _report_or_404(request, fiscal_year)
    _manager(request)
    form = CommentsForm(request.POST, report=report)
    if not form.is_valid():
        if report.final:
            messages.error(request, services.locked_message(report))
            return _render_report(request, report, status=409)
        return _render_report(request, report, form=form, status=400)
    try:
        services.save_comments(actor=request.user, report=report, version=form.cleaned_data["version"],
                               summary=form.cleaned_data["summary"], comments=form.comments(),
                               ip_address=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    except services.ReportLocked as refused:
        messages.error(request, refused.messages[0])
        return _render_report(request, annual.report_or_none(fiscal_year), status=409)
    except services.StaleReport as refused:
        messages.error(request, refused.messages[0])
        current = annual.report_or_none(fiscal_year)
        data = request.POST.copy()
        data["version"] = str(current.version)  # saving again overwrites, on purpose
        return _render_report(request, current, form=CommentsForm(data, report=current), status=409)
    messages.success(request, _("総評とコメントを保存しました。"))
    return redirect("stats:annual_report", fiscal_year)


@login_required
@require_http_methods(["GET", "POST"])
def annual_finalise(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    """確定: a confirmation page, then the post that locks the report."""
    report = _report_or_404(request, fiscal_year)
    _manager(request)
    if report.final:
        messages.error(request, services.locked_message(report))
        return _render_report(request, report, status=409)
    if request.method == "GET":
        return render(request, "stats/annual_finalise.html", {
            "report": report, "form": VersionForm(initial={"version": report.version})})
    form = VersionForm(request.POST)
    if not form.is_valid():
        return render(request, "stats/annual_finalise.html", {"report": report, "form": form}, status=400)
    try:
        services.finalise(actor=request.user, report=report, version=form.cleaned_data["version"],
                          ip_address=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    except services.ReportLocked as refused:
        messages.error(request, refused.messages[0])
        return _render_report(request, annual.report_or_none(fiscal_year), status=409)
    except services.StaleReport:
        messages.error(request, _("このページを開いた後に、報告が更新されました。内容を確かめてから確定してください。"))
        return redirect("stats:annual_report", fiscal_year)
    messages.success(request, _("%(title)sを確定しました。以後は変更できません。") % {"title": report.title})
    return redirect("stats:annual_report", fiscal_year)


@login_required
@require_GET
def annual_print(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    """The report on A4, dates in 和暦 beside the Western ones, each section on a new page."""
    report = _report_or_404(request, fiscal_year)
    services.record_access(actor=request.user, report=report, action=AnnualReportAction.PRINTED,
                           ip_address=client_ip(request))
    return render(request, "stats/annual_print.html", {
        "report": report, "sections": _sections(report, None),
    })


@login_required
@require_GET
def annual_xlsx(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    report = _report_or_404(request, fiscal_year)
    content = xlsx.report_workbook(report)
    services.record_access(actor=request.user, report=report, action=AnnualReportAction.EXPORTED,
                           ip_address=client_ip(request), detail={"format": "xlsx", "bytes": len(content)})
    response = HttpResponse(content, content_type=xlsx.CONTENT_TYPE)
    ascii_name, japanese_name = xlsx.file_names(report)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(japanese_name)}"
    return response
