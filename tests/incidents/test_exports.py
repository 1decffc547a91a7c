"""Exports of the queue (/queue/export/): who may export, the rows (the queue's own, filter and tab
included; a 所属長 never gets another 課's case), the columns (personal data only for the 相談窓口),
CSV (BOM, CRLF, quoting, ISO dates) and XLSX (real dates), the audit event, bad input answered in
Japanese, and a streaming response for many rows."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import exports
from incidents.lifecycle import Status
from incidents.models import Channel, ExportEvent, IncidentReport, Sex

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
BOM = "\ufeff"


def url(path: str = "/queue/export/file/", **params) -> str:
    return f"{path}?{urlencode(params, doseq=True)}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content.decode()[:2000]
    text = body(response).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def queue_ids(client, **params) -> list[int]:
    response = client.get(url("/queue/", **params))
    assert response.status_code == 200
    return [row.pk for row in response.context["queue"].rows]


# -- who may export ---------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff", "staff2", "chair", "member", "admin"])
def test_roles_without_the_queue_get_404(client_as, username):
    client = client_as(username)
    assert client.get("/queue/export/").status_code == 404
    assert client.get(url(columns=["no"], format="csv")).status_code == 404
    assert not ExportEvent.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(url(columns=["no"], format="csv"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- the page ---------------------------------------------------------------------------------------

def test_queue_links_to_the_export_with_its_filter(client_as, make_report, users):
    make_report(users["staff"])
    page = client_as("desk").get(url("/queue/", tab="all", channel="phone", page="1")).content.decode()
    assert 'href="/queue/export/?tab=all&amp;channel=phone"' in page


def test_page_shows_the_filter_the_count_and_the_default_columns(client_as, make_report, users):
    make_report(users["staff"], channel=Channel.PHONE)
    make_report(users["staff"], channel=Channel.PHONE)
    make_report(users["staff"], channel=Channel.COUNTER)
    response = client_as("desk").get(url("/queue/export/", tab="all", channel="phone"))
    assert response.status_code == 200
    assert response.context["count"] == 2
    html = response.content.decode()
    assert "2 件を出力します" in html
    assert "電話" in html  # the filter, in words
    assert '<input type="hidden" name="channel" value="phone">' in html
    assert '<input type="hidden" name="tab" value="all">' in html
    assert 'value="title" id="id_columns_1" checked' in html
    assert 'value="closed"' in html and 'value="closed" id="id_columns_17" checked' not in html
    assert 'value="counterpart_name"' in html  # the 相談窓口 is offered personal data


def test_page_remembers_the_columns_and_format_of_its_url(client_as):
    html = client_as("desk").get(url("/queue/export/", columns=["no", "closed"], format="xlsx")).content.decode()
    assert 'value="closed" id="id_columns_17" checked' in html
    assert 'value="title" id="id_columns_1" checked' not in html
    assert 'value="xlsx" id="id_format_1" checked' in html


def test_chief_is_not_offered_personal_columns(client_as):
    html = client_as("chief").get("/queue/export/").content.decode()
    for key in ("counterpart_name", "counterpart_contact", "reporter", "continuity", "urgent"):
        assert f'value="{key}"' not in html
    assert "相談窓口だけが出力できます" in html


# -- CSV --------------------------------------------------------------------------------------------

def test_csv_header_is_the_chosen_columns_in_the_list_order_with_bom_and_crlf(client_as, make_report, users):
    make_report(users["staff"])
    response = client_as("desk").get(url(tab="all", columns=["title", "no", "occurred"], format="csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    raw = body(client_as("desk").get(url(tab="all", columns=["title", "no", "occurred"], format="csv")))
    assert raw.startswith(BOM.encode("utf-8"))
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    rows = read_csv(response)
    assert rows[0] == ["No.", "件名", "発生日時"]


def test_csv_rows_are_the_queue_filtered_cases_in_its_order(client_as, make_report, users):
    phone = [make_report(users["staff"], channel=Channel.PHONE, title=f"電話 {i}",
                         submitted_at=datetime(2025, 7, 1 + i, 9, 0, tzinfo=JST)) for i in range(3)]
    make_report(users["staff"], channel=Channel.COUNTER, title="窓口")
    closed = make_report(users["staff"], channel=Channel.PHONE, status=Status.CLOSED, title="完了した電話")
    client = client_as("desk")
    params = {"tab": "all", "channel": "phone", "sort": "submitted_asc"}
    expected = queue_ids(client, **params)
    assert set(expected) == {r.pk for r in phone} | {closed.pk}
    rows = read_csv(client.get(url(**params, columns=["no", "title", "channel"], format="csv")))
    assert [int(row[0]) for row in rows[1:]] == expected
    assert all(row[2] == "電話" for row in rows[1:])
    # The tab applies too: 完了 only.
    rows = read_csv(client.get(url(tab="closed", columns=["no"], format="csv")))
    assert [int(row[0]) for row in rows[1:]] == [closed.pk]


def test_csv_values_dates_types_and_durations(client_as, make_report, users, types):
    report = make_report(users["staff"], type_codes=("verbal_abuse", "repeat"), work_minutes_lost=40,
                         police_called=True, submitted_at=datetime(2025, 6, 18, 14, 30, tzinfo=JST))
    columns = ["no", "types", "section", "department", "occurred", "occurred_wareki", "submitted", "accepted",
               "handler", "police", "duration", "lost"]
    header, row = read_csv(client_as("desk").get(url(tab="all", columns=columns, format="csv")))
    cells = dict(zip(header, row, strict=True))
    names = sorted([types["verbal_abuse"], types["repeat"]], key=lambda t: t.number)
    assert cells["No."] == str(report.pk)
    assert cells["態様"] == "、".join(t.name for t in names)
    assert cells["課"] == "市民課" and cells["部"] == users["staff"].section.department.name
    assert cells["発生日時"] == "2025-06-18 08:30"  # local time (still 17 June in UTC)
    assert cells["発生日（和暦）"] == "令和7年6月18日"
    assert cells["提出日時"] == "2025-06-18 14:30"
    assert cells["受付日時"] == ""
    assert cells["担当者"] == "未定"
    assert cells["警察通報"] == "あり"
    assert cells["対応時間（分）"] == "85"
    assert cells["失われた時間（分）"] == "40"


def test_commas_quotes_and_newlines_survive_a_round_trip(client_as, make_report, users):
    title = '窓口で「帰れ」,"また来る"\r\nと言われた'
    make_report(users["staff"], title=title, counterpart_contact="東京都港区1-2-3\n090-0000-0000, 自宅")
    rows = read_csv(client_as("desk").get(url(tab="all", columns=["title", "counterpart_contact"], format="csv")))
    assert rows[1] == [title, "東京都港区1-2-3\n090-0000-0000, 自宅"]


def test_a_formula_is_never_a_formula(client_as, make_report, users):
    make_report(users["staff"], title='=HYPERLINK("http://example.com","x")')
    client = client_as("desk")
    rows = read_csv(client.get(url(tab="all", columns=["title"], format="csv")))
    assert rows[1] == ['\'=HYPERLINK("http://example.com","x")']
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(url(tab="all", columns=["title"], format="xlsx"))))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")


# -- scope and redaction -----------------------------------------------------------------------------

@pytest.fixture
def three_sections(make_report, users, neighbour):
    """One case each of 市民課 (chief's), 生活環境課 (same 部) and staff2's 課."""
    return {
        "mine": make_report(users["staff"], title="市民課の件", counterpart_name="秘密 花子", counterpart_sex=Sex.FEMALE),
        "neighbour": make_report(neighbour, title="生活環境課の件"),
        "other": make_report(users["staff2"], title="他部の件"),
    }


def test_chief_exports_only_their_own_section(client_as, three_sections, users):
    client = client_as("chief")
    rows = read_csv(client.get(url(tab="all", columns=["no", "title", "section"], format="csv")))
    assert [int(row[0]) for row in rows[1:]] == [three_sections["mine"].pk]
    # Their 部 as a filter still gives their 課 only.
    department = users["chief"].section.department_id
    rows = read_csv(client.get(url(tab="all", department=department, columns=["no"], format="csv")))
    assert [int(row[0]) for row in rows[1:]] == [three_sections["mine"].pk]


def test_chief_crafted_section_filter_gives_no_file_and_no_row(client_as, three_sections, users):
    client = client_as("chief")
    other = three_sections["other"]
    response = client.get(url(tab="all", section=other.section_id, columns=["no", "title"], format="csv"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "次の条件は正しくないため外しました" in html and "課" in html
    assert "他部の件" not in html and "生活環境課の件" not in html
    assert f'name="section" value="{other.section_id}"' not in html  # the corrected form drops it
    assert response.context["count"] == 1
    assert not ExportEvent.objects.exists()


def test_director_exports_their_department(client_as, three_sections):
    rows = read_csv(client_as("director").get(url(tab="all", columns=["no"], format="csv")))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted([three_sections["mine"].pk, three_sections["neighbour"].pk])


def test_personal_columns_refused_to_chief_with_a_note_never_the_data(client_as, three_sections):
    response = client_as("chief").get(url(tab="all", columns=["no", "counterpart_name", "reporter", "urgent"],
                                          format="csv"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "次の列は出力できないため外しました：相手方の氏名、報告者、至急" in html
    assert "秘密 花子" not in html
    assert 'value="no" id="id_columns_0" checked' in html  # the rest of the choice is kept
    assert not ExportEvent.objects.exists()


def test_desk_gets_the_personal_columns(client_as, three_sections, users):
    rows = read_csv(client_as("desk").get(url(tab="all", columns=["no", "counterpart_name", "counterpart_sex",
                                                                    "reporter"], format="csv")))
    assert rows[0] == ["No.", "相手方の氏名", "相手方の性別", "報告者"]
    mine = next(row for row in rows[1:] if int(row[0]) == three_sections["mine"].pk)
    assert mine[1:] == ["秘密 花子", "女性", str(users["staff"].display_name or users["staff"].username)]


# -- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "message"), [
    ({"columns": ["no"], "format": "pdf"}, "形式は CSV か Excel（XLSX）から選んでください。"),
    ({"format": "csv"}, "出力する列を1つ以上選んでください。"),
    ({"columns": ["no", "nonsense"], "format": "csv"}, "次の列は出力できないため外しました：nonsense"),
    ({"columns": ["no"], "format": "csv", "date_from": "2025-13-45"}, "次の条件は正しくないため外しました"),
    ({"columns": ["no"], "format": "csv", "tab": "nope"}, "次の条件は正しくないため外しました"),
])
def test_bad_input_answers_in_japanese(client_as, params, message):
    response = client_as("desk").get(url(**params))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportEvent.objects.exists()


# -- XLSX -------------------------------------------------------------------------------------------

def test_xlsx_headers_rows_and_real_dates(client_as, make_report, users):
    report = make_report(users["staff"], title="Excel の件", submitted_at=datetime(2025, 6, 18, 14, 30, tzinfo=JST),
                         work_minutes_lost=15)
    response = client_as("desk").get(url(tab="all", columns=["no", "title", "occurred", "submitted", "accepted",
                                                              "lost"], format="xlsx"))
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert ".xlsx" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0] == ["No.", "件名", "発生日時", "提出日時", "受付日時", "失われた時間（分）"]
    assert rows[1] == [report.pk, "Excel の件", datetime(2025, 6, 18, 8, 30), datetime(2025, 6, 18, 14, 30), None, 15]
    assert len(rows) == 2


def test_xlsx_text_keeps_spaces_and_line_breaks_as_excel_writes_them_and_drops_what_xml_cannot_hold(client_as, make_report, users):
    make_report(users["staff"], title=" 前後に空白\r\n改行\x0bと<&>あり ", police_called=True)
    response = client_as("desk").get(url(tab="all", columns=["title", "occurred", "police"], format="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    # Excel's line break in a cell is LF: CRLF is written as LF.
    assert sheet["A2"].value == " 前後に空白\n改行と<&>あり "
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["C2"].value == "あり"
    assert all(cell.font.b for cell in sheet[1])  # the header is bold


# -- the audit event -------------------------------------------------------------------------------

def test_an_export_is_an_audit_event(client_as, make_report, users):
    for _ in range(3):
        make_report(users["staff"], channel=Channel.PHONE)
    make_report(users["staff"], channel=Channel.COUNTER)
    client = client_as("desk")
    read_csv(client.get(url(tab="all", channel="phone", columns=["no", "title"], format="csv"), REMOTE_ADDR="192.0.2.8"))
    read_xlsx(client.get(url(tab="waiting", columns=["no"], format="xlsx"), REMOTE_ADDR="192.0.2.9"))
    first, second = ExportEvent.objects.order_by("pk")
    assert first.actor == users["desk"] and first.ip_address == "192.0.2.8"
    assert first.format == "csv" and first.row_count == 3 and first.columns == ["no", "title"]
    assert "channel=phone" in first.query and "tab=all" in first.query
    assert first.detail["filters"] == [["場所・手段", "電話"]]
    assert second.format == "xlsx" and second.row_count == 4 and second.columns == ["no"]
    assert second.query == "tab=waiting"
    # The page itself records nothing.
    client.get(url("/queue/export/", tab="all"))
    assert ExportEvent.objects.count() == 2


def test_the_event_is_admin_readonly(client_as, make_report, users):
    make_report(users["staff"])
    read_csv(client_as("desk").get(url(tab="all", columns=["no"], format="csv")))
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    admin = client_as("admin")
    event = ExportEvent.objects.get()
    assert admin.get("/admin/incidents/exportevent/").status_code == 200
    page = admin.get(f"/admin/incidents/exportevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin.get("/admin/incidents/exportevent/add/").status_code == 403


# -- many rows ------------------------------------------------------------------------------------------

def _many_reports(users, n: int) -> None:
    staff = users["staff"]
    start = datetime(2025, 4, 1, 9, 0, tzinfo=JST)
    IncidentReport.objects.bulk_create([
        IncidentReport(reporter=staff, section=staff.section, status=Status.SUBMITTED, title=f"件 {i}",
                       occurred_start=start + timedelta(minutes=i), occurred_end=start + timedelta(minutes=i + 30),
                       submitted_at=start + timedelta(minutes=i + 60), channel=Channel.PHONE)
        for i in range(n)
    ])


def test_many_rows_stream_in_pieces_with_queries_per_chunk(client_as, users, types):
    _many_reports(users, 3000)
    through = IncidentReport.harassment_types.through
    through.objects.bulk_create([through(incidentreport_id=pk, harassmenttype_id=types["repeat"].pk)
                                 for pk in IncidentReport.objects.values_list("pk", flat=True)])
    client = client_as("desk")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(tab="all", columns=exports.DEFAULT_COLUMNS, format="csv"))
        assert response.streaming  # not content built in memory
        pieces = list(response.streaming_content)
    # The BOM and header, then one piece per chunk of rows.
    assert len(pieces) == 1 + 3000 // exports.CHUNK + 1
    text = b"".join(pieces).decode("utf-8")
    assert text.count("\r\n") == 3001
    assert text.count(types["repeat"].name) == 3000
    type_queries = [q for q in captured.captured_queries if "incidentreport_harassment_types" in q["sql"]]
    assert len(type_queries) == 2  # one per chunk of 2,000, never one per row
    # The XLSX of the same rows opens with every row.
    rows = read_xlsx(client.get(url(tab="all", columns=["no", "types", "occurred"], format="xlsx")))
    assert len(rows) == 3001
    assert {row[1] for row in rows[1:]} == {types["repeat"].name}
    assert all(isinstance(row[2], datetime) for row in rows[1:])
