"""The second factor (issue 14): with KASUHARA_REQUIRE_2FA on, the roles that read other people's
reports and the 管理者 must set up an authenticator app before any other page opens; anyone may.

Codes are computed from the device's own key (django-otp's ``totp``), as the phone would. The
device's clock is moved (``clock``) where a test needs a later 30-second step, as a later sign-in
would have.
"""

from __future__ import annotations

import re
import time as real_time
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin import otp_services
from tests.incidents.conftest import make_report  # noqa: F401 (fixture)

SETUP = "/accounts/security/setup/"
VERIFY = "/accounts/security/verify/"
CODES = "/accounts/security/setup/codes/"
SECURITY = "/accounts/security/"
WRONG_CODE = "コードが違います"


@pytest.fixture
def required(settings):
    settings.KASUHARA_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling has a test of its own
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def clock(monkeypatch):
    """``clock.steps = n``: the server's and the phone's clock n 30-second steps ahead."""
    state = SimpleNamespace(steps=0)
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: real_time.time() + 30 * state.steps))
    return state


def code_for(device: TOTPDevice, steps: int = 0) -> str:
    """The 6-digit code the authenticator app shows (``steps`` later)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0 - 30 * steps, digits=device.digits, drift=0)
    return f"{value:06d}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_up(user, clock) -> list[str]:
    """The user's app, set up as the setup page does it; returns the recovery codes."""
    device = otp_services.pending_device(user=user)
    outcome, codes = otp_services.confirm_setup(user=user, device=device, code=code_for(device, clock.steps))
    assert outcome.ok
    clock.steps += 3  # the next sign-in is a few minutes later
    return codes


def test_desk_is_sent_to_the_setup_and_opens_nothing_else_until_done(users, required, make_report, clock):  # noqa: F811
    report = make_report(users["staff"])
    desk = signed_in(users["desk"])

    response = desk.get("/queue/")
    assert response.status_code == 302 and response["Location"] == SETUP + "?next=%2Fqueue%2F"
    response = desk.get(f"/reports/{report.pk}/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert "馬鹿野郎" not in desk.get(f"/reports/{report.pk}/", follow=True).content.decode()

    page = desk.get(SETUP + "?next=/queue/").content.decode()
    assert "Google Authenticator や Microsoft Authenticator など" in page
    assert "<svg" in page and 'class="otp-qr"' in page  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=users["desk"], confirmed=False)
    assert otp_services.key_in_groups(device).replace(" ", "") in page.replace(" ", "")
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert re.search(r'<label\s+for="id_code"[^>]*>\s*認証アプリの6桁のコード', page)

    response = desk.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111", "next": "/queue/"})
    assert response.status_code == 200 and WRONG_CODE in response.content.decode()
    assert desk.get("/queue/").status_code == 302

    response = desk.post(SETUP, {"code": code_for(device), "next": "/queue/"})
    assert response.status_code == 302 and response["Location"] == CODES
    page = desk.get(CODES).content.decode()
    codes = list(StaticToken.objects.filter(device__user=users["desk"]).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in page for code in codes)
    assert "保管しました" in page
    response = desk.post(CODES)
    assert response["Location"] == "/queue/"
    assert desk.get("/queue/").status_code == 200
    assert desk.get(CODES).status_code == 302  # shown once
    assert desk.get(f"/reports/{report.pk}/").status_code == 200


def test_the_next_sign_in_asks_for_the_code_and_refuses_a_wrong_one(users, required, clock):
    set_up(users["desk"], clock)
    client = Client()
    response = client.post("/accounts/login/", {"username": "desk", "password": "kasuhara-demo", "next": "/queue/"})
    assert response.status_code == 302
    response = client.get("/queue/")
    assert response.status_code == 302 and response["Location"] == VERIFY + "?next=%2Fqueue%2F"
    device = TOTPDevice.objects.get(user=users["desk"])

    response = client.post(VERIFY, {"code": "12345", "next": "/queue/"})
    assert response.status_code == 200 and WRONG_CODE in response.content.decode()
    assert client.get("/queue/").status_code == 302

    response = client.post(VERIFY, {"code": code_for(device, clock.steps), "next": "/queue/"})
    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200


