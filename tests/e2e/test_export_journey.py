"""The queue's export in a real browser (Debian's Chromium through Playwright): the 相談窓口 filters the
queue, opens 「エクスポート」 (the filter goes along and the count shows), picks columns, and downloads
CSV and then XLSX; both files open with the chosen headers and exactly the filtered cases. No request
leaves 127.0.0.1."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from incidents.lifecycle import Status
from incidents.models import Channel, ExportEvent, IncidentReport
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JST = ZoneInfo("Asia/Tokyo")


def _report(users, types, *, title: str, channel: str, counterpart: str, minutes_ago: int) -> IncidentReport:
    staff = users["staff"]
    start = datetime(2025, 6, 18, 8, 30, tzinfo=JST) + timedelta(minutes=minutes_ago)
    report = IncidentReport.objects.create(
        reporter=staff, section=staff.section, status=Status.SUBMITTED, title=title, channel=channel,
        occurred_start=start, occurred_end=start + timedelta(minutes=30), submitted_at=start + timedelta(hours=2),
        counterpart_name=counterpart, demand="担当者を替えること", conduct="大声で怒鳴った。", staff_count=1,
        counterpart_count=1, ground_inappropriate_means=True,
    )
    report.staff_members.set([staff])
    report.harassment_types.set([types["verbal_abuse"]])
    return report


def test_desk_exports_the_filtered_queue_as_csv_and_xlsx(page_factory, live_server, users, types, tmp_path):
    phone_a = _report(users, types, title="電話で怒鳴られた, 1回目", channel=Channel.PHONE, counterpart="山田 太郎",
                      minutes_ago=0)
    phone_b = _report(users, types, title="電話で怒鳴られた\n2回目", channel=Channel.PHONE, counterpart="佐藤 花子",
                      minutes_ago=60)
    _report(users, types, title="窓口での居座り", channel=Channel.COUNTER, counterpart="鈴木 一郎", minutes_ago=120)

    page = page_factory(accept_downloads=True)
    login(page, live_server, "desk")
    page.goto(f"{live_server.url}/queue/")
    page.get_by_role("link", name="すべて").click()
    page.select_option("#id_channel", "phone")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**channel=phone**")

    page.get_by_role("link", name="エクスポート").click()
    page.wait_for_url("**/queue/export/**")
    assert page.locator("#export-count").inner_text() == "2 件を出力します"
    assert "電話" in page.locator("dl").inner_text()
    # Columns: the defaults less some, plus the 相手方's name (offered to the 相談窓口).
    for label in ("部", "受付日時", "担当者", "警察通報", "対応時間（分）", "失われた時間（分）", "結果", "状態",
                  "場所・手段", "難易度", "態様", "課", "提出日時"):
        page.get_by_label(label, exact=True).uncheck()
    page.get_by_label("相手方の氏名", exact=True).check()
    page.get_by_label("CSV", exact=True).check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="ダウンロード").click()
    download = caught.value
    assert download.suggested_filename.endswith(".csv") and download.suggested_filename.startswith("受付キュー_")
    csv_path = Path(tmp_path / "export.csv")
    download.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["No.", "件名", "発生日時", "相手方の氏名"]
    assert sorted(rows[1:]) == sorted([
        [str(phone_a.pk), "電話で怒鳴られた, 1回目", "2025-06-18 08:30", "山田 太郎"],
        [str(phone_b.pk), "電話で怒鳴られた\n2回目", "2025-06-18 09:30", "佐藤 花子"],
    ])

    page.get_by_label("Excel（XLSX）", exact=True).check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="ダウンロード").click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx")
    xlsx_path = Path(tmp_path / "export.xlsx")
    download.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["No.", "件名", "発生日時", "相手方の氏名"]
    assert sorted(values[1:]) == sorted([
        [phone_a.pk, "電話で怒鳴られた, 1回目", datetime(2025, 6, 18, 8, 30), "山田 太郎"],
        [phone_b.pk, "電話で怒鳴られた\n2回目", datetime(2025, 6, 18, 9, 30), "佐藤 花子"],
    ])

    events = list(ExportEvent.objects.order_by("pk").values_list("format", "row_count", "actor__username"))
    assert events == [("csv", 2, "desk"), ("xlsx", 2, "desk")]
    assert page.outside_requests == []


def test_chief_export_page_offers_no_personal_columns(page_factory, live_server, users, types):
    _report(users, types, title="市民課の件", channel=Channel.PHONE, counterpart="山田 太郎", minutes_ago=0)
    page = page_factory()
    login(page, live_server, "chief")
    page.goto(f"{live_server.url}/queue/?tab=all")
    page.get_by_role("link", name="エクスポート").click()
    page.wait_for_url("**/queue/export/**")
    assert page.locator("#export-count").inner_text() == "1 件を出力します"
    assert page.get_by_label("相手方の氏名", exact=True).count() == 0
    assert page.get_by_label("報告者", exact=True).count() == 0
    assert "相談窓口だけが出力できます" in page.locator("#export-redacted").inner_text()
