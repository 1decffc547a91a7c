"""The access table of the pages issues 10 and 11 added that have no table of their own (the
support requests and the 保健室 referrals have theirs: tests/support/test_access.py,
tests/care/test_referral_access.py): every demo role on every page, allowed (200) or 404."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
from django.test import Client

ROLES = ("staff", "staff2", "chief", "chief2", "director", "desk", "desk2", "gachief", "gadir", "chair", "member",
         "admin", "nurse", "kanzai", "auditor")
EVERYONE = frozenset(ROLES)


def pages() -> dict[str, frozenset[str]]:
    """path → the roles that may open it (everyone else: 404)."""
    from care.demo import checkin_id
    from tests.helpcalls.demo import demo_help_call
    from tests.incidents.live_demo import record_id

    return {
        "/inbox/": EVERYONE,
        "/inbox/?unread=1": EVERYONE,
        "/inbox/settings/": EVERYONE,
        "/help/new/": EVERYONE,  # every demo user belongs to a 課
        f"/help/{demo_help_call()}/": frozenset({"staff", "chief"}),  # the caller's 課 (市民課)
        "/care/checkins/": frozenset({"desk", "desk2"}),
        f"/care/checkins/{checkin_id()}/": frozenset({"desk", "desk2"}),
        "/reports/live/": EVERYONE,  # each sees their own records only
        f"/reports/live/{record_id()}/": frozenset({"staff"}),  # its owner
    }


def force_sign_in(role: str) -> Client:
    """A client signed in as the demo user ``role`` without the login page."""
    from organization.models import User

    client = Client()
    client.force_login(User.objects.get(username=role))
    return client


def wrong_statuses(table: dict[str, frozenset[str]], sign_in: Callable[[str], Client]) -> list[str]:
    """Every role of ROLES, signed in by ``sign_in(role)``, on every page of ``table``: what was not
    200 (allowed) or 404 (refused). tests/project/test_access_directory.py signs them in through
    the directory instead."""
    wrong = []
    for role in ROLES:
        client = sign_in(role)
        for path, allowed in table.items():
            status = client.get(path).status_code
            expected = 200 if role in allowed else 404
            if status != expected:
                wrong.append(f"{role} {path}: {status}, expected {expected}")
    return wrong


def test_every_role_opens_what_it_may_and_gets_404_elsewhere(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_before_sign_in_every_page_sends_to_the_login(client, db):
    for path in ("/inbox/", "/inbox/settings/", "/help/new/", "/care/checkins/", "/reports/live/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
