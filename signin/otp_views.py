"""The second factor's pages: verify at sign-in, the guided setup (app → QR code → first code →
recovery codes), and the user's own page at /accounts/security/."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from . import otp_services
from .otp_forms import CodeForm, VerifyForm

CODES_SESSION_KEY = "signin_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request: HttpRequest, device) -> None:
    """The session is now verified: a new session key (as at sign-in), then django-otp's mark."""
    request.session.cycle_key()
    otp_login(request, device)


def qr_svg(data: str) -> str:
    """The QR code as inline SVG, made here (no image library, no outside service)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="220" height="220"', svg)
    return svg.replace("<svg ", '<svg class="otp-qr" aria-hidden="true" focusable="false" ', 1)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified() or not otp_services.has_second_factor(request.user):
        return redirect(_next_url(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = otp_services.check_code(user=request.user, code=form.cleaned_data["code"])
        if outcome.ok:
            _verified(request, outcome.device)
            left = otp_services.recovery_codes_left(request.user)
            if outcome.device.__class__.__name__ == "StaticDevice":
                messages.warning(request, _("回復コードを使いました。残りは %(left)d 個です。") % {"left": left})
            return redirect(_next_url(request))
        form.add_error("code", outcome.message)
    return render(request, "signin/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if otp_services.has_second_factor(user) and not user.is_verified():
        return redirect("signin:otp_verify")
    device = otp_services.pending_device(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = otp_services.confirm_setup(user=user, device=device, code=form.cleaned_data["code"])
        if outcome.ok:
            _verified(request, outcome.device)
            request.session[CODES_SESSION_KEY] = codes
            request.session["signin_after_codes"] = _next_url(request)
            return redirect("signin:otp_codes")
        form.add_error("code", outcome.message)
    return render(request, "signin/otp_setup.html", {
        "form": form,
        "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 - made here from our own URL
        "key": otp_services.key_in_groups(device),
        "required": otp_services.second_factor_required(user),
        "replacing": otp_services.has_second_factor(user),
        "next": _next_url(request),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest) -> HttpResponse:
    """The ten recovery codes, shown once (kept in the session only until 「保管しました」)."""
    shown = request.session.get(CODES_SESSION_KEY)
    if not shown:
        return redirect("signin:security")
    if request.method == "POST":
        request.session.pop(CODES_SESSION_KEY, None)
        target = request.session.pop("signin_after_codes", "") or "signin:security"
        messages.success(request, _("二要素認証の設定が終わりました。"))
        return redirect(target)
    return render(request, "signin/otp_codes.html", {"codes": shown})


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


def _recheck(request: HttpRequest, prefix: str):
    form = CodeForm(request.POST, auto_id=f"id_{prefix}_%s")
    if not form.is_valid():
        return form, None
    outcome = otp_services.check_code(user=request.user, code=form.cleaned_data["code"])
    if not outcome.ok:
        form.add_error("code", outcome.message)
        return form, None
    return form, outcome


def _security_page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    """/accounts/security/: the second factor's state; again with a form's errors (400)."""
    user = request.user
    context = {
        "has_factor": otp_services.has_second_factor(user),
        "required": otp_services.second_factor_required(user),
        "codes_left": otp_services.recovery_codes_left(user),
        "device": otp_services.app_device(user),
        "form": CodeForm(auto_id="id_regen_%s"),
        "remove_form": CodeForm(auto_id="id_remove_%s"),
        **forms,
    }
    return render(request, "signin/otp_security.html", context, status=status)


@never_cache
@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after the app's current code is typed again."""
    form, outcome = _recheck(request, "regen")
    if outcome is None:
        return _security_page(request, 400, form=form)
    request.session[CODES_SESSION_KEY] = otp_services.regenerate_recovery_codes(user=request.user)
    request.session["signin_after_codes"] = ""
    return redirect("signin:otp_codes")


@never_cache
@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off (only when the user's roles do not require it)."""
    if otp_services.second_factor_required(request.user):
        messages.error(request, _("この役割では二要素認証を解除できません。スマートフォンを替えるときは「新しいスマートフォンに移す」を使ってください。"))
        return redirect("signin:security")
    form, outcome = _recheck(request, "remove")
    if outcome is None:
        return _security_page(request, 400, remove_form=form)
    otp_services.remove_second_factor(user=request.user)
    messages.success(request, _("二要素認証を解除しました。"))
    return redirect("signin:security")
