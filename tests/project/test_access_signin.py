"""The access table of /accounts/security/… (issue 14): every demo role on every page of the
signed-in user's own sign-in settings. Each page shows the user's own settings only, so every
signed-in role opens it; nobody reaches another user's second factor through these addresses."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from tests.project.test_access_counter_to_case import ROLES, force_sign_in, wrong_statuses

EVERYONE = frozenset(ROLES)


def pages() -> dict[str, frozenset[str]]:
    """path → the roles that may open it (everyone else: 404)."""
    return {
        "/accounts/security/": EVERYONE,  # the second factor's state, their own
        "/accounts/security/setup/": EVERYONE,  # anyone may turn it on
    }


def test_every_role_opens_its_own_sign_in_settings(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_with_the_second_factor_required_the_roles_that_need_it_go_to_the_setup_first(db, settings):
    settings.KASUHARA_DEMO = True
    settings.KASUHARA_REQUIRE_2FA = True
    call_command("load_demo", stdout=None)
    wrong = []
    for role in ROLES:
        client = force_sign_in(role)
        if client.get("/accounts/security/setup/").status_code != 200:
            wrong.append(f"{role}: setup page not 200")
        answer = client.get("/accounts/security/")
        must = role not in ("staff", "staff2")
        if must and not (answer.status_code == 302 and answer["Location"].startswith("/accounts/security/setup/")):
            wrong.append(f"{role}: /accounts/security/ {answer.status_code}, expected the setup")
        if not must and answer.status_code != 200:
            wrong.append(f"{role}: /accounts/security/ {answer.status_code}, expected 200")
    assert wrong == []


def test_before_sign_in_every_page_sends_to_the_login(client, db):
    for path in ("/accounts/security/", "/accounts/security/setup/", "/accounts/security/setup/codes/",
                 "/accounts/security/verify/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
    for path in ("/accounts/security/recovery-codes/", "/accounts/security/remove/"):
        response = Client(enforce_csrf_checks=False).post(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_without_a_second_factor_the_verify_and_codes_pages_send_on(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    client = force_sign_in("staff")
    assert client.get("/accounts/security/verify/?next=/reports/")["Location"] == "/reports/"
    assert client.get("/accounts/security/verify/?next=https://evil.example/")["Location"] == "/"
    assert client.get("/accounts/security/setup/codes/")["Location"] == "/accounts/security/"
