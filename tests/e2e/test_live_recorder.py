"""The live recorder (対応中の記録, issue 11) in a real browser (Debian's Chromium through Playwright),
on a phone-sized screen: taps survive a reload, an offline period and a closed tab and are sent
once the network is back; a step whose answer was lost is sent again and stored once; a sync whose
answer never comes is given up after ``KASUHARA_LIVE_SYNC_TIMEOUT_MS``, so later taps are not stuck
behind it; and the issue's journey — ``staff`` records an incident in 暴言型's live view, turns it
into a report, completes and submits it, and ``chief`` reads the 経過 in the report."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.lifecycle import Status
from incidents.models import IncidentReport, LiveAction, LiveEvent, LiveRecord, LiveStep
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LIVE = "/manual/types/verbal_abuse/live/"


def eventually(page, condition, *, seconds: float = 10) -> None:
    """Wait until what the server stored satisfies ``condition`` (the browser sends in the background).

    It waits through ``page.wait_for_timeout``, not ``time.sleep``: Playwright's sync API runs the
    page's route handlers and event listeners only while the test is inside a Playwright call, so a
    request caught by ``page.route`` while the test slept would stay paused in the browser until
    the wait gave up."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the server did not get there in time")
        page.wait_for_timeout(100)


def tap(page, name: str) -> None:
    page.locator("#live-recorder").get_by_role("button", name=name, exact=True).click()


def step_rows(page):
    return page.locator("#live-steps li.live-step-row")


def open_live_view(page, live_server, username: str = "staff") -> None:
    login(page, live_server, username)
    page.goto(live_server.url + LIVE)
    expect(page.locator("#live-recorder")).to_be_visible()


