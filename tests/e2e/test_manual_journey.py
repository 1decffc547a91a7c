"""The manual in a real browser (Debian's Chromium through Playwright), as issue 3 tells it:
``staff`` opens the manual, searches a word and opens a result, opens 暴言型's incident view,
ticks two steps (still ticked after a reload), copies a phrase with one tap, starts the timer and
sees the 30-minute mark; ``admin`` edits a phrase in the Django admin and publishes a new edition;
``staff`` reloads and sees the new phrase. No request leaves 127.0.0.1.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from manual.models import ManualEdition, ResponseStep
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PHRASE = "「大きな声を出すのはおやめください。落ち着いてお話しいただけない場合は対応を終了します。」"


def test_staff_uses_the_manual_during_an_incident_and_sees_what_the_admin_publishes(page_factory, live_server, users):
    step = ResponseStep.objects.get(harassment_type__code="verbal_abuse", number=1)
    original_phrase = step.phrases.get().text
    step_ids = list(ResponseStep.objects.filter(harassment_type__code="verbal_abuse").values_list("pk", flat=True))

    page = page_factory(permissions=["clipboard-read", "clipboard-write"])
    page.clock.install()  # before any page loads, so the timer runs on the fake clock
    login(page, live_server, "staff")

    # The manual, from the menu.
    page.get_by_role("link", name="対応マニュアル").first.click()
    page.wait_for_url(f"{live_server.url}/manual/")
    expect(page.locator(".type-card")).to_have_count(10)

    # Search a word and open a result.
    page.get_by_role("searchbox", name="マニュアルを検索").fill("録音")
    page.get_by_role("button", name="検索").click()
    page.wait_for_url(re.compile(r".*/manual/search/\?q="))
    expect(page.get_by_role("heading", level=1)).to_contain_text("「録音」の検索結果")
    result = page.locator("#search-results a[href^='/manual/types/verbal_abuse/#phrase-']").first
    expect(result).to_have_text("暴言型 2")
    result.click()
    page.wait_for_url(re.compile(r".*/manual/types/verbal_abuse/#phrase-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("（3）暴言型")
    expect(page.locator(":target")).to_contain_text("この後の発言は証拠として録音させていただきます。")

    # The incident view: tick two steps; they show as done and survive a reload.
    page.get_by_role("link", name="いま対応中（大きな文字で表示）").click()
    page.wait_for_url(f"{live_server.url}/manual/types/verbal_abuse/live/")
    checks = page.locator(".step-check")
    expect(checks).to_have_count(len(step_ids))
    checks.nth(0).check()
    checks.nth(1).check()
    expect(page.locator(".step.done")).to_have_count(2)
    expect(page.locator(f"#step-{step_ids[0]}")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator(f"#step-{step_ids[1]}")).to_have_class(re.compile(r"\bdone\b"))
    page.reload()
    expect(checks.nth(0)).to_be_checked()
    expect(checks.nth(1)).to_be_checked()
    expect(checks.nth(2)).not_to_be_checked()
    expect(page.locator(".step.done")).to_have_count(2)

    # Copy a phrase with one tap.
    phrase = page.locator(f"#step-{step_ids[0]} .phrase").first
    phrase.get_by_role("button", name="この例文をコピー").click()
    expect(page.locator("#copy-status")).to_have_text(f"コピーしました：{original_phrase}")
    assert page.evaluate("navigator.clipboard.readText()") == original_phrase

    # The timer from 「カスハラと判断」, and the 30-minute mark.
    expect(page.locator("#timer-note")).to_have_text("")
    page.get_by_role("button", name="カスハラと判断（時間を計る）").click()
    expect(page.locator("#timer-note")).to_have_text("計測中")
    page.clock.fast_forward("29:00")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^29:0\d$"))
    expect(page.locator("#timer-note")).to_have_text("計測中")
    page.clock.fast_forward("01:00")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^30:0\d$"))
    expect(page.locator("#timer")).to_have_class(re.compile(r"\bover\b"))
    expect(page.locator("#timer-note")).to_have_text("30分が経過しました。対応の打ち切りを検討してください。")

    # The admin edits the phrase in the Django admin and publishes a new edition.
    admin = page_factory()
    login(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/admin/manual/harassmenttype/")
    admin.get_by_role("link", name="暴言型", exact=True).click()
    admin.get_by_role("link", name="例文を編集（1件）").first.click()
    admin.wait_for_url(f"{live_server.url}/admin/manual/responsestep/{step.pk}/change/")
    phrase_field = admin.locator("textarea[name='phrases-0-text']")
    expect(phrase_field).to_have_value(original_phrase)
    phrase_field.fill(NEW_PHRASE)
    admin.locator("input[name='_save']").click()
    expect(admin.get_by_text("変更は下書きとして保存されました。")).to_be_visible()

    # Saved is not published: staff still read the old phrase.
    page.reload()
    expect(page.locator(f"#step-{step_ids[0]} .phrase-text").first).to_have_text(original_phrase)

    admin.goto(f"{live_server.url}/admin/manual/manualedition/")
    expect(admin.get_by_text("公開されていない変更があります。")).to_be_visible()
    admin.goto(f"{live_server.url}/admin/manual/manualedition/add/")
    admin.fill("#id_note", "暴言型 ① の例文を修正")
    admin.locator("input[name='_save']").click()
    admin.wait_for_url(f"{live_server.url}/admin/manual/manualedition/")
    expect(admin.get_by_text("暴言型 ① の例文を修正")).to_be_visible()
    assert ManualEdition.objects.count() == 2

    # Staff reload and see the new phrase, and can copy it.
    page.reload()
    new_phrase = page.locator(f"#step-{step_ids[0]} .phrase").first
    expect(new_phrase.locator(".phrase-text")).to_have_text(NEW_PHRASE)
    expect(page.get_by_text(original_phrase)).to_have_count(0)
    expect(checks.nth(0)).to_be_checked()
    new_phrase.get_by_role("button", name="この例文をコピー").click()
    expect(page.locator("#copy-status")).to_have_text(f"コピーしました：{NEW_PHRASE}")
    assert page.evaluate("navigator.clipboard.readText()") == NEW_PHRASE

    assert page.outside_requests == []
