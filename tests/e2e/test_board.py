"""庁内共有 in a real browser (Debian's Chromium through Playwright): the 相談窓口 opens a decided
case, starts the board entry from the case page, types the counterpart's phone number back in
full-width digits, is shown the match marked and refused publishing; removes it, ticks
「確認しました」 and publishes (the case becomes 庁内共有済み). ``staff2`` (another 課) finds the entry
on the board by its 態様, reads it with a link to the manual, and sees no personal data and no way
into the case. No request leaves 127.0.0.1 and no page answers 5xx."""

from __future__ import annotations

import pytest
from django.utils import timezone

from committee.models import AgendaItem, AgendaState, BoardEntry, Decision, Judged, Meeting
from counterparts.models import Counterpart, CounterpartLink
from incidents.lifecycle import Status
from incidents.models import IncidentReport
from tests.helpers import login
from tests.incidents.conftest import make_report  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_desk_publishes_a_clean_summary_and_staff2_reads_it(page_factory, live_server, users, make_report):  # noqa: F811
    report = make_report(users["staff"], status=Status.DECIDED, type_codes=("long_detention",),
                         title="山田太郎氏の長電話", counterpart_name="山田 太郎",
                         counterpart_contact="市内本町1-2-3 TEL 090-1234-5678",
                         conduct="山田太郎と名乗り「窓口 花子を出せ」と2時間怒鳴り続けた。")
    counterpart = Counterpart.objects.create(created_by=users["desk"], name="山田 太郎", phone="090-1234-5678")
    CounterpartLink.objects.create(counterpart=counterpart, report=report, linked_by=users["desk"])
    item = AgendaItem.objects.create(meeting=Meeting.objects.create(starts_at=timezone.now(), created_by=users["desk"]),
                                     report=report, added_by=users["desk"], state=AgendaState.DECIDED)
    Decision.objects.create(item=item, report=report, judged=Judged.YES, policy="電話の対応を一本化する。",
                            created_by=users["chair"], finalised_at=timezone.now(), finalised_by=users["chair"])
    failures: list[str] = []

    desk = page_factory(viewport={"width": 1366, "height": 900})
    desk.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    login(desk, live_server, "desk")
    desk.goto(f"{live_server.url}/reports/{report.pk}/")
    desk.click("#board-draft-link")
    what = desk.get_by_label("何が起きたか")
    assert "相手方と名乗り「職員Aを出せ」" in what.input_value()
    assert "山田" not in desk.get_by_label("見出し").input_value()
    what.fill(what.input_value() + "折り返し先は０９０－１２３４－５６７８。")
    desk.get_by_role("button", name="下書きを保存する").click()
    flag = desk.locator("#board-flags tr.board-flag")
    assert flag.count() == 1 and "電話番号" in flag.inner_text()
    assert desk.locator("#board-flags mark").inner_text() == "０９０－１２３４－５６７８"

    desk.get_by_label("確認しました", exact=False).check()
    desk.get_by_role("button", name="保存して公開する").click()
    assert "公開できません" in desk.locator("#board-errors").inner_text()
    assert IncidentReport.objects.get(pk=report.pk).status == Status.DECIDED

    what = desk.get_by_label("何が起きたか")
    what.fill(what.input_value().replace("折り返し先は０９０－１２３４－５６７８。", ""))
    desk.get_by_label("確認しました", exact=False).check()
    desk.get_by_role("button", name="保存して公開する").click()
    desk.wait_for_url(f"{live_server.url}/board/*/")
    assert IncidentReport.objects.get(pk=report.pk).status == Status.SHARED
    entry = BoardEntry.objects.get(report=report)

    reader = page_factory(viewport={"width": 390, "height": 844})
    reader.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    login(reader, live_server, "staff2")
    reader.goto(f"{live_server.url}/board/")
    reader.get_by_label("態様").select_option(label="長時間拘束型")
    reader.get_by_role("button", name="検索").click()
    reader.get_by_role("link", name=entry.title).click()
    body = reader.locator("main").inner_text() if reader.locator("main").count() else reader.inner_text("body")
    for detail in ("山田", "090", "０９０", "本町", "窓口 花子", "窓口花子", f"No.{report.pk}", "事案を開く"):
        assert detail not in body, detail
    assert reader.locator(f'a[href="/reports/{report.pk}/"]').count() == 0
    reader.get_by_role("link", name="長時間拘束型").click()
    reader.wait_for_url(f"{live_server.url}/manual/types/long_detention/")
    assert not failures and not desk.outside_requests
