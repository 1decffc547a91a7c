"""The journey of a case after 提出, in a real browser (Debian's Chromium through Playwright): a
staff member files a report; the 所属長 records the judgement; the 部長 raises it to 特に困難; the
相談窓口 finds it in the queue by a word of its 言動, accepts it, links the 相手方 already on record
(the repeat shows), writes an internal note and refers it to the committee. The reporter and the
所属長 never see the note; the reporter reads the state in plain words. No request leaves 127.0.0.1
and no page answers 5xx.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.lifecycle import PLAIN, Status
from incidents.models import Channel, Difficulty, IncidentReport, Judgement
from tests.helpers import login, submit_report_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNTERPART_NAME = "山田 太郎"
COUNTERPART_PHONE = "090-1234-5678"
WORD = "土下座"
NOTE = "前回も同じ要求あり。録音の提出を課に依頼する（内部メモ）"
REFER_REASON = "同一の相手方から繰り返しの要求があり、組織としての対応方針が必要なため。"



def earlier_report_with_counterpart(users, types):
    """An earlier submitted report by ``staff`` about the same 相手方, already linked by the 相談窓口."""
    from counterparts import services
    from counterparts.models import Counterpart

    staff = users["staff"]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=40)
    report = IncidentReport.objects.create(
        reporter=staff, section=staff.section, status=Status.SUBMITTED,
        title="電話で同じ要求を繰り返された", occurred_start=start, occurred_end=start + timedelta(minutes=30),
        channel=Channel.PHONE, staff_count=1, counterpart_count=1,
        counterpart_name=COUNTERPART_NAME, counterpart_contact=f"TEL {COUNTERPART_PHONE}",
        demand="手数料の免除", conduct="「何度でも電話する」と言い、同じ要求を30分繰り返した。",
        ground_inappropriate_means=True, submitted_at=start + timedelta(hours=1),
    )
    report.staff_members.set([staff])
    report.harassment_types.set([types["repeat"]])
    counterpart = Counterpart.objects.create(created_by=users["desk"], name=COUNTERPART_NAME, phone=COUNTERPART_PHONE)
    services.link_report(actor=users["desk"], counterpart=counterpart, report=report, ip_address=None)
    return report, counterpart


def watched(page_factory, failures: list):
    """``page_factory`` whose pages also note every response of 500 or more."""

    def new_page():
        page = page_factory(viewport={"width": 1366, "height": 900})
        page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        return page

    return new_page


def submit(page, form_selector: str) -> None:
    """Press the form's button and wait for the case page it redirects to."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").click()
    page.wait_for_load_state()
    assert not page.locator(f"{form_selector} .alert-danger, {form_selector} .invalid-feedback").count(), (
        page.locator(f"{form_selector} .alert-danger, {form_selector} .invalid-feedback").all_inner_texts()
    )


def file_report(page, live_server) -> int:
    return submit_report_form(
        page, title="窓口で土下座を要求された", minutes=50, counterpart_name=COUNTERPART_NAME,
        counterpart_contact=f"電話 {COUNTERPART_PHONE}", demand="手数料を無料にしろ",
        conduct="「土下座しろ。できないなら毎日来る」と大声で繰り返した。", warning="大声をやめるよう警告した",
        actor_name="窓口 花子",
    )


