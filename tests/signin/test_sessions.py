"""Sessions: a new key on sign-in and on a role change, idle sign-out (background polls are not
activity), the page of one's sessions with signing out elsewhere / everywhere, and the admin's
「すべての端末からサインアウト」. Through the real pages; the idle clock is moved, not waited for."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from organization.models import User
from signin import middleware
from signin.models import SigninEvent, UserSession

LOGIN = "/accounts/login/"
PASSWORD = "kasuhara-demo"
IDLE_WORDS = "一定時間操作がなかったため、サインアウトしました"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.KASUHARA_IDLE_MINUTES = 30
    settings.KASUHARA_REQUIRE_2FA = False


def sign_in(username: str = "staff", *, agent: str = "Mozilla/5.0 (Windows NT 10.0) Edge/140",
            address: str = "192.0.2.20") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def key_of(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def signed_in(client: Client) -> bool:
    return client.get("/reports/").status_code == 200


class Clock:
    """The middleware's clock, moved by the test."""

    def __init__(self, monkeypatch):
        import time

        self.now = int(time.time())
        monkeypatch.setattr(middleware, "_now", lambda: self.now)

    def forward(self, minutes: float) -> None:
        self.now += int(minutes * 60)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


# -- a new session key on sign-in and on a role change ------------------------------------------------

def test_signing_in_gives_a_new_session_key(users):
    client = Client()
    before = client.session
    before["visited"] = True
    before.save()
    old_key = before.session_key
    client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert key_of(client) != old_key
    assert not SessionStore().exists(old_key)


def test_a_role_change_gives_a_new_key_and_the_old_one_stops_working(users):
    client = sign_in("staff")
    old_key = key_of(client)
    assert signed_in(client)

    User.objects.filter(username="staff").update(is_desk=True)  # granted meanwhile, by whatever path
    response = client.get("/reports/")
    assert response.status_code == 200
    new_key = key_of(client)
    assert new_key != old_key
    assert UserSession.objects.get(user=users["staff"]).session_key == new_key

    stolen = Client()
    stolen.cookies[django_settings.SESSION_COOKIE_NAME] = old_key
    assert stolen.get("/reports/").status_code == 302  # the key copied before the change is dead
    assert signed_in(client)


def test_an_unchanged_role_keeps_the_key(users):
    client = sign_in("staff")
    key = key_of(client)
    client.get("/reports/")
    client.get("/manual/")
    assert key_of(client) == key


# -- idle sign-out ----------------------------------------------------------------------------------

def test_after_the_idle_period_a_page_signs_out_with_a_message(users, clock):
    client = sign_in("staff")
    clock.forward(29)
    assert signed_in(client)  # 29 minutes: still there, and this counts as activity
    clock.forward(31)
    response = client.get("/reports/", follow=True)
    assert response.redirect_chain[0][0].startswith(f"{LOGIN}?next=")
    assert IDLE_WORDS in response.content.decode()
    assert not UserSession.objects.filter(user=users["staff"]).exists()
    assert client.get("/reports/").status_code == 302


def test_background_polls_are_not_activity(users, clock):
    client = sign_in("staff")
    for _ in range(6):  # the badge and the banner poll every few minutes for half an hour
        clock.forward(5)
        assert client.get("/inbox/count/", HTTP_ACCEPT="application/json").status_code == 200
        assert client.get("/help/active/", HTTP_ACCEPT="application/json").status_code == 200
    clock.forward(1)
    poll = client.get("/inbox/count/", HTTP_ACCEPT="application/json")
    assert poll.status_code == 401
    assert poll.json()["signed_out"] is True
    assert client.get("/reports/").status_code == 302


def test_a_live_recording_step_is_activity_an_empty_sync_is_not(users, clock, types):
    client = sign_in("staff")
    step = {"type": "bougen", "record": None, "sent_at": 0,
            "ops": [{"id": "a" * 32, "op": "step", "kind": "warning", "at": 0, "note": ""}]}
    clock.forward(25)
    client.post("/reports/live/sync/", json.dumps(step), content_type="application/json")
    clock.forward(25)
    assert signed_in(client)  # 25 minutes after the tapped step

    clock.forward(25)
    client.post("/reports/live/sync/", json.dumps({**step, "ops": []}), content_type="application/json")
    clock.forward(10)
    assert not signed_in(client)  # 35 minutes after the last real activity


# -- the sessions page ----------------------------------------------------------------------------

def test_the_page_lists_ones_own_sessions_and_marks_this_one(users):
    office = sign_in("staff", agent="Office-PC Edge", address="192.0.2.31")
    sign_in("staff", agent="Tablet Safari", address="192.0.2.32")
    sign_in("staff2", agent="Someone-Else Firefox", address="192.0.2.33")

    page = office.get("/accounts/security/sessions/").content.decode()
    assert "Office-PC Edge" in page and "Tablet Safari" in page and "Someone-Else" not in page
    assert "192.0.2.31" in page and "192.0.2.32" in page
    assert page.count("この端末") == 1
    assert page.index("Office-PC Edge") < page.index("この端末") < page.index("192.0.2.31")


def test_signing_out_the_other_devices_keeps_this_one(users):
    office = sign_in("staff")
    tablet = sign_in("staff", agent="Tablet")
    colleague = sign_in("staff2")

    response = office.post("/accounts/security/sessions/others/", follow=True)
    assert "他の端末からサインアウトしました（1件）" in response.content.decode()
    assert signed_in(office)
    assert not signed_in(tablet)
    assert signed_in(colleague)
    event = SigninEvent.objects.get()
    assert (event.action, event.actor, event.user, event.detail) == (
        SigninEvent.Action.SIGNED_OUT_OTHERS, users["staff"], users["staff"], {"sessions": 1})


def test_signing_out_everywhere_ends_this_one_too(users):
    office = sign_in("staff")
    tablet = sign_in("staff", agent="Tablet")
    response = office.post("/accounts/security/sessions/all/", follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "すべての端末からサインアウトしました" in response.content.decode()
    assert not signed_in(office) and not signed_in(tablet)
    assert not UserSession.objects.filter(user=users["staff"]).exists()


def test_the_sign_out_buttons_answer_only_post(users):
    client = sign_in("staff")
    assert client.get("/accounts/security/sessions/others/").status_code == 405
    assert client.get("/accounts/security/sessions/all/").status_code == 405
    assert signed_in(client)


def test_signing_out_removes_the_row(users):
    client = sign_in("staff")
    assert UserSession.objects.filter(user=users["staff"]).count() == 1
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=users["staff"]).exists()


def test_the_admin_signs_a_user_out_everywhere(users, client_as):
    laptop = sign_in("staff", agent="Lost laptop")
    phone = sign_in("staff", agent="Phone")
    admin = client_as("admin")
    rows = list(UserSession.objects.filter(user=users["staff"]).values_list("pk", flat=True))
    listing = admin.get("/admin/signin/usersession/")
    assert "この利用者をすべての端末からサインアウト" in listing.content.decode()
    response = admin.post("/admin/signin/usersession/", {"action": "sign_out_everywhere", "_selected_action": rows[:1]})
    assert response.status_code == 302
    assert not signed_in(laptop) and not signed_in(phone)
    event = SigninEvent.objects.get()
    assert (event.action, event.actor, event.user) == (SigninEvent.Action.SIGNED_OUT_ALL, users["admin"], users["staff"])
