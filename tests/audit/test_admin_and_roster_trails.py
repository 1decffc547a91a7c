"""The two trails the audit viewer reads beside the ``AuditEvent`` tables: the Django admin's history
(who changed what in /admin/, with Django's change message in Japanese) and the 職員名簿 imports
applied (who applied which file when, and what it changed). Each has its own 記録の種類, is
searched by actor, date and action like every trail, and is in the CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from organization import roster
from organization.models import RosterImport, Section
from tests.audit.test_viewer import rows_of
from tests.organization.roster_fixtures import base_roster, csv_bytes

ADMIN = "システム 管理者（admin）"


@pytest.fixture
def renamed_section(users, client_as) -> Section:
    """The 管理者 renames 福祉課 to 福祉総合課 on its admin change page."""
    welfare = Section.objects.get(name="福祉課")
    response = client_as("admin").post(f"/admin/organization/section/{welfare.pk}/change/", {
        "department": welfare.department_id, "name": "福祉総合課", "code": welfare.code, "is_active": "on",
        "order": welfare.order, "is_general_affairs": "on" if welfare.is_general_affairs else "",
        "manages_building": "on" if welfare.manages_building else "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return welfare


@pytest.fixture
def applied_roster(users) -> RosterImport:
    """A 職員名簿 applied by the 管理者 (as 「この内容で反映する」 does), and one still 確認中."""
    RosterImport.objects.create(actor=users["admin"], filename="確認中の名簿.csv", state=RosterImport.State.PREVIEW)
    return roster.apply_import(data=csv_bytes(base_roster(152)), actor=users["admin"], filename="職員名簿_4月.csv")


def test_an_admin_change_shows_who_changed_which_object_and_what(auditor_client, renamed_section):
    rows = rows_of(auditor_client.get("/audit/", {"source": "admin.logentry"}))
    assert len(rows) == 1
    cells = rows[0].split(" | ")
    assert cells[1:5] == ["管理画面の変更履歴", ADMIN, "管理画面での変更", "課「健康福祉部 福祉総合課」"]
    assert cells[5] == "課名 を変更しました。"  # Django's change message, in Japanese
    # …and it is in the list of every trail, under its own 記録の種類.
    page = auditor_client.get("/audit/").content.decode()
    assert '<option value="admin.logentry">管理画面の変更履歴</option>' in page
    assert any("課「健康福祉部 福祉総合課」" in row for row in rows_of(auditor_client.get("/audit/")))


def test_an_applied_roster_import_shows_who_applied_which_file_and_what_it_changed(auditor_client, applied_roster):
    rows = rows_of(auditor_client.get("/audit/", {"source": "organization.rosterimport"}))
    assert len(rows) == 1  # the import still 確認中 changed nothing and is not on record
    cells = rows[0].split(" | ")
    assert cells[1:5] == ["職員名簿の取込み", ADMIN, "職員名簿の反映", "職員名簿「職員名簿_4月.csv」"]
    created = applied_roster.counts["user_created"]
    assert created >= 152 - 10 and f"職員の登録 {created}" in cells[5] and "課の新設" in cells[5]
    page = auditor_client.get("/audit/").content.decode()
    assert '<option value="organization.rosterimport">職員名簿の取込み</option>' in page


def test_actor_action_and_date_filters_include_and_exclude_them(auditor_client, renamed_section, applied_roster):
    def kinds(**query) -> list[str]:
        return [row.split(" | ")[1] for row in rows_of(auditor_client.get("/audit/", query)) if " | " in row]

    today = timezone.localdate()
    yesterday = f"{today - datetime.timedelta(days=1):%Y-%m-%d}"
    for source, label in (("admin.logentry", "管理画面の変更履歴"), ("organization.rosterimport", "職員名簿の取込み")):
        assert kinds(source=source, actor="admin") == [label]
        assert kinds(source=source, actor="システム 管理者") == [label]
        assert kinds(source=source, actor="desk") == []
        assert kinds(source=source, since=f"{today:%Y-%m-%d}", until=f"{today:%Y-%m-%d}") == [label]
        assert kinds(source=source, until=yesterday) == []
        assert kinds(source=source, report="1") == []  # neither points at a 発生連絡票
    assert kinds(action="admin_changed") == ["管理画面の変更履歴"]
    assert kinds(action="roster_applied") == ["職員名簿の取込み"]
    assert kinds(actor="desk", action="admin_changed") == []


def test_the_csv_contains_them_with_what_they_changed(auditor_client, renamed_section, applied_roster):
    response = auditor_client.get("/audit/export/", {"actor": "admin"})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0] == ["日時", "記録の種類", "番号", "操作者", "操作", "対象", "内容", "接続元", "詳細"]
    by_kind = {row[1]: row for row in table[1:]}
    admin_row, roster_row = by_kind["管理画面の変更履歴"], by_kind["職員名簿の取込み"]
    assert admin_row[3:6] == [ADMIN, "管理画面での変更", "課「健康福祉部 福祉総合課」"] and "を変更しました" in admin_row[6]
    assert f'"object_id": "{renamed_section.pk}"' in admin_row[8]
    assert roster_row[3:6] == [ADMIN, "職員名簿の反映", "職員名簿「職員名簿_4月.csv」"]
    assert "職員の登録" in roster_row[6] and applied_roster.sha256 in roster_row[8]


def test_the_admin_history_names_a_counterpart_by_number_never_by_name(auditor_client, users, rf):
    """The history is append-only and outlives the 保存期間's removal of the 相手方's name, so the
    admin writes the number there — for a change, an addition and a deletion alike."""
    from django.contrib import admin as django_admin
    from django.contrib.admin.models import LogEntry

    from counterparts.admin import CounterpartAdmin
    from counterparts.models import Counterpart

    counterpart = Counterpart.objects.create(name="山田 太郎", phone="090-1234-5678", created_by=users["desk"])
    request = rf.post("/admin/")
    request.user = users["admin"]
    model_admin = CounterpartAdmin(Counterpart, django_admin.site)
    model_admin.log_change(request, counterpart, [{"changed": {"fields": ["電話番号"]}}])
    model_admin.log_addition(request, counterpart, [{"added": {}}])
    model_admin.log_deletions(request, Counterpart.objects.filter(pk=counterpart.pk))

    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {f"相手方 No.{counterpart.pk}"}
    rows = rows_of(auditor_client.get("/audit/", {"source": "admin.logentry"}))
    assert len(rows) == 3 and all(f"相手方 No.{counterpart.pk}" in row for row in rows)
    assert not any("山田" in row for row in rows)
    export = b"".join(auditor_client.get("/audit/export/").streaming_content).decode("utf-8-sig")
    assert f"相手方 No.{counterpart.pk}" in export and "山田" not in export
