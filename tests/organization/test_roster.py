"""The 職員名簿 import (organization/roster.py) on a generated 2,000-person file: dry run, apply,
re-apply, April's transfer file, the leavers, encodings, XLSX, refused rows and roles."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from organization import roster as importer
from organization.models import Department, RosterImport, Section, User
from tests.organization import roster_fixtures as fx
from tests.organization.roster_fixtures import base_roster, csv_bytes, make_report, snapshot

# The fixtures of roster_fixtures, by name.
base, moved, gone, imported = fx.base, fx.moved, fx.gone, fx.imported

pytestmark = pytest.mark.django_db


def plan_of(data: bytes, filename: str = "名簿.csv", *, partial: bool = False) -> importer.Plan:
    return importer.plan_import(importer.read_roster(data, filename), partial=partial)


def apply(data: bytes, filename: str = "名簿.csv", **options) -> RosterImport:
    return importer.apply_import(data=data, actor=None, filename=filename, **options)


def by_number(number: str) -> User:
    return User.objects.get(employee_number=number)


# -- the first import, and again -------------------------------------------------------------------

def test_a_dry_run_lists_what_it_would_create_and_writes_nothing(base):
    before = snapshot()
    plan = plan_of(csv_bytes(base))
    assert plan.counts == {"department_created": 15, "section_created": 76, "user_created": 2000}
    assert not plan.errors
    first = base.rows[0]
    created = next(c for c in plan.changes if c.kind == "user_created" and c.key == first["職員番号"])
    assert (created.label, created.line) == (first["氏名"], 2)
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_applying_creates_the_departments_sections_and_staff_with_their_roles(base):
    record = apply(csv_bytes(base))
    assert record.state == RosterImport.State.APPLIED and record.counts["user_created"] == 2000
    assert Department.objects.exclude(code="").count() == 15
    assert Section.objects.exclude(code="").count() == 76
    assert User.objects.filter(source="roster", is_active=True).count() == 2000
    row = base.rows[5]
    user = by_number(row["職員番号"])
    assert (user.username, user.display_name, user.section.code, user.section.name, user.email) == (
        row["職員番号"], row["氏名"], row["課コード"], row["課名"], row["メールアドレス"])
    assert not user.has_usable_password()  # signs in through the directory, or gets a password from the admin
    section = Section.objects.get(code="S0301")
    assert section.current_id == section.pk  # a new 課 is its own current 課
    # Roles: 課長 → 所属長, 部長 → 部長 (by 職名); the 役割 cells.
    assert by_number(base.chiefs["S0301"]).is_section_chief
    assert by_number(base.directors["D03"]).is_director
    assert User.objects.filter(is_desk=True, section__code="S0101").count() == 2
    assert User.objects.filter(is_ga_director=True, is_director=True).count() == 1
    assert User.objects.filter(is_committee_chair=True).count() == 1
    assert User.objects.filter(is_committee_member=True).count() == 5
    assert User.objects.filter(is_health_office=True).count() == 1
    assert User.objects.filter(is_section_chief=True).count() == 76
    assert not User.objects.filter(is_staff=True).exists()


def test_the_same_file_again_plans_nothing_and_changes_no_value(imported, base):
    before = snapshot()
    plan = plan_of(csv_bytes(base))
    assert plan.is_empty and plan.counts == {} and not plan.errors
    record = apply(csv_bytes(base))
    assert record.counts == {} and record.changes == []
    assert snapshot() == before
    assert RosterImport.objects.filter(state="applied").count() == 2  # each apply is recorded


# -- April: moves, a rename, a merge ------------------------------------------------------------------

def test_the_transfer_file_moves_renames_and_merges(imported, moved):
    plan = plan_of(csv_bytes(moved))
    assert plan.counts["user_moved"] == len(moved.moved) == 200
    assert plan.counts["section_renamed"] == 1
    assert plan.counts["section_abolished"] == 1 and plan.counts["section_succeeded"] == 1
    assert "user_deactivated" not in plan.counts and not plan.errors
    apply(csv_bytes(moved))
    for number in moved.moved:
        assert by_number(number).section.code == moved.by_number()[number]["課コード"]
    abolished_code, successor_code = moved.merged
    abolished, successor = Section.objects.get(code=abolished_code), Section.objects.get(code=successor_code)
    assert not abolished.is_active and abolished.successor == successor and abolished.current == successor
    assert Section.objects.get(code="S0301").name == "市民窓口課"
    # The 課長 of the merged 課 is 課長補佐 now: no longer 所属長.
    old_chief = by_number(imported_chief := base_roster().chiefs[abolished_code])
    assert old_chief.section == successor and not old_chief.is_section_chief, imported_chief
    assert plan_of(csv_bytes(moved)).is_empty  # and again: nothing


def test_a_moved_chief_reads_the_new_sections_reports_not_the_old_ones(imported, base, moved, client):
    a_number, b_number = moved.swapped_chiefs  # the 課長 of S0501 and of S0404 change places
    old_section_member = next(r for r in base.rows if r["課コード"] == "S0501" and r["職員番号"] not in moved.moved
                              and r["職員番号"] != a_number)
    new_section_member = next(r for r in base.rows if r["課コード"] == "S0404" and r["職員番号"] not in moved.moved
                              and r["職員番号"] != b_number)
    old_report = make_report(by_number(old_section_member["職員番号"]))
    new_report = make_report(by_number(new_section_member["職員番号"]))
    chief = by_number(a_number)
    client.force_login(chief)
    assert client.get(reverse("incidents:detail", args=[old_report.pk])).status_code == 200
    assert client.get(reverse("incidents:detail", args=[new_report.pk])).status_code == 404

    apply(csv_bytes(moved))
    client.force_login(by_number(a_number))
    assert client.get(reverse("incidents:detail", args=[new_report.pk])).status_code == 200
    assert client.get(reverse("incidents:detail", args=[old_report.pk])).status_code == 404


def test_a_moved_staff_member_still_reads_their_own_reports(imported, base, moved, client):
    number = next(n for n in moved.moved if n not in moved.swapped_chiefs
                  and base.by_number()[n]["課コード"] != moved.merged[0])
    member = by_number(number)
    report = make_report(member, title="異動前の連絡票")
    apply(csv_bytes(moved))
    member.refresh_from_db()
    assert member.section.code != report.section.code
    client.force_login(member)
    assert client.get(reverse("incidents:detail", args=[report.pk])).status_code == 200
    assert "異動前の連絡票" in client.get(reverse("incidents:list")).content.decode()


def test_a_renamed_section_keeps_the_old_name_on_reports_filed_before(imported, base, moved, client):
    code, old_name, new_name = moved.renamed
    reporter = by_number(next(r["職員番号"] for r in base.rows if r["課コード"] == code))
    report = make_report(reporter, title="改名前の連絡票")
    apply(csv_bytes(moved))
    report.refresh_from_db()
    assert report.section.name == new_name and report.section_name == old_name
    client.force_login(reporter)
    page = client.get(reverse("incidents:detail", args=[report.pk])).content.decode()
    assert old_name in page


def test_the_successors_chief_reads_the_merged_sections_reports(imported, base, moved, client):
    abolished_code, successor_code = moved.merged
    reporter = by_number(next(r["職員番号"] for r in base.rows if r["課コード"] == abolished_code
                              and r["職員番号"] != base.chiefs[abolished_code]))
    report = make_report(reporter, title="統合前の連絡票")
    successor_chief = by_number(moved.chiefs[successor_code])
    client.force_login(successor_chief)
    assert client.get(reverse("incidents:detail", args=[report.pk])).status_code == 404
    apply(csv_bytes(moved))
    client.force_login(by_number(moved.chiefs[successor_code]))
    assert client.get(reverse("incidents:detail", args=[report.pk])).status_code == 200


# -- leavers ---------------------------------------------------------------------------------------

def test_the_leaver_file_deactivates_and_keeps_their_name_on_their_reports(users, imported, gone, client):
    leaver = by_number(gone.removed[0])
    leaver.set_password("kasuhara-test")
    leaver.save()
    report = make_report(leaver, title="退職者の連絡票")
    assert client.post("/accounts/login/", {"username": leaver.username, "password": "kasuhara-test"}).status_code == 302
    client.logout()

    plan = plan_of(csv_bytes(gone))
    assert plan.counts == {"user_deactivated": len(gone.removed)} == {"user_deactivated": 100}
    apply(csv_bytes(gone))
    assert User.objects.filter(employee_number__in=gone.removed, is_active=False).count() == 100
    assert User.objects.filter(employee_number__in=gone.removed).count() == 100  # never deleted
    assert client.post("/accounts/login/", {"username": leaver.username, "password": "kasuhara-test"}).status_code == 200
    assert User.objects.filter(username="desk", is_active=True).exists()  # no 職員番号: never touched
    client.force_login(users["desk"])
    page = client.get(reverse("incidents:detail", args=[report.pk])).content.decode()
    assert leaver.display_name in page
    # Back in the next file: active again, with the roles the file gives.
    plan = plan_of(csv_bytes(base_roster()))
    assert plan.counts == {"user_reactivated": 100}


def test_a_partial_file_only_touches_its_rows_and_deactivates_on_taishoku(imported, base):
    rows = [dict(base.rows[10]), dict(base.rows[11])]
    rows[0]["在籍"] = "退職"
    rows[1]["氏名"] = "改名　花子"
    data = importer_bytes(rows)
    plan = plan_of(data, partial=True)
    assert plan.counts == {"user_deactivated": 1, "user_renamed": 1}
    full = plan_of(data)
    assert full.counts["user_deactivated"] == 1999 and full.counts["section_abolished"] > 0  # what partial avoids
    apply(data, partial=True)
    assert not by_number(rows[0]["職員番号"]).is_active
    assert by_number(rows[1]["職員番号"]).display_name == "改名　花子"
    assert User.objects.filter(source="roster", is_active=True).count() == 1999


def importer_bytes(rows, **options) -> bytes:
    from bench.roster import to_bytes

    return to_bytes(rows, **options)


# -- encodings and formats ----------------------------------------------------------------------------

def test_cp932_utf8_with_and_without_bom_and_xlsx_give_the_same_plan(base):
    plans = {
        encoding: plan_of(importer_bytes(base.rows, encoding=encoding)) for encoding in ("utf-8-sig", "utf-8", "cp932")
    }
    plans["xlsx"] = plan_of(importer_bytes(base.rows, file_format="xlsx"), "名簿.xlsx")
    assert {name: plan.parsed.encoding_label for name, plan in plans.items()} == {
        "utf-8-sig": "UTF-8（BOM付き）", "utf-8": "UTF-8", "cp932": "Shift_JIS（CP932）", "xlsx": "Excel（XLSX）"}
    assert len({plan.fingerprint for plan in plans.values()}) == 1
    assert plans["cp932"].counts["user_created"] == 2000


def test_headers_match_by_name_in_any_order_full_width_and_spaced(base):
    rows = base.rows[:3]
    headers = [" 課名 ", "氏名", "職員番号", "ＭＡＩＬ", "部コード", "部名", "課コード", "職名"]
    text = ",".join(headers) + "\r\n" + "".join(
        ",".join([r["課名"], r["氏名"], r["職員番号"].translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                  "x", r["部コード"], r["部名"], r["課コード"], r["職名"]]) + "\r\n" for r in rows)
    plan = plan_of(text.encode("cp932"))
    assert not plan.errors and plan.counts["user_created"] == 3
    assert plan.parsed.ignored_columns == ["MAIL"]
    assert {c.key for c in plan.changes if c.kind == "user_created"} == {r["職員番号"] for r in rows}


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"", "a.csv", "ファイルが空です"),
    (b"\x00\x01binary\x00", "a.csv", "CSV（UTF-8 または Shift_JIS）か Excel（XLSX）"),
    ("名前,所属\r\n山田,市民課\r\n".encode(), "a.csv", "見出しの行が見つかりません"),
    ("職員番号,氏名,部コード\r\n1,山田,D01\r\n".encode(), "a.csv", "必要な列がありません：「部名」、「課コード」、「課名」"),
    (b"PK\x03\x04 not really a workbook", "a.xlsx", "Excel（XLSX）のファイルとして開けません"),
    (b"\xff\xfe\xfa\xfb\x80\x81\xfd", "a.csv", "文字コードを判別できません"),
])
def test_a_file_that_cannot_be_read_is_one_clear_message(data, filename, message):
    with pytest.raises(importer.RosterError) as raised:
        importer.read_roster(data, filename)
    assert message in str(raised.value)


# -- refused rows ------------------------------------------------------------------------------------

def test_malformed_rows_are_reported_with_their_row_number_and_the_rest_applied(base):
    rows = [dict(r) for r in base.rows]
    rows[3]["氏名"] = ""                          # row 5
    rows[8]["課コード"] = "S-01!!"                # row 10
    rows[12]["職員番号"] = rows[11]["職員番号"]   # row 14: the number of row 13
    rows[20]["役割"] = "所属長・市長"             # row 22
    rows[30]["役割"] = "管理者"                   # row 32
    rows[40]["課名"] = "別名の課"                 # row 42: its 課コード is another name above
    rows[50]["メールアドレス"] = "not-an-address"  # row 52
    record = apply(importer_bytes(rows))
    errors = {e["line"]: e["message"] for e in record.errors}
    assert sorted(errors) == [5, 10, 14, 22, 32, 42, 52]
    assert "「氏名」" in errors[5]
    assert "「課コード」は英数字20文字まで" in errors[10]
    assert "13 行目にもあります" in errors[14]
    assert "「市長」" in errors[22]
    assert "「管理者」の権限は名簿では付けられません" in errors[32]
    assert "行目では「" in errors[42]
    assert "メールアドレス" in errors[52]
    assert record.counts["user_created"] == 2000 - 7
    assert not User.objects.filter(is_staff=True).exists()
    # Nobody named in a bad row is taken for a leaver when the corrected file comes.
    assert plan_of(importer_bytes(rows)).is_empty


def test_a_section_claimed_as_predecessor_twice_is_refused(imported, base):
    rows = [dict(r) for r in base.rows if r["課コード"] != "S1502"]
    first = next(i for i, r in enumerate(rows) if r["課コード"] == "S1501")
    second = next(i for i, r in enumerate(rows) if r["課コード"] == "S1503")
    rows[first]["旧課コード"] = rows[second]["旧課コード"] = "S1502"
    record = apply(importer_bytes(rows))
    assert [e["line"] for e in record.errors] == [second + 2]
    assert "引継ぎ先は一つだけです" in record.errors[0]["message"]
    assert Section.objects.get(code="S1502").successor.code == "S1501"


def test_one_chief_per_section_refuses_the_second_and_several_allows_it(settings, base):
    rows = [dict(r) for r in base.rows]
    second = next(i for i, r in enumerate(rows) if r["課コード"] == "S0301" and r["職名"] == "主事")
    rows[second]["職名"] = "課長"
    settings.KASUHARA_SECTION_CHIEFS = "several"
    assert not plan_of(importer_bytes(rows)).errors
    settings.KASUHARA_SECTION_CHIEFS = "one"
    record = apply(importer_bytes(rows))
    assert [e["line"] for e in record.errors] == [second + 2]
    assert "所属長は" in record.errors[0]["message"] and "一人です" in record.errors[0]["message"]
    chiefs = User.objects.filter(section__code="S0301", is_section_chief=True)
    assert list(chiefs.values_list("employee_number", flat=True)) == [base.chiefs["S0301"]]


def test_roles_come_from_the_role_column_and_else_from_the_title(settings, base):
    settings.KASUHARA_ROSTER_CHIEF_TITLES = ["課長", "担当課長"]
    rows = [dict(r) for r in base.rows[:6]]
    rows[0].update(職名="課長", 役割="")                     # title → 所属長
    rows[1].update(職名="担当課長", 役割="")                 # a title the setting adds
    rows[2].update(職名="課長補佐", 役割="")                 # not a 所属長
    rows[3].update(職名="主事", 役割="相談窓口、対策委員")    # the cell decides
    rows[4].update(職名="課長", 役割="職員")                 # the cell says: no role
    rows[5].update(職名="部長", 役割="")
    apply(importer_bytes(rows), partial=True)
    flags = {r["職員番号"]: by_number(r["職員番号"]) for r in rows}
    got = [(u.is_section_chief, u.is_director, u.is_desk, u.is_committee_member) for u in flags.values()]
    assert got == [(True, False, False, False), (True, False, False, False), (False, False, False, False),
                   (False, False, True, True), (False, False, False, False), (False, True, False, False)]


def test_a_file_without_roles_or_titles_leaves_roles_alone(imported, base):
    headers = ["職員番号", "氏名", "部コード", "部名", "課コード", "課名"]
    chief = by_number(base.chiefs["S0301"])
    assert chief.is_section_chief
    plan = plan_of(importer_bytes(base.rows, headers=headers))
    assert plan.is_empty
    assert by_number(base.chiefs["S0301"]).is_section_chief


def test_an_existing_section_without_code_is_adopted(users, base):
    ga = users["desk"].section
    assert (ga.name, ga.code) == ("総務課", "")
    record = apply(importer_bytes(base.rows))
    ga.refresh_from_db()
    assert ga.code == "S0101" and ga.department.code == "D01"
    assert record.counts["section_adopted"] >= 1 and record.counts["department_adopted"] >= 1
    assert User.objects.filter(username="desk", section=ga, is_active=True).exists()


# -- the command ------------------------------------------------------------------------------------

def test_the_command_dry_runs_then_applies(base, tmp_path):
    path = tmp_path / "名簿.csv"
    path.write_bytes(importer_bytes(base.rows, encoding="cp932"))
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    text = out.getvalue()
    assert "Shift_JIS（CP932）" in text and "職員の登録: 2000" in text and "試行のみです" in text
    assert not User.objects.filter(source="roster").exists()
    out = io.StringIO()
    call_command("import_roster", str(path), "--apply", stdout=out)
    assert "反映しました" in out.getvalue()
    assert User.objects.filter(source="roster").count() == 2000
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert "変更はありません" in out.getvalue()


def test_the_command_stops_on_an_unreadable_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("氏名\n山田\n", encoding="utf-8")
    with pytest.raises(CommandError, match="見出しの行が見つかりません"):
        call_command("import_roster", str(path))
    with pytest.raises(CommandError, match="ファイルを読めません"):
        call_command("import_roster", str(tmp_path / "none.csv"))


def test_a_section_moves_to_another_department_and_an_emptied_department_is_no_longer_active(imported, base):
    rows = [dict(r) for r in base.rows if r["部コード"] != "D14"]  # 会計室 and its two 課 are gone
    for row in rows:
        if row["課コード"] == "S1502":  # 政策調査課 goes to 企画財政部
            row["部コード"], row["部名"] = "D02", "企画財政部"
    plan = plan_of(importer_bytes(rows))
    assert [c.label for c in plan.changes if c.kind == "section_moved"] == ["政策調査課"]
    assert sorted(c.key for c in plan.changes if c.kind == "section_abolished") == ["S1401", "S1402"]
    assert [c.key for c in plan.changes if c.kind == "department_deactivated"] == ["D14"]
    apply(importer_bytes(rows))
    assert Section.objects.get(code="S1502").department.code == "D02"
    department = Department.objects.get(code="D14")  # kept, not active
    assert not department.is_active and not department.sections.filter(is_active=True).exists()
    assert plan_of(importer_bytes(rows)).is_empty
    # The 部 comes back with the next full file.
    again = plan_of(csv_bytes(base))
    assert again.counts["department_reactivated"] == 1 and again.counts["section_reactivated"] == 2


def test_a_leaver_row_for_someone_never_imported_is_a_warning(imported, base):
    rows = [dict(base.rows[0], 職員番号="999999", 在籍="退職")]
    plan = plan_of(importer_bytes(rows), partial=True)
    assert plan.is_empty and not plan.errors
    assert [(w.line, w.employee_number) for w in plan.warnings] == [(2, "999999")]
