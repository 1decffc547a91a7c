"""Failed sign-ins are throttled per account and per address (django-axes, signin/throttle.py),
tried through the real sign-in page."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.utils import timezone

from signin.models import SigninEvent

LOGIN = "/accounts/login/"
PASSWORD = "kasuhara-demo"
LOCKED_WORDS = "サインインを一時的に止めています"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KASUHARA_SIGNIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 5
    settings.KASUHARA_SIGNIN_ADDRESS_FAILURE_LIMIT = 20
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.KASUHARA_TRUST_X_FORWARDED_FOR = False
    settings.KASUHARA_REQUIRE_2FA = False


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def main_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<main"):page.index("</main>")]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_probe_of_the_issue_ends_locked_and_the_right_password_is_refused(users, client):
    """30 wrong passwords in a row, then the right one: refused with our page, 429, not signed in."""
    answers = [sign_in(client, "staff", f"wrong-{n}").status_code for n in range(30)]
    assert answers[:4] == [200] * 4  # the form's own message for the first ones
    assert set(answers[5:]) == {429}

    response = sign_in(client, "staff", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_WORDS in page and "15分後にもう一度お試しください" in page
    assert "相談窓口" in page and "管理者" in page
    assert not signed_in(client)


def test_the_locked_page_is_the_same_for_an_account_that_does_not_exist(users, client):
    for n in range(5):
        sign_in(client, "staff", f"wrong-{n}")
        sign_in(client, "nobody-here", f"wrong-{n}", address="192.0.2.11")
    real = sign_in(client, "staff", PASSWORD)
    ghost = sign_in(client, "nobody-here", PASSWORD, address="192.0.2.11")
    assert real.status_code == ghost.status_code == 429
    assert main_of(real) == main_of(ghost)
    assert b"nobody-here" not in ghost.content and b"staff" not in real.content


def test_an_account_is_locked_from_every_address_and_others_are_not(users, client):
    for n in range(5):
        assert sign_in(client, "staff", "wrong", address=f"198.51.100.{n + 1}").status_code in (200, 429)
    assert sign_in(client, "staff", PASSWORD, address="203.0.113.99").status_code == 429
    assert sign_in(Client(), "staff2", PASSWORD, address="198.51.100.1").status_code == 302


def test_an_address_trying_many_names_is_locked_for_every_name(users, client):
    for n in range(20):
        sign_in(client, f"guess{n % 10}", "wrong")  # 10 names, 2 tries each: no account reaches 5
    other = Client()
    assert sign_in(other, "staff2", PASSWORD).status_code == 429  # the address is locked
    assert sign_in(other, "staff2", PASSWORD, address="192.0.2.77").status_code == 302


def test_nineteen_failures_from_an_address_do_not_lock_it(users, client):
    for n in range(19):
        sign_in(client, f"guess{n % 10}", "wrong")
    assert sign_in(Client(), "staff2", PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_count(users, client):
    for _ in range(4):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, "staff", "wrong").status_code == 200
    assert sign_in(client, "staff", PASSWORD).status_code == 302


def test_the_name_is_counted_whatever_its_case_and_spaces(users, client):
    for name in ["Staff", "STAFF", " staff", "staff ", "sTaff"]:
        sign_in(client, name, "wrong")
    assert sign_in(client, "staff", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_lock_period(users, client):
    for _ in range(5):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", PASSWORD).status_code == 429
    # The clock moves on: the failures are now older than the 15-minute period.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "staff", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_address_lock(users, client, settings):
    for n in range(20):
        client.post(LOGIN, {"username": f"guess{n}", "password": "wrong"},
                    REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = Client().post(LOGIN, {"username": "staff2", "password": PASSWORD},
                             REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_behind_the_proxy_the_forwarded_address_is_counted(users, client, settings):
    settings.KASUHARA_TRUST_X_FORWARDED_FOR = True
    for n in range(20):
        client.post(LOGIN, {"username": f"guess{n}", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    proxy = "10.0.0.2"  # every user comes through the proxy: only the locked client is refused
    assert Client().post(LOGIN, {"username": "staff2", "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert Client().post(LOGIN, {"username": "staff2", "password": PASSWORD}, REMOTE_ADDR=proxy,
                         HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_the_password_is_never_stored_or_logged(users, client, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        sign_in(client, "staff", "Secret-Typo-4711")
    assert AccessFailureLog.objects.filter(username="staff").count() == 6
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "Secret-Typo-4711" not in stored
    assert "Secret-Typo-4711" not in caplog.text


def test_the_admin_sees_the_locks_in_japanese_and_lifts_them_with_a_record(users, client, client_as):
    for _ in range(5):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", PASSWORD).status_code == 429

    admin = client_as("admin")
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "失敗の回数" in listing.content.decode() and "ロックを解除" in listing.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post("/admin/axes/accessattempt/", {"action": "lift", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = SigninEvent.objects.get()
    assert (event.action, event.actor, event.detail["freed"][0]["username"]) == (
        SigninEvent.Action.LOCK_LIFTED, users["admin"], "staff")

    assert sign_in(client, "staff", PASSWORD).status_code == 302


def test_staff_without_admin_rights_cannot_lift_a_lock(users, client_as):
    assert client_as("staff").get("/admin/axes/accessattempt/").status_code == 302
