"""お知らせ in a real browser (Debian's Chromium through Playwright), issue 10's journey: the 相談窓口
has a page open; a staff member, in another browser, submits a report through the real form; without
a reload the 相談窓口's お知らせ badge rises and a screen reader is told; the inbox lists the notice by
the case's number only (neither the counterpart's name nor the reporter's); opening it leads to the
case and lowers the count by one; 「すべて既読にする」 empties the unread list. The お知らせ link is
reached with Tab and shows its focus ring, at 1366 px and on a phone (where it stays outside the
collapsed menu). No request leaves 127.0.0.1 and no page answers 5xx.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from tests.e2e.test_accessibility import FOCUS_RING
from tests.helpers import login, submit_report_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTERPART_NAME = "山田 太郎"
TITLE = "窓口で大声で怒鳴られた"
#: How long the badge may take to follow the server (polled every second in this test).
WITHIN_MS = 5_000



def earlier_submitted_report(users, types) -> IncidentReport:
    """A report ``staff`` submitted earlier (through the lifecycle service, so the 相談窓口 already
    has one unread notice: the count then visibly goes 1 → 2 → 1)."""
    staff = users["staff"]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1)
    report = IncidentReport.objects.create(
        reporter=staff, section=staff.section, status=Status.DRAFT,
        title="電話で同じ要求を繰り返された", occurred_start=start, occurred_end=start + timedelta(minutes=30),
        channel=Channel.PHONE, staff_count=1, counterpart_count=1,
        demand="手数料の免除", conduct="「何度でも電話する」と言い、同じ要求を30分繰り返した。",
        ground_inappropriate_means=True,
    )
    report.staff_members.set([staff])
    report.harassment_types.set([types["repeat"]])
    return services.transition(report=report, name="submit", actor=staff)


def badge(page) -> int:
    """The count the header's badge shows; 0 when the badge is hidden."""
    return page.evaluate("""() => {
        const badge = document.getElementById('inbox-badge');
        return badge.hidden ? 0 : parseInt(badge.firstChild.nodeValue, 10);
    }""")


def tab_to_inbox_link(page, limit: int) -> int:
    """Tab from the top of the page until the お知らせ link has the focus; how many presses it took."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "inbox-link":
            return presses
    raise AssertionError(f"お知らせ not reached in {limit} presses of Tab")


def file_report(page) -> int:
    """The shortest complete report through the real form (a 暴言型 case: not urgent), with the
    counterpart's name filled in, so the inbox can be seen not to show it."""
    return submit_report_form(
        page, title=TITLE, minutes=20, counterpart_name=COUNTERPART_NAME, demand="手続きを今すぐ終わらせろ",
        conduct="「早くしろ、馬鹿野郎」と大声で繰り返した。", warning="大声をやめるよう伝えた",
    )


def test_desk_sees_the_count_rise_when_staff_submits_then_opens_the_notice_and_lands_on_the_case(
    page_factory, live_server, users, types, settings
):
    settings.KASUHARA_INBOX_POLL_SECONDS = 1
    failures: list[str] = []

    def new_page(**options):
        page = page_factory(reduced_motion="reduce", **options)
        page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        return page

    earlier_submitted_report(users, types)

    # The 相談窓口 has the queue open: one unread notice (the earlier report).
    desk = new_page(viewport={"width": 1366, "height": 900})
    login(desk, live_server, "desk")
    desk.goto(f"{live_server.url}/queue/")
    assert badge(desk) == 1
    inbox_link = desk.locator("#inbox-link")
    assert re.fullmatch(r"お知らせ\s*1\s*件の未読", inbox_link.text_content().strip()), inbox_link.text_content()

    # The お知らせ link is reached with Tab and shows a ring that stands out from the bar (3:1).
    tab_to_inbox_link(desk, limit=25)
    ring = desk.evaluate(FOCUS_RING)
    assert ring["inNav"] and ring["ringContrast"] >= 3, ring
    desk.evaluate("document.activeElement.blur()")
    desk.evaluate("window.__notReloaded = true")  # gone if the page were loaded again

    # 2. The staff member, in a browser of their own, submits a report through the form.
    staff = new_page(viewport={"width": 1366, "height": 900})
    login(staff, live_server, "staff")
    pk = file_report(staff)

    # 3. Without a reload, the 相談窓口's badge rises and a screen reader hears of it.
    desk.wait_for_function("() => document.getElementById('inbox-badge').firstChild.nodeValue === '2'",
                           timeout=WITHIN_MS)
    assert badge(desk) == 2
    assert desk.evaluate("window.__notReloaded === true"), "the page was reloaded"
    assert desk.url == f"{live_server.url}/queue/"
    announced = desk.locator("#inbox-announce")
    assert announced.get_attribute("role") == "status"
    assert "新しいお知らせが届きました" in announced.text_content()
    assert "2 件" in announced.text_content()

    # 4. The inbox lists the notice by the case's number, without the counterpart or the reporter.
    inbox_link.click()
    desk.wait_for_url(f"{live_server.url}/inbox/")
    notices = desk.locator("#notices")
    entry = notices.locator("li", has_text=f"No.{pk}）")
    assert entry.count() == 1, notices.inner_text()
    assert "発生連絡票が提出されました" in entry.inner_text()
    assert "未読" in entry.inner_text()
    listed = desk.locator("main").inner_text()
    assert COUNTERPART_NAME not in listed and COUNTERPART_NAME.replace(" ", "") not in listed
    assert str(users["staff"]) not in listed and users["staff"].display_name not in listed

    # 5. Opening it leads to the case; the count is one less.
    entry.get_by_role("link", name=re.compile(f"No.{pk}）")).click()
    desk.wait_for_url(f"{live_server.url}/reports/{pk}/")
    assert f"No.{pk}" in desk.locator("h1").inner_text() and TITLE in desk.locator("main").inner_text()
    assert badge(desk) == 1

    # 6. 「すべて既読にする」 on the unread list empties it, and the badge goes.
    desk.goto(f"{live_server.url}/inbox/?unread=1")
    unread = desk.locator("#notices li")
    assert unread.count() == 1 and f"No.{pk}）" not in unread.inner_text()
    with desk.expect_navigation():
        desk.get_by_role("button", name="すべて既読にする").click()
    assert desk.url == f"{live_server.url}/inbox/?unread=1"  # back on the list it was pressed on
    assert "1 件のお知らせを既読にしました。" in desk.locator("main").inner_text()
    assert desk.locator("#notices").count() == 0
    assert "未読のお知らせはありません。" in desk.locator("main").inner_text()
    assert badge(desk) == 0
    assert desk.locator("#inbox-badge").is_hidden()
    # …and both notices are still in the whole list, read.
    desk.goto(f"{live_server.url}/inbox/")
    assert desk.locator("#notices li").count() == 2
    assert desk.locator("#notices .notice-unread").count() == 0

    # 7. On a phone the link is outside the collapsed menu: seen, and the first stop after the name.
    desk.set_viewport_size({"width": 390, "height": 844})
    desk.goto(f"{live_server.url}/queue/")
    assert desk.locator("#inbox-link").is_visible() and not desk.locator("#nav").is_visible()
    assert tab_to_inbox_link(desk, limit=3) == 3  # 本文へ移動, the product's name, お知らせ
    ring = desk.evaluate(FOCUS_RING)
    assert ring["inNav"] and ring["ringContrast"] >= 3, ring
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    assert staff.outside_requests == [], staff.outside_requests
    assert failures == [], failures
