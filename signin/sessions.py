"""Sessions: who is signed in where, signing out elsewhere or everywhere, and the marks the
middleware keeps in each session (last activity, the role fingerprint).

Writes are keyword-only services; ending sessions other than one's own leaves a ``SigninEvent``.
"""

from __future__ import annotations

import hashlib
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from organization.audit import client_ip
from organization.models import User

from .models import SigninEvent, UserSession

LAST_SEEN_KEY = "_kasuhara_seen"  # epoch seconds of the last activity (not background polls)
ROLES_KEY = "_kasuhara_roles"  # fingerprint of the role flags at sign-in / last rotation

# The flags that decide what a user may read or do. A change to any of them gives the browser a new
# session key (``SessionGuardMiddleware``).
ROLE_FLAGS = (
    "is_active", "is_staff", "is_superuser", "is_section_chief", "is_director", "is_desk",
    "is_ga_director", "is_committee_member", "is_committee_chair", "is_health_office", "is_auditor",
)


def role_fingerprint(user: User) -> str:
    flags = "".join("1" if getattr(user, name, False) else "0" for name in ROLE_FLAGS)
    return hashlib.sha256(f"{user.pk}:{flags}:{user.section_id}".encode()).hexdigest()[:32]


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _delete_from_store(keys: list[str]) -> None:
    store = _store()
    for key in keys:
        store(session_key=key).delete()


def record_sign_in(*, request: HttpRequest, user: User) -> UserSession | None:
    """On sign-in (``user_logged_in``): mark the session and remember where it is."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    now = timezone.now()
    session[LAST_SEEN_KEY] = int(now.timestamp())
    session[ROLES_KEY] = role_fingerprint(user)
    if not session.session_key:
        session.save()
    meta = getattr(request, "META", {}) or {}
    row, _ = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user, "last_seen": now,
            "ip_address": client_ip(request) if meta else None,
            "user_agent": (meta.get("HTTP_USER_AGENT") or "")[:300],
        },
    )
    return row


def forget(*, session_key: str | None) -> None:
    """On sign-out (``user_logged_out``): the session itself is flushed by Django."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def rekeyed(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (role change): the row follows it."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def touch(*, session_key: str | None, now) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).update(last_seen=now)


def active_sessions(*, user: User) -> list[UserSession]:
    """The user's sessions that still exist in the session store (expired ones are dropped here)."""
    store = _store()
    rows = list(UserSession.objects.filter(user=user))
    gone = [row.pk for row in rows if not store().exists(row.session_key)]
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return [row for row in rows if row.pk not in gone]


@transaction.atomic
def sign_out_elsewhere(*, user: User, keep_session_key: str | None, actor: User | None,
                       ip_address: str | None) -> int:
    """End every session of ``user`` except ``keep_session_key`` (None: every one of them, e.g. by an
    admin when a laptop is lost). Returns how many were ended; leaves one audit record."""
    rows = UserSession.objects.select_for_update().filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    rows.delete()
    _delete_from_store(keys)  # with the database store, in the same transaction
    SigninEvent.objects.create(
        actor=actor, user=user, ip_address=ip_address,
        action=SigninEvent.Action.SIGNED_OUT_OTHERS if keep_session_key else SigninEvent.Action.SIGNED_OUT_ALL,
        detail={"sessions": len(keys)},
    )
    return len(keys)


@transaction.atomic
def lift_locks(*, attempts, actor: User | None, ip_address: str | None) -> int:
    """Lift sign-in locks (axes ``AccessAttempt`` rows): deletes them and records who did it and
    which accounts and addresses were freed."""
    freed = sorted({(a.username or "", a.ip_address or "") for a in attempts})
    count, _ = attempts.delete() if hasattr(attempts, "delete") else (0, None)
    SigninEvent.objects.create(
        actor=actor, ip_address=ip_address, action=SigninEvent.Action.LOCK_LIFTED,
        detail={"freed": [{"username": u, "ip_address": ip} for u, ip in freed]},
    )
    return len(freed)