def test_a_code_one_step_late_or_early_is_accepted_two_steps_is_not(users, required, clock):
    set_up(users["staff"], clock)
    device = TOTPDevice.objects.get(user=users["staff"])
    client = signed_in(users["staff"])
    assert WRONG_CODE in client.post(VERIFY, {"code": code_for(device, clock.steps - 2)}).content.decode()
    assert client.post(VERIFY, {"code": code_for(device, clock.steps - 1)}).status_code == 302  # phone slow

    set_up(users["staff2"], clock)
    device = TOTPDevice.objects.get(user=users["staff2"])
    client = signed_in(users["staff2"])
    assert WRONG_CODE in client.post(VERIFY, {"code": code_for(device, clock.steps + 2)}).content.decode()
    assert client.post(VERIFY, {"code": code_for(device, clock.steps + 1)}).status_code == 302  # phone fast


def test_a_recovery_code_works_once(users, required, clock):
    codes = set_up(users["desk"], clock)
    client = signed_in(users["desk"])
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/queue/"})
    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert "残りは 9 個" in client.get("/queue/").content.decode()

    again = signed_in(users["desk"])
    response = again.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "すでに使われています" in response.content.decode()
    assert again.get("/queue/").status_code == 302
    assert again.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_wrong_codes_in_a_row_are_slowed_down(users, required, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    set_up(users["desk"], clock)
    device = TOTPDevice.objects.get(user=users["desk"])
    client = signed_in(users["desk"])
    client.post(VERIFY, {"code": "000000" if code_for(device, clock.steps) != "000000" else "111111"})
    response = client.post(VERIFY, {"code": code_for(device, clock.steps)})  # right, but too soon
    assert response.status_code == 200 and "しばらく受け付けません" in response.content.decode()
    assert client.get("/queue/").status_code == 302


def test_staff_is_not_forced_but_may_turn_it_on_and_off(users, required, clock):
    client = signed_in(users["staff"])
    assert client.get("/reports/").status_code == 200
    page = client.get(SECURITY).content.decode()
    assert "設定していません" in page and "設定が必要" not in page

    set_up(users["staff"], clock)
    device = TOTPDevice.objects.get(user=users["staff"])
    client = signed_in(users["staff"])
    assert client.get("/reports/").status_code == 302  # set up: asked like everyone who has one
    client.post(VERIFY, {"code": code_for(device, clock.steps)})
    assert "設定済み" in client.get(SECURITY).content.decode()
    clock.steps += 1
    response = client.post("/accounts/security/remove/", {"code": code_for(device, clock.steps)})
    assert response.status_code == 302
    assert not otp_services.has_second_factor(users["staff"])
    assert signed_in(users["staff"]).get("/reports/").status_code == 200


def test_a_role_that_requires_it_cannot_remove_it(users, required, clock):
    set_up(users["desk"], clock)
    device = TOTPDevice.objects.get(user=users["desk"])
    client = signed_in(users["desk"])
    client.post(VERIFY, {"code": code_for(device, clock.steps)})
    assert "解除できません" in client.get(SECURITY).content.decode()
    clock.steps += 1
    client.post("/accounts/security/remove/", {"code": code_for(device, clock.steps)})
    assert otp_services.has_second_factor(users["desk"])


def test_new_recovery_codes_replace_the_old_ones(users, required, clock):
    old = set_up(users["desk"], clock)
    device = TOTPDevice.objects.get(user=users["desk"])
    client = signed_in(users["desk"])
    client.post(VERIFY, {"code": code_for(device, clock.steps)})
    response = client.post("/accounts/security/recovery-codes/", {"code": "12345"})
    assert response.status_code == 400 and WRONG_CODE in response.content.decode()
    clock.steps += 1
    response = client.post("/accounts/security/recovery-codes/", {"code": code_for(device, clock.steps)})
    assert response["Location"] == CODES
    new = list(StaticToken.objects.filter(device__user=users["desk"]).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in client.get(CODES).content.decode() for code in new)


def test_admin_reaches_the_admin_only_verified(users, required, clock):
    admin = signed_in(users["admin"])
    response = admin.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    set_up(users["admin"], clock)
    admin = signed_in(users["admin"])
    response = admin.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=users["admin"])
    admin.post(VERIFY, {"code": code_for(device, clock.steps)})
    assert admin.get("/admin/").status_code == 200


