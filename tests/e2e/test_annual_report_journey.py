"""The annual report in a real browser (Debian's Chromium through Playwright): the 相談窓口 generates
令和7年度's report from the list, writes the 総評 and a table's comment, regenerates (the words stay),
finalises through the confirmation page, and downloads the XLSX, which opens with the page's
numbers; the print page shows the dates in 和暦. A 委員 then reads it without any form. No request
leaves 127.0.0.1."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from stats.models import AnnualReport, AnnualReportAction
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JST = ZoneInfo("Asia/Tokyo")


def _case(users, types, day: int) -> None:
    staff = users["staff"]
    start = datetime(2025, 6, day, 9, 0, tzinfo=JST)
    report = IncidentReport.objects.create(
        reporter=staff, section=staff.section, status=Status.SUBMITTED, title=f"電話で怒鳴られた（{day}日）",
        channel=Channel.PHONE, occurred_start=start, occurred_end=start + timedelta(minutes=30),
        submitted_at=start + timedelta(hours=2), demand="担当者を替えること", conduct="大声で怒鳴った。",
        staff_count=1, counterpart_count=1, ground_inappropriate_means=True,
    )
    report.staff_members.set([staff])
    report.harassment_types.set([types["verbal_abuse"]])


def _row(page, table_id: str, label: str) -> list[str]:
    row = page.locator(f"#{table_id} tbody tr", has=page.locator("th", has_text=label)).first
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_desk_generates_comments_finalises_and_exports_the_annual_report(page_factory, live_server, users, types):
    _case(users, types, 18)
    _case(users, types, 19)
    page = page_factory(accept_downloads=True)
    login(page, live_server, "desk")
    page.goto(f"{live_server.url}/stats/annual/")
    page.get_by_role("button", name="令和7年度の報告を作成する").click()
    page.wait_for_url("**/stats/annual/2025/")
    assert "カスハラ発生状況報告（令和7年度）を作成しました" in page.locator(".alert").first.inner_text()
    assert _row(page, "table-by_type", "暴言型")[:2] == ["2", "0"]
    assert page.locator("#fig-by_type svg[role=img]").count() == 1  # the chart beside its table

    page.get_by_role("textbox", name="総評").fill("暴言型が2件あった。電話での事案である。")
    page.get_by_role("textbox", name="「態様別の件数」へのコメント").fill("いずれも同じ週の電話。")
    page.get_by_role("button", name="総評とコメントを保存する").click()
    page.wait_for_url("**/stats/annual/2025/")
    _case(users, types, 20)  # a case filed after the generation
    assert _row(page, "table-by_type", "暴言型")[0] == "2"
    page.get_by_role("button", name="集計表を作り直す（再生成）").click()
    page.wait_for_url("**/stats/annual/2025/")
    assert _row(page, "table-by_type", "暴言型")[0] == "3"
    assert page.get_by_role("textbox", name="総評").input_value() == "暴言型が2件あった。電話での事案である。"
    assert page.get_by_role("textbox", name="「態様別の件数」へのコメント").input_value() == "いずれも同じ週の電話。"

    page.get_by_role("link", name="確定する…").click()
    page.wait_for_url("**/finalise/")
    page.get_by_role("button", name="確定する").click()
    page.wait_for_url("**/stats/annual/2025/")
    assert page.locator("#report-state").inner_text() == "確定"
    assert page.get_by_role("textbox", name="総評").count() == 0 and page.get_by_role("button", name="集計表を作り直す（再生成）").count() == 0
    assert "いずれも同じ週の電話。" in page.content()

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX でダウンロード").click()
    download = info.value
    assert download.suggested_filename in ("カスハラ発生状況報告（令和7年度）.xlsx", "kasuhara_report_R7.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert book.sheetnames[0] == "総評" and "態様別の件数" in book.sheetnames
    row = next(r for r in book["態様別の件数"].iter_rows(values_only=True) if r[0] == "暴言型")
    assert list(row[1:3]) == [3, 0]

    page.get_by_role("link", name="印刷用の表示（A4）").click()
    page.wait_for_url("**/print/")
    finalised = AnnualReport.objects.get(fiscal_year=2025).finalised_at.astimezone(JST).date()
    assert f"({finalised:%Y-%m-%d})" in page.locator("#finalised-on").inner_text()
    assert page.locator("#finalised-on").inner_text().startswith("令和")

    member = page_factory()
    login(member, live_server, "member")
    member.goto(f"{live_server.url}/stats/annual/2025/")
    assert member.locator("#summary").inner_text() == "暴言型が2件あった。電話での事案である。"
    assert member.locator("form#comments-form").count() == 0
    actions = set(AnnualReport.objects.get(fiscal_year=2025).events.values_list("action", flat=True))
    assert {AnnualReportAction.EXPORTED, AnnualReportAction.PRINTED, AnnualReportAction.VIEWED} <= actions
    assert not page.outside_requests
