"""Throttling of failed sign-ins (django-axes), configured in ``kasuhara/settings.py``.

Two limits, counted over the lock period (``KASUHARA_SIGNIN_LOCK_MINUTES``):
- ``KASUHARA_SIGNIN_FAILURE_LIMIT`` failures for one account, from anywhere, lock that account;
- ``KASUHARA_SIGNIN_ADDRESS_FAILURE_LIMIT`` failures from one address, whichever accounts, lock
  that address (one machine trying many names).
A successful sign-in clears the account's count. While locked even the right password is refused,
with our own page (429) that says the same whether the account exists or not.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def account_key(request: HttpRequest, credentials: dict | None) -> str | None:
    """The name failures are counted under: trimmed and case-folded, because the directory (Active
    Directory) accepts ``Tanaka`` and ``tanaka`` alike — counting them apart would double the limit."""
    if credentials and credentials.get("username") is not None:
        name = credentials["username"]
    else:
        name = request.POST.get("username") if request is not None and hasattr(request, "POST") else None
    return name.strip().casefold() if isinstance(name, str) else None


class ThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter.

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]`` and axes compares the largest count
    with one limit (the account's). The address's count is scaled so that it reaches that limit
    exactly when it reaches the address's limit: ``floor(n · account / address) >= account`` iff
    ``n >= address``."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        account_limit = settings.KASUHARA_SIGNIN_FAILURE_LIMIT
        limits = {"username": account_limit, "ip_address": settings.KASUHARA_SIGNIN_ADDRESS_FAILURE_LIMIT}
        counts = []
        attempts_list = self.get_user_attempts(request, credentials)
        for parameter, attempts in zip(settings.AXES_LOCKOUT_PARAMETERS, attempts_list, strict=True):
            failures = sum(attempts.values_list("failures_since_start", flat=True))
            limit = limits.get(parameter, account_limit) if isinstance(parameter, str) else account_limit
            counts.append(failures * account_limit // max(limit, 1))
        return max(counts, default=0)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """On success only the account's failures are forgotten, not the address's: one valid
        account must not wipe the count of an address that is trying many others."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        return self.reset_attempts(username=username)


def lock_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None) -> HttpResponse:
    """The answer to a sign-in while locked: our page in Japanese, status 429. It names neither the
    account nor whether it exists; the same words for an account lock and an address lock."""
    return render(request, "registration/locked_out.html", {"minutes": lock_minutes()}, status=429)
