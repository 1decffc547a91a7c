"""The case page's history (issue 8, item 10): every read stays in the audit trail, but the page
shows the changes, with the reads folded into a count and listed on demand (``?history=all``)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.lifecycle import Status
from incidents.models import EventAction, ReportEvent
from tests.incidents.html import Page

CONFIRM = {"judgement": "applicable", "difficulty": "hard", "comment": "対応に苦慮"}


def entries(response) -> list[str]:
    """The action of each row of the history, in the order shown."""
    return [item.find("strong").text for item in Page(response.content).by_id("history").find_all("li")]


def test_the_history_shows_the_changes_in_order_and_counts_the_reads(client_as, users, make_report, make_attachment):
    report = make_report(users["staff"], status=Status.DRAFT)
    evidence = make_attachment(uploader=users["staff"], report=report)
    services.record_event(report=report, actor=users["staff"], action=EventAction.CREATED, to_status=Status.DRAFT)
    staff, chief = client_as("staff"), client_as("chief")
    staff.get(f"/reports/{report.pk}/")
    services.transition(report=report, name="submit", actor=users["staff"])
    for _ in range(3):
        chief.get(f"/reports/{report.pk}/")
    chief.get(f"/reports/{report.pk}/print/")
    chief.get(f"/reports/evidence/{evidence.pk}/")
    services.transition(report=report, name="confirm", actor=users["chief"], inputs=CONFIRM)

    folded = staff.get(f"/reports/{report.pk}/")
    unfolded = staff.get(f"/reports/{report.pk}/?history=all")

    # By default: the changes only, in order, and how many reads are folded (this one included).
    assert entries(folded) == ["作成", "提出", "所属長の確認"]
    reads = Page(folded.content).by_id("history-reads")
    assert "閲覧 7 件は折りたたんでいます（閲覧 5・印刷用表示 1・資料の閲覧 1）" in reads.text
    assert ("?history=all#history-heading", "閲覧も含めてすべて表示する") in Page(folded.content).links()
    # On demand: every event, in the order it happened.
    assert entries(unfolded) == ["作成", "閲覧", "提出", "閲覧", "閲覧", "閲覧", "印刷用表示", "資料の閲覧",
                                 "所属長の確認", "閲覧", "閲覧"]
    assert "閲覧 8 件も含めて、すべて表示しています" in Page(unfolded.content).by_id("history-reads").text
    assert (f"/reports/{report.pk}/#history-heading", "変更だけを表示する") in Page(unfolded.content).links()
    # Every view is still recorded, whatever the page shows.
    assert ReportEvent.objects.filter(report=report, action=EventAction.VIEWED).count() == 6


def test_the_reporter_reads_the_same_folded_history_without_the_desks_internal_work(client_as, users, make_report):
    report = make_report(users["staff"], status=Status.ACCEPTED)
    services.add_note(report=report, actor=users["desk"], body="メモ")
    client_as("desk").get(f"/reports/{report.pk}/")

    for url in (f"/reports/{report.pk}/", f"/reports/{report.pk}/?history=all"):
        shown = entries(client_as("staff").get(url))
        assert "内部メモ" not in shown, url
    assert entries(client_as("desk").get(f"/reports/{report.pk}/")) == ["内部メモ"]


def test_a_report_read_many_times_costs_no_more_queries_to_open(client_as, users, make_report):
    report = make_report(users["staff"])
    desk = client_as("desk")

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(url).status_code == 200
        return len(captured)

    few = {url: cost(url) for url in (f"/reports/{report.pk}/", f"/reports/{report.pk}/?history=all")}
    for _ in range(30):
        services.record_view(report=report, actor=users["chief"], ip_address="192.0.2.7")
    many = {url: cost(url) for url in few}

    assert many == few
    assert "閲覧 35 件" in Page(desk.get(f"/reports/{report.pk}/").content).by_id("history-reads").text
