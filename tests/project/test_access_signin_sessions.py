"""The access table of /accounts/security/sessions/ (issue 14): every demo role opens the list of its
own signed-in devices and sees no one else's; before sign-in every address of it sends to the login."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from tests.project.test_access_counter_to_case import ROLES, force_sign_in, wrong_statuses

EVERYONE = frozenset(ROLES)


def pages() -> dict[str, frozenset[str]]:
    """path → the roles that may open it (everyone else: 404)."""
    return {"/accounts/security/sessions/": EVERYONE}


def test_every_role_opens_its_own_sessions(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_each_role_sees_only_its_own_devices(db, settings):
    from signin.models import UserSession

    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    for role in ROLES:
        Client(HTTP_USER_AGENT=f"device-of-{role}").post(
            "/accounts/login/", {"username": role, "password": "kasuhara-demo"})
    assert UserSession.objects.count() == len(ROLES)
    for role in ROLES:
        page = force_sign_in(role).get("/accounts/security/sessions/").content.decode()
        shown = {other for other in ROLES if f"device-of-{other}<" in page or f"device-of-{other} " in page}
        assert shown == {role}, role


def test_before_sign_in_every_address_sends_to_the_login(client, db):
    response = client.get("/accounts/security/sessions/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for path in ("/accounts/security/sessions/others/", "/accounts/security/sessions/all/"):
        response = client.post(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
