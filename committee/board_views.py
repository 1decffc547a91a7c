"""The 庁内共有 board: anonymised summaries of decided cases, for every member of staff (/board/),
and the 相談窓口's pages to draft, check and publish them. Thin: policy, form, one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organization.audit import client_ip

from . import board, policies
from .board_forms import BoardEntryForm, BoardSearchForm
from .models import BoardEntry

PAGE_SIZE = 20
#: Characters shown around a flagged match.
CONTEXT_CHARS = 20


def _flag_rows(flags: list[dict], values: dict) -> list[dict]:
    """Each flag with the text around it, for the page to highlight the match."""
    rows = []
    for flag in flags:
        text = values.get(flag["field"]) or ""
        start, end = flag.get("start", 0), flag.get("end", 0)
        if text[start:end] != flag["text"]:  # the text changed since the check: show the match alone
            start, end, text = 0, len(flag["text"]), flag["text"]
        rows.append({
            **flag,
            "before": ("…" if start > CONTEXT_CHARS else "") + text[max(0, start - CONTEXT_CHARS):start],
            "match": text[start:end],
            "after": text[end:end + CONTEXT_CHARS] + ("…" if len(text) > end + CONTEXT_CHARS else ""),
        })
    return rows


@login_required
@require_GET
def board_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_read_board(request.user):
        raise Http404
    search = BoardSearchForm(request.GET)
    query, type_code = search.criteria()
    page = Paginator(board.published_entries(query=query, type_code=type_code), PAGE_SIZE).get_page(
        request.GET.get("page"))
    drafts = None
    if policies.can_prepare_board(request.user):
        drafts = BoardEntry.objects.filter(published_at__isnull=True).order_by("-updated_at")
    return render(request, "committee/board_list.html", {
        "page": page, "search": search, "query": query, "type_code": type_code, "drafts": drafts,
    })


@login_required
@require_GET
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = board.get_entry_for_user(request.user, pk)
    can_prepare = policies.can_prepare_board(request.user) and not entry.published
    return render(request, "committee/board_detail.html", {
        "entry": entry,
        "channel": board.channel_label(entry),
        "can_open_case": board.can_open_case(request.user, entry),
        "can_edit": can_prepare,
        "flags": _flag_rows(entry.flags, {f: getattr(entry, f) for f in board.TEXT_FIELDS}) if can_prepare else [],
    })


@login_required
@require_http_methods(["GET", "POST"])
def board_new(request: HttpRequest, report_id: int) -> HttpResponse:
    """「庁内共有の記事を作る」 from a decided case: the form starts pre-filled with the people removed."""
    report = board.get_draftable_report(request.user, report_id)
    existing = BoardEntry.objects.filter(report=report).first()
    if existing is not None:
        return redirect("board:detail" if existing.published else "board:edit", existing.pk)
    if not board.can_start_entry(request.user, report):
        messages.error(request, _("庁内共有の記事は、対応方針が決定した事案（「対応方針決定」）から作成できます。"))
        return redirect("incidents:detail", report.pk)
    initial = board.prefill(report)
    form = BoardEntryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = board.create_entry(report=report, actor=request.user, data=form.cleaned_data,
                                       ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if entry.flags:
                messages.warning(request, _("下書きを保存しました。個人情報の疑いがある箇所を確認してください。"))
            else:
                messages.success(request, _("下書きを保存しました。内容を読んで確かめてから公開してください。"))
            return redirect("board:edit", entry.pk)
    values = form.data if form.is_bound else initial
    flags = board.check({f: values.get(f, "") for f in board.TEXT_FIELDS}, board.secrets_for(report))
    return render(request, "committee/board_form.html", {
        "form": form, "report": report, "entry": None, "flags": _flag_rows(flags, values),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def board_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit, check and publish a draft. Every save checks the text again; 「公開する」 saves first,
    then publishes only when nothing is flagged and 「確認しました」 is ticked."""
    if not policies.can_prepare_board(request.user):
        raise Http404
    entry = board.get_entry_for_user(request.user, pk)
    if entry.published:
        return redirect("board:detail", entry.pk)
    form = BoardEntryForm(request.POST if request.method == "POST" else None, instance=entry)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ip = client_ip(request)
            try:
                entry = board.update_entry(entry=entry, actor=request.user, data=form.cleaned_data, ip_address=ip)
                if request.POST.get("action") == "publish":
                    entry = board.publish_entry(entry=entry, actor=request.user,
                                                reviewed=form.cleaned_data["reviewed"], ip_address=ip)
                    messages.success(request, _("庁内共有に公開しました。事案は「庁内共有済み」になりました。"))
                    return redirect("board:detail", entry.pk)
            except ValidationError as error:
                form.add_error(None, error)
                entry.refresh_from_db()
            else:
                messages.success(request, _("保存しました。") if not entry.flags else
                                 _("保存しました。個人情報の疑いがある箇所が残っています。"))
                return redirect("board:edit", entry.pk)
    values = {f: getattr(entry, f) for f in board.TEXT_FIELDS}
    return render(request, "committee/board_form.html", {
        "form": form, "report": entry.report, "entry": entry, "flags": _flag_rows(entry.flags, values),
    }, status=status)
