"""Thin views for お知らせ: the inbox, opening a notice (marks it read, leads to its case), marking
read, the unread count for the header, and the user's choice of e-mail per kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import policies, selectors, services
from .forms import PreferencesForm
from .render import link_path, subject


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "inbox:list"


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = selectors.inbox(request.user, page=request.GET.get("page"), unread_only=unread_only)
    rows = [(notice, subject(notice)) for notice in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows, "unread_only": unread_only})


@login_required
@require_GET
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notice marks it read and leads to its case (whose own view asks its policy)."""
    notice = services.open_notice(user=request.user, notice_id=pk)
    if notice is None or not policies.can_read(request.user, notice):
        raise Http404
    path = link_path(notice)
    return redirect(path) if path else redirect("inbox:list")


@login_required
@require_POST
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.mark_read(user=request.user, notice_id=pk) and not request.user.notices.filter(pk=pk).exists():
        raise Http404
    return redirect(_back(request))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    n = services.mark_all_read(user=request.user)
    messages.success(request, _("%(n)d 件のお知らせを既読にしました。") % {"n": n} if n else _("未読のお知らせはありません。"))
    return redirect(_back(request))


@login_required
@require_GET
@never_cache
def unread(request: HttpRequest) -> JsonResponse:
    """The header's badge asks this every ``KASUHARA_INBOX_POLL_SECONDS``."""
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    choices = selectors.preferences(request.user)
    form = PreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(user=request.user, by_email=form.by_email())
        messages.success(request, _("お知らせの受け取り方を保存しました。"))
        return redirect("inbox:settings")
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)

