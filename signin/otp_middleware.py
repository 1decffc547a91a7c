"""Nothing opens before the second factor: a signed-in user with an authenticator app is sent to
/accounts/security/verify/ until they type its code; a user whose roles require one and who has
none is sent to the guided setup. Runs after django-otp's ``OTPMiddleware`` (``user.is_verified``).

Open without it: the sign-in, verify, setup and sign-out pages, static files, /healthz and the
accessibility policy. A JSON poll (the header's お知らせ count, 応援要請) gets a 401 JSON answer
instead of a redirect it could not follow.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .otp_services import has_second_factor, second_factor_required


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("login"), reverse("logout"), reverse("signin:otp_verify"), reverse("signin:otp_setup"),
        reverse("healthz"), reverse("accessibility"), "/" + settings.STATIC_URL.lstrip("/"), "/favicon.ico",
    )


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        answer = self._guard(request)
        return answer if answer is not None else self.get_response(request)

    def _guard(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith(_open_paths()):
            return None
        if has_second_factor(user):
            target, message = "signin:otp_verify", _("二要素認証のコードを入力してください。")
        elif second_factor_required(user):
            target, message = "signin:otp_setup", _("この役割では二要素認証の設定が必要です。設定を済ませてください。")
        else:
            return None
        if wants_json(request):
            return JsonResponse({"error": "second_factor", "message": message}, status=401)
        url = reverse(target)
        if request.method == "GET" and request.path != reverse("home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
