"""Response headers the city's security policy asks for, beside Django's own SecurityMiddleware
(HSTS, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy) and django-csp (Content-Security-Policy).

- ``SecurityHeadersMiddleware``: ``Permissions-Policy`` on every answer (settings
  ``KASUHARA_PERMISSIONS_POLICY``).
- ``NoStoreMiddleware``: ``Cache-Control: no-store`` and ``Pragma: no-cache`` on every answer to a
  signed-in user (pages, evidence downloads, exports, JSON): all of them may show personal data,
  and telling them apart page by page is how one gets forgotten. Static files never reach it
  (WhiteNoise answers them first) and keep their long cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

NO_STORE = "private, no-store"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "KASUHARA_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_no_store(response)
        return response


def mark_no_store(response: HttpResponseBase) -> None:
    """Forbid any cache to keep the answer (a view's own ``no-store`` value is kept; any other,
    such as a ``max-age``, is replaced)."""
    if "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = NO_STORE
    response.headers["Pragma"] = "no-cache"
    response.headers.pop("Expires", None)
