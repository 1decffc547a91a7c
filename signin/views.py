"""/accounts/security/sessions/: the signed-in user's own sessions, and signing out elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organization.audit import client_ip

from . import sessions


@never_cache
@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    rows = sessions.active_sessions(user=request.user)
    return render(request, "signin/sessions.html", {
        "rows": rows, "current_key": request.session.session_key,
        "idle_minutes": settings.KASUHARA_IDLE_MINUTES,
        "others": sum(1 for row in rows if row.session_key != request.session.session_key),
    })


@login_required
@require_POST
def sign_out_others(request: HttpRequest) -> HttpResponse:
    count = sessions.sign_out_elsewhere(user=request.user, keep_session_key=request.session.session_key,
                                        actor=request.user, ip_address=client_ip(request))
    messages.success(request, _("他の端末からサインアウトしました（%(count)d件）。") % {"count": count})
    return redirect("signin:sessions")


@login_required
@require_POST
def sign_out_all(request: HttpRequest) -> HttpResponse:
    sessions.sign_out_elsewhere(user=request.user, keep_session_key=None,
                                actor=request.user, ip_address=client_ip(request))
    logout(request)
    messages.success(request, _("すべての端末からサインアウトしました。"))
    return redirect("login")
