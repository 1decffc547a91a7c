"""The audit viewer (/audit/, issue 14): auditors search every trail by actor, report, action, kind
and dates, newest first, page by page, and export CSV; each search and export is itself recorded."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audit.guard import backdating
from audit.models import AuditViewEvent
from consultations.models import Consultation, ConsultationEvent
from incidents.models import EventAction, ExportEvent, ReportEvent
from organization import roles
from organization.models import RosterImport, Section, User


def rows_of(response) -> list[str]:
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.cells, self.in_body, self.cell = [], None, False, None

        def handle_starttag(self, tag, attrs):
            if tag == "tbody":
                self.in_body = True
            elif tag == "tr" and self.in_body:
                self.cells = []
            elif tag == "td" and self.cells is not None:
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "td" and self.cell is not None:
                self.cells.append(self.cell.strip())
                self.cell = None
            elif tag == "tr" and self.cells is not None:
                self.rows.append(" | ".join(self.cells))
                self.cells = None
            elif tag == "tbody":
                self.in_body = False

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(response.content.decode())
    return parser.rows


@pytest.fixture
def trail(users, new_report):
    """Events in four trails by different people at known times (a day apart, newest: the role change)."""
    report, other = new_report(), new_report(users["staff2"])
    consultation = Consultation.objects.create(author=users["staff2"], section=users["staff2"].section,
                                               what_happened="相談の内容", wish="助言", contact="内線1234")
    now = timezone.now()
    written = [
        ReportEvent.objects.create(report=report, actor=users["staff"], action=EventAction.SUBMITTED),
        ReportEvent.objects.create(report=other, actor=users["staff2"], action=EventAction.SUBMITTED),
        ReportEvent.objects.create(report=report, actor=users["desk"], action=EventAction.VIEWED, ip_address="10.1.2.3"),
        ConsultationEvent.objects.create(consultation=consultation, actor=users["desk"], action="viewed"),
        ExportEvent.objects.create(actor=users["desk"], query="tab=all", columns=["no"], format="csv", row_count=2),
    ]
    with backdating():
        for days, event in zip(range(5, 0, -1), written, strict=True):
            type(event).objects.filter(pk=event.pk).update(at=now - datetime.timedelta(days=days))
    roles.grant_role(actor=users["admin"], user=users["member"], role="committee_chair", reason="委員長の交代")
    return {"report": report, "other": other, "consultation": consultation}


def test_auditor_sees_every_trail_newest_first(auditor_client, trail):
    response = auditor_client.get("/audit/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # no browser or proxy keeps the trail
    rows = rows_of(response)
    assert len(rows) == 6
    assert "役割の変更" in rows[0] and "システム 管理者" in rows[0] and "付与（対策委員長）" in rows[0]
    assert "エクスポートの監査記録" in rows[1] and "出力" in rows[1]
    assert "相談" in rows[2] and f"No.{trail['consultation'].pk}" in rows[2]
    assert "総務 窓口" in rows[3] and "閲覧" in rows[3] and f"No.{trail['report'].pk}" in rows[3] and "10.1.2.3" in rows[3]
    assert "福祉 太郎" in rows[4] and "提出" in rows[4]
    assert "窓口 花子" in rows[5]


def test_search_by_actor_report_action_kind_and_dates(auditor_client, trail):
    assert len(rows_of(auditor_client.get("/audit/", {"actor": "総務 窓口"}))) == 3
    assert len(rows_of(auditor_client.get("/audit/", {"actor": "desk"}))) == 3  # the user name too
    by_report = rows_of(auditor_client.get("/audit/", {"report": f"No.{trail['report'].pk}"}))
    assert len(by_report) == 2 and all(f"No.{trail['report'].pk}" in row for row in by_report)
    assert len(rows_of(auditor_client.get("/audit/", {"action": "submitted"}))) == 2
    assert len(rows_of(auditor_client.get("/audit/", {"source": "consultations.consultationevent"}))) == 1
    today = timezone.localdate()
    dates = {"since": f"{today - datetime.timedelta(days=3):%Y-%m-%d}",
             "until": f"{today - datetime.timedelta(days=2):%Y-%m-%d}"}
    rows = rows_of(auditor_client.get("/audit/", dates))
    assert len(rows) == 2 and "閲覧" in rows[0] and "閲覧" in rows[1]
    assert rows_of(auditor_client.get("/audit/", {"actor": "誰もいない"})) == ["条件に合う記録はありません。"]


def test_bad_input_gets_a_japanese_message_and_keeps_what_was_typed(auditor_client, trail):
    response = auditor_client.get("/audit/", {"report": "十二", "since": "2026/13/40", "actor": "総務"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "連絡票の番号は数字で入力してください" in page and "日付は 2026-11-24 の形で入力してください" in page
    assert 'value="十二"' in page and 'value="総務"' in page
    response = auditor_client.get("/audit/", {"since": "2026-11-20", "until": "2026-11-01"})
    assert "「まで」は「から」より後の日付にしてください。" in response.content.decode()


def test_every_search_and_export_is_recorded(auditor_client, auditor, trail):
    auditor_client.get("/audit/", {"actor": "総務 窓口", "action": "viewed"})
    search = AuditViewEvent.objects.get()
    assert (search.actor, search.action, search.row_count) == (auditor, "searched", 2)
    assert search.detail == {"filters": {"actor": "総務 窓口", "action": "viewed"}}
    auditor_client.get("/audit/export/", {"actor": "総務 窓口"})
    export = AuditViewEvent.objects.filter(action="exported").get()
    assert export.row_count == 3 and export.ip_address == "127.0.0.1"
    # …and the auditor's own searches are in the trail they search.
    rows = rows_of(auditor_client.get("/audit/", {"source": "audit.auditviewevent"}))
    assert len(rows) == 2 and "監査記録の出力" in rows[0] and "監査記録の検索" in rows[1]


def test_csv_export_is_excel_ready_and_formula_safe(auditor_client, users, trail):
    User.objects.filter(pk=users["staff"].pk).update(display_name="=HYPERLINK(\"http://x\")")
    response = auditor_client.get("/audit/export/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == ["日時", "記録の種類", "番号", "操作者", "操作", "対象", "内容", "接続元", "詳細"]
    assert len(table) == 1 + 6 + 1  # the trail, and this export's own record (written before the file)
    assert table[1][1:5] == ["監査記録の閲覧", table[1][2], "監査 委員（auditor）", "監査記録の出力"]
    assert any(row[3].startswith("'=HYPERLINK") for row in table[1:])
    assert not any(cell.startswith("=") for row in table[1:] for cell in row)


def test_query_count_does_not_grow_with_rows(auditor_client, users, new_report, django_assert_max_num_queries):
    report = new_report()
    ReportEvent.objects.bulk_create([ReportEvent(report=report, actor=users[name], action=EventAction.VIEWED)
                                     for name in ("staff", "desk", "desk2", "chief") * 30])
    # The admin's history and the 職員名簿 imports join the same union (newer: the first page).
    section, section_type = Section.objects.first(), ContentType.objects.get_for_model(Section)
    LogEntry.objects.bulk_create([
        LogEntry(user=users[name], content_type=section_type, object_id=str(section.pk), object_repr=str(section),
                 action_flag=CHANGE, change_message='[{"changed": {"fields": ["課名"]}}]')
        for name in ("admin", "gadir") * 15
    ])
    now = timezone.now()
    RosterImport.objects.bulk_create(
        [RosterImport(actor=users["admin"], filename=f"名簿{n}.csv", state=RosterImport.State.APPLIED,
                      applied_at=now + datetime.timedelta(seconds=n), counts={"user_created": n}) for n in range(30)]
        + [RosterImport(actor=users["admin"], filename="確認中.csv") for _ in range(5)])
    # session + user, COUNT, one page, the actors' names, the viewer's own record (+ savepoints)
    with django_assert_max_num_queries(10):
        response = auditor_client.get("/audit/")
    rows = rows_of(response)
    assert len(rows) == 50
    assert sum("職員名簿の取込み" in row for row in rows) == 30 and sum("管理画面の変更履歴" in row for row in rows) == 20
    assert "2 / 4" not in response.content.decode() and "1 / 4" in response.content.decode()
    assert len(rows_of(auditor_client.get("/audit/", {"page": "4"}))) == 31  # and the first search's record


@pytest.mark.parametrize("name", ["staff", "desk", "admin", "chair", "gadir", "nurse"])
def test_everyone_but_an_auditor_gets_404(client_as, name):
    client = client_as(name)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export/").status_code == 404
    assert not AuditViewEvent.objects.exists()


def test_the_menu_shows_audit_to_the_auditor_only(auditor_client, client_as):
    assert 'href="/audit/"' in auditor_client.get("/").content.decode()
    assert 'href="/audit/"' not in client_as("admin").get("/").content.decode()