def test_the_admin_resets_a_lost_phone_and_the_history_says_who(users, required, clock):
    set_up(users["admin"], clock)
    set_up(users["desk"], clock)
    admin = signed_in(users["admin"])
    admin.post(VERIFY, {"code": code_for(TOTPDevice.objects.get(user=users["admin"]), clock.steps)})
    listing = admin.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert admin.get(f"/admin/otp_totp/totpdevice/{TOTPDevice.objects.get(user=users['desk']).pk}/change/").content.decode().count(
        TOTPDevice.objects.get(user=users["desk"]).key) == 0  # the key is never shown
    desk_device = TOTPDevice.objects.get(user=users["desk"])
    response = admin.post("/admin/otp_totp/totpdevice/", {"action": "reset", "_selected_action": [desk_device.pk]})
    assert response.status_code == 302
    assert not otp_services.has_second_factor(users["desk"])
    assert not StaticToken.objects.filter(device__user=users["desk"]).exists()
    entry = LogEntry.objects.filter(object_id=str(users["desk"].pk)).latest("action_time")
    assert entry.user == users["admin"] and "リセット" in entry.get_change_message()
    # …and in the product's audit trail, which the 監査 role reads.
    from signin.models import SigninEvent

    event = SigninEvent.objects.filter(user=users["desk"], action=SigninEvent.Action.SECOND_FACTOR).latest("at")
    assert event.actor == users["admin"] and "リセット" in event.detail["change"]
    response = signed_in(users["desk"]).get("/queue/")
    assert response["Location"].startswith(SETUP)


def test_json_polls_get_a_json_answer_not_a_redirect(users, required):
    desk = signed_in(users["desk"])
    for path in ("/inbox/count/", "/help/active/"):
        response = desk.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 401, path
        assert response.json()["error"] == "second_factor"


def test_the_sign_out_and_open_pages_stay_open(users, required):
    desk = signed_in(users["desk"])
    assert desk.get("/accessibility/").status_code == 200
    assert desk.get("/healthz").status_code in (200, 503)
    assert desk.post("/accounts/logout/").status_code == 302
    assert desk.get("/queue/")["Location"].startswith("/accounts/login/")


def test_who_must_have_it(users, required):
    must = {name for name, user in users.items() if otp_services.second_factor_required(user)}
    everyone = set(users)
    assert everyone - must == {"staff", "staff2"}  # only those who read nobody else's reports (or the audit trail)
    assert {"admin", "desk", "chief", "director", "chair", "member", "gadir", "nurse"} <= must


def test_off_in_the_demo_and_the_tests_unless_turned_on(users, settings):
    assert settings.KASUHARA_REQUIRE_2FA is False
    assert signed_in(users["desk"]).get("/queue/").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_setup_by_keyboard_in_a_browser(page_factory, live_server, users, settings):
    """Debian's Chromium: ``desk`` signs in through the form, lands on the setup, reaches the code
    field with Tab (its focus ring visible), types the app's code, keeps the recovery codes with
    「保管しました」 and is at home; no request leaves 127.0.0.1 and no page answers 5xx."""
    from tests.e2e.test_accessibility import FOCUS_RING

    settings.KASUHARA_REQUIRE_2FA = True
    failures: list[str] = []
    page = page_factory(reduced_motion="reduce")
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "kasuhara-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{SETUP}")
    assert page.locator("svg.otp-qr").is_visible()
    page.goto(f"{live_server.url}/queue/")
    page.wait_for_url(re.compile(re.escape(SETUP)))  # nothing else opens

    for _press in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_code":
            break
    else:
        raise AssertionError("the code field was not reached with Tab")
    assert page.evaluate(FOCUS_RING)["ringContrast"] >= 3, "no visible focus on the code field"
    device = TOTPDevice.objects.get(user=users["desk"], confirmed=False)
    page.keyboard.type(code_for(device))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{CODES}")
    shown = page.locator("#otp-codes li").all_inner_texts()
    assert len(shown) == 10
    assert set(shown) == set(StaticToken.objects.filter(device__user=users["desk"]).values_list("token", flat=True))
    page.get_by_role("button", name="保管しました").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/queue/$"))
    assert page.get_by_role("status").filter(has_text="二要素認証の設定が終わりました").count() == 1
    assert failures == [] and page.outside_requests == []