def test_taps_survive_a_reload_an_offline_period_and_a_closed_tab(page_factory, live_server, users):
    page = page_factory(viewport=PHONE, has_touch=True)
    context = page.context
    outside = page.outside_requests
    # The page opened later in this context is watched too: nothing leaves 127.0.0.1.
    context.on("request", lambda request: request.url.startswith(("http://127.0.0.1", "http://localhost", "data:"))
               or outside.append(request.url))
    open_live_view(page, live_server)

    tap(page, "カスハラと判断")
    tap(page, "警告した")
    eventually(page, lambda: LiveStep.objects.count() == 2)
    expect(page.locator("#live-sync")).to_have_text("すべての記録をサーバーに保存しました。")

    # The network drops: the taps go on, are shown as waiting, and stay on the phone.
    context.set_offline(True)
    tap(page, "退去を求めた")
    tap(page, "退去を求めた")
    expect(page.locator("#live-sync")).to_contain_text("通信できません。記録はこの端末に保存しています（送信待ち 2 件）")
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(2)
    expect(page.locator("#live-counts")).to_contain_text("警告 1回・退去要求 2回・退去命令 0回")
    page.wait_for_timeout(500)
    assert LiveStep.objects.count() == 2

    # The tab is closed while still offline; the network comes back; the live view is opened again.
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(live_server.url + LIVE)
    expect(step_rows(page)).to_have_count(4)
    eventually(page, lambda: LiveStep.objects.count() == 4)
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(0)
    expect(page.locator("#live-sync")).to_have_text("すべての記録をサーバーに保存しました。")

    # A reload shows the same record, and it continues (by keyboard this time); the 30-minute timer
    # goes on from the カスハラと判断 tap instead of starting again at 00:00.
    page.reload()
    expect(step_rows(page)).to_have_count(4)
    expect(page.locator("#live-counts")).to_contain_text("退去要求 2回")
    judged_at = LiveStep.objects.get(kind="judged").at
    minutes, seconds = page.locator("#timer").inner_text().split(":")
    shown = int(minutes) * 60 + int(seconds)
    elapsed = (timezone.now() - judged_at).total_seconds()
    assert abs(shown - elapsed) <= 2, (shown, elapsed)
    timer = page.locator("#timer-start")
    expect(timer).to_have_text(timer.get_attribute("data-restart"))  # running, not waiting to be started
    page.locator("#live-recorder").get_by_role("button", name="警告した", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_contain_text("「警告した（2回目）」を記録しました")
    eventually(page, lambda: LiveStep.objects.count() == 5)
    assert LiveRecord.objects.count() == 1
    assert list(LiveStep.objects.order_by("at").values_list("kind", flat=True)) == [
        "judged", "warning", "exit_request", "exit_request", "warning"]

    # The last tap is undone, on the screen and on the server.
    page.locator("#live-undo").click()
    expect(page.locator("#live-counts")).to_contain_text("警告 1回")
    eventually(page, lambda: LiveStep.objects.filter(undone_at__isnull=False).count() == 1)
    assert LiveStep.objects.get(undone_at__isnull=False).kind == "warning"
    assert outside == [], outside


def test_a_step_whose_answer_was_lost_is_sent_again_and_stored_once(page_factory, live_server, users):
    page = page_factory(viewport=PHONE)
    lost = []

    def lose_the_answer(route):
        # The request reaches the server (which stores the step), but its answer never comes back.
        if b'"op"' in (route.request.post_data_buffer or b"") and not lost:
            route.fetch()
            lost.append(True)
            route.abort()
            return
        route.continue_()

    # Routed before the page opens, so interception is not switched on under a request in flight.
    page.route("**/reports/live/sync/", lose_the_answer)
    open_live_view(page, live_server)
    tap(page, "警告した")
    expect(page.locator("#live-sync")).to_contain_text("送信待ち 1 件")
    eventually(page, lambda: LiveStep.objects.count() == 1)
    # The server has the step, but the phone never heard so: it says so and keeps the step to send.
    expect(page.locator("#live-sync")).to_contain_text("通信できません。記録はこの端末に保存しています（送信待ち 1 件）")
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(1)

    page.evaluate("window.dispatchEvent(new Event('online'))")  # what a phone does when it is back

    expect(page.locator("#live-sync")).to_have_text("すべての記録をサーバーに保存しました。")
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(0)
    assert lost == [True]
    assert LiveStep.objects.count() == 1
    assert LiveEvent.objects.filter(action=LiveAction.STEP).count() == 1


def test_a_sync_whose_answer_never_comes_is_given_up_and_the_next_taps_still_go_through(
        page_factory, live_server, users, settings):
    settings.KASUHARA_LIVE_SYNC_TIMEOUT_MS = 1500  # 20 s by default
    page = page_factory(viewport=PHONE)
    held = []

    def never_answer(route):
        # The first step reaches the server (which stores it), but its answer is held for ever: a
        # connection that drops silently, with no error the page could see.
        if b'"op"' in (route.request.post_data_buffer or b"") and not held:
            held.append((route, route.fetch()))
            return
        route.continue_()

    page.route("**/reports/live/sync/", never_answer)
    open_live_view(page, live_server)
    tap(page, "警告した")
    expect(page.locator("#live-sync")).to_contain_text("送信待ち 1 件")
    eventually(page, lambda: len(held) == 1 and LiveStep.objects.count() == 1)
    # The page stops waiting, says so, and keeps the step to send again.
    expect(page.locator("#live-sync")).to_contain_text("通信できません。記録はこの端末に保存しています（送信待ち 1 件）")
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(1)

    # The next tap is not stuck behind the request that never ended: it goes, with the first step again.
    tap(page, "退去を求めた")
    expect(page.locator("#live-sync")).to_have_text("すべての記録をサーバーに保存しました。")
    expect(page.locator("#live-steps .badge", has_text="送信待ち")).to_have_count(0)
    eventually(page, lambda: LiveStep.objects.count() == 2)

    # The held answer comes after all, long after the page gave it up: it changes nothing.
    route, answer = held[0]
    route.fulfill(response=answer)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # what a phone does when it is back
    page.wait_for_timeout(500)
    expect(page.locator("#live-sync")).to_have_text("すべての記録をサーバーに保存しました。")
    expect(step_rows(page)).to_have_count(2)
    assert len(held) == 1
    assert list(LiveStep.objects.order_by("at").values_list("kind", flat=True)) == ["warning", "exit_request"]
    assert LiveEvent.objects.filter(action=LiveAction.STEP).count() == 2


def test_staff_records_an_incident_on_a_phone_and_files_it_and_chief_reads_the_steps(page_factory, live_server, users):
    page = page_factory(viewport=PHONE, has_touch=True)
    open_live_view(page, live_server)

    tap(page, "カスハラと判断")
    expect(page.locator("#timer-note")).to_have_text("計測中")  # the page's 30-minute timer runs
    for name in ("警告した", "警告した", "退去を求めた", "退去を求めた", "退去を求めた"):
        tap(page, name)
    expect(page.locator("#live-hint")).to_have_text("退去要求が3回になりました。退去しない場合は退去命令を検討してください。")
    tap(page, "警察に通報")
    expect(page.locator("#live-report")).to_be_hidden()  # 「連絡票にする」 comes with 終了
    tap(page, "終了")
    expect(page.locator("#live-counts")).to_contain_text("警告 2回・退去要求 3回・退去命令 0回")
    expect(page.locator("#live-counts")).to_contain_text("警察に通報")
    expect(step_rows(page)).to_have_count(8)
    # Once ended the buttons rest, and the focus moves to what comes next.
    expect(page.locator("#live-recorder").get_by_role("button", name="警告した", exact=True)).to_be_disabled()
    expect(page.locator("#live-report")).to_be_focused()
    box = page.locator("#live-report").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44

    page.locator("#live-report").click()
    page.wait_for_url("**/reports/*/edit/")
    report = IncidentReport.objects.get()
    assert report.status == Status.DRAFT
    expect(page.locator(".alert-success")).to_contain_text(f"連絡票の下書き（No.{report.pk}）を作りました")
    assert page.input_value("#id_warning_count") == "2"
    assert page.input_value("#id_exit_request_count") == "3"
    assert page.is_checked("#id_police_called")
    assert page.input_value("#id_timeline-5-description") == "退去を求めた（3回目）"
    assert page.get_by_label("3. 暴言型").is_checked()

    # The staff member completes what only they know and submits.
    page.fill("#id_title", "窓口で怒鳴られ、退去を求めた")
    page.select_option("#id_channel", "counter")
    page.fill("#id_counterpart_count", "1")
    page.fill("#id_demand", "手数料を無料にしろ")
    page.fill("#id_conduct", "「馬鹿野郎」と大声で怒鳴り、退去を3回求めても応じなかった。")
    page.get_by_label("要求を実現するための手段・態様が社会通念上不相当").check()
    page.get_by_role("button", name="提出する").click()
    page.wait_for_url(f"**/reports/{report.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("連絡票を提出しました")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert (report.warning_count, report.exit_request_count, report.police_called) == (2, 3, True)

    # Back in the live view the record is done: the recorder starts afresh, and the record is not
    # offered as one still to be made into a report.
    page.goto(live_server.url + LIVE)
    expect(page.locator("#live-steps")).to_have_text("まだ何も記録していません。")
    expect(page.locator("#live-counts")).to_have_text("警告 0回・退去要求 0回・退去命令 0回")
    expect(page.locator("#live-waiting")).to_be_hidden()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kasuhara.live.'))"
                         ".map(k => JSON.parse(localStorage.getItem(k)).steps.length)") == [0]

    # The 所属長 reads the 経過 in the report.
    chief = page_factory()
    login(chief, live_server, "chief")
    chief.goto(f"{live_server.url}/reports/{report.pk}/")
    steps = chief.locator("table", has=chief.locator("th", has_text="できごと")).locator("tbody tr")
    expect(steps).to_have_count(8)
    assert steps.all_inner_texts()[1].split("\t")[1:3] == ["警告", "警告した（1回目）"]
    assert [row.split("\t")[2] for row in steps.all_inner_texts()] == [
        "カスハラと判断した（対応時間の計測を開始）", "警告した（1回目）", "警告した（2回目）",
        "退去を求めた（1回目）", "退去を求めた（2回目）", "退去を求めた（3回目）", "警察に通報した", "対応を終了した"]
    expect(chief.locator("#history")).to_contain_text("対応中の記録から作成")
    assert page.outside_requests == [], page.outside_requests
