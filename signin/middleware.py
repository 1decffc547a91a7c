"""SessionGuardMiddleware: idle sign-out, and a new session key when the user's roles change.

- Idle: a session with no activity for ``KASUHARA_IDLE_MINUTES`` is signed out (the working-day
  limit ``SESSION_COOKIE_AGE`` still applies on top). Background polls (the お知らせ badge, the 応援要請
  banner) do not count as activity; the live recorder's sync counts only when it carries a step the
  user tapped. A page request after the idle period lands on the sign-in page with
  「一定時間操作がなかったため、サインアウトしました」; a poll gets a JSON 401, which the scripts ignore.
- Roles: a fingerprint of the role flags is kept in the session; when it differs (a role granted or
  withdrawn meanwhile) the session key is cycled, so a key copied before the change stops working.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sessions

# Activity is written at most this often (seconds): not every request needs a session write.
TOUCH_EVERY = 60


def _now() -> int:
    """Seconds since the epoch (the tests move this clock)."""
    return int(time.time())


def _paths(*names: str) -> frozenset[str]:
    found = set()
    for name in names:
        try:
            found.add(reverse(name))
        except NoReverseMatch:
            pass
    return frozenset(found)


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._polls: frozenset[str] | None = None
        self._sync: frozenset[str] | None = None

    def _is_poll(self, request: HttpRequest) -> bool:
        if self._polls is None:
            self._polls = _paths("inbox:count", "helpcalls:active")
            self._sync = _paths("live:sync")
        if request.path in self._polls:
            return True
        if request.path in (self._sync or ()):
            # A sync that carries operations is the user recording steps; an empty one is not.
            return b'"op"' not in request.body
        return False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = _now()
        seen = session.get(sessions.LAST_SEEN_KEY)
        poll = self._is_poll(request)
        idle_seconds = settings.KASUHARA_IDLE_MINUTES * 60
        if isinstance(seen, int) and idle_seconds > 0 and now - seen > idle_seconds:
            return self._signed_out(request, poll)

        fingerprint = sessions.role_fingerprint(user)
        stored = session.get(sessions.ROLES_KEY)
        if stored != fingerprint:
            old_key = session.session_key
            if stored is not None:
                session.cycle_key()
            session[sessions.ROLES_KEY] = fingerprint
            sessions.rekeyed(old_key=old_key, new_key=session.session_key)

        if not poll and (not isinstance(seen, int) or now - seen >= TOUCH_EVERY):
            session[sessions.LAST_SEEN_KEY] = now
            sessions.touch(session_key=session.session_key, now=timezone.now())
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, poll: bool) -> HttpResponse:
        logout(request)
        message = _("一定時間操作がなかったため、サインアウトしました。もう一度ログインしてください。")
        if poll or request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": message, "signed_out": True}, status=401)
        messages.info(request, message)
        query = {"next": request.get_full_path()} if request.method == "GET" else {}
        url = reverse(settings.LOGIN_URL)
        return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)
