"""Where a request came from, for the audit trails of every app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