def test_case_goes_from_report_to_committee_and_the_note_stays_with_the_desk(
    page_factory, live_server, users, types
):
    failures: list[str] = []
    new_page = watched(page_factory, failures)
    earlier, counterpart = earlier_report_with_counterpart(users, types)

    # 1. The reporter files and submits a complete report.
    staff = new_page()
    login(staff, live_server, "staff")
    pk = file_report(staff, live_server)
    case_url = f"{live_server.url}/reports/{pk}/"

    # 2. The 所属長 records the judgement.
    chief = new_page()
    login(chief, live_server, "chief")
    chief.goto(case_url)
    confirm = chief.locator("#move-confirm")
    confirm.get_by_label("カスハラに該当", exact=True).check()
    confirm.get_by_label("困難", exact=True).check()
    confirm.get_by_label("コメント（報告者には表示されません）").fill("相手方の要求は社会通念上相当でない。")
    submit(chief, "#move-confirm")
    assert "「所属長の確認」を記録しました。" in chief.content()
    report = IncidentReport.objects.get(pk=pk)
    assert (report.status, report.chief_judgement, report.difficulty) == (
        Status.CONFIRMED, Judgement.APPLICABLE, Difficulty.HARD
    )

    # 3. The 部長 raises it to 特に困難.
    director = new_page()
    login(director, live_server, "director")
    director.goto(case_url)
    director.locator("#change-escalate input[type=checkbox]").check()
    submit(director, "#change-escalate")
    assert "特に困難" in director.locator("#case-summary").inner_text()
    report.refresh_from_db()
    assert report.difficulty == Difficulty.VERY_HARD and report.cross_review

    # 4. The 相談窓口 finds it in the queue by a word of its 言動 and opens it.
    desk = new_page()
    login(desk, live_server, "desk")
    desk.goto(f"{live_server.url}/queue/")
    desk.get_by_label("キーワード").fill(WORD)
    with desk.expect_navigation():
        desk.get_by_role("button", name="絞り込む").click()
    assert "q=" in desk.url
    rows = desk.locator("table.queue-table tbody tr")
    assert rows.count() == 1, rows.all_inner_texts()
    row = rows.filter(has_text="窓口で土下座を要求された")
    assert "特に困難" in row.inner_text()
    row.get_by_role("link", name="窓口で土下座を要求された").click()
    desk.wait_for_url(case_url)

    # Accepts it, leaving 担当者 as 自分が担当する.
    accept = desk.locator("#move-accept")
    assert accept.get_by_label("担当者").locator("option:checked").inner_text() == "自分が担当する"
    submit(desk, "#move-accept")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED and report.handler == users["desk"]
    # Names herself as 担当者 explicitly, too.
    if desk.locator("#change-assign").count():
        desk.locator("#change-assign").get_by_label("担当者").select_option(label=str(users["desk"]))
        submit(desk, "#change-assign")
        report.refresh_from_db()
        assert report.handler == users["desk"]

    # Links the 相手方 already on record, from the panel.
    desk.locator("#counterparts-panel").get_by_role("link", name="相手方を紐付ける").click()
    desk.wait_for_url(f"**/counterparts/link/{pk}/")
    suggestion = desk.locator(f"#suggestions tr[data-counterpart='{counterpart.pk}']")
    assert "電話番号" in suggestion.inner_text()
    with desk.expect_navigation():
        suggestion.get_by_role("button", name="この相手方に紐付け").click()
    desk.wait_for_url(f"**/counterparts/{counterpart.pk}/")
    assert "直近12か月に2件" in desk.locator("#repeat").inner_text()
    assert "繰り返しあり" in desk.locator("#repeat").inner_text()
    linked = desk.locator("#linked-reports").inner_text()
    assert "窓口で土下座を要求された" in linked and earlier.title in linked

    # Back on the case: the panel shows the repeat; an internal note; referred to the committee.
    desk.goto(case_url)
    assert "直近12か月に2件" in desk.locator("#counterparts-panel").inner_text()
    desk.locator("#change-note").get_by_label("内部メモ（相談窓口だけが読めます）").fill(NOTE)
    submit(desk, "#change-note")
    assert NOTE in desk.locator("#internal-notes").inner_text()
    # The case page's move forms share field ids (every 理由 is ``id_reason``), so the label of
    # 委員会に付議's 理由 points at 差戻し's box: fill the refer form's own field by name instead.
    desk.locator("#move-refer textarea[name=reason]").fill(REFER_REASON)
    submit(desk, "#move-refer")
    report.refresh_from_db()
    assert report.status == Status.REFERRED
    assert "委員会付議" in desk.locator("h1").inner_text()

    # 5. Neither the reporter nor the 所属長 sees the note; the reporter reads the state plainly.
    for page in (staff, chief):
        page.goto(case_url)
        assert NOTE not in page.content()
        assert not page.locator("#internal-notes").count()
    assert str(PLAIN[Status.REFERRED][0]) == "対策委員会で検討することになりました。"
    assert "対策委員会で検討することになりました。" in staff.locator("#case-status").inner_text()
    assert not staff.locator("#counterparts-panel").count()

    # 6. Closed network and no server errors.
    assert staff.outside_requests == [], staff.outside_requests
    assert failures == [], failures
