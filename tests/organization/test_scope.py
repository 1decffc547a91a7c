"""Today's organisation everywhere (issue 13): a 代理 for a period, 課 abolished into another,
people moved or gone, and the 課 a report was filed in — on the pages a user opens (the queue, the
case page, the numbers) and in the notices they get."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import escalation, services
from incidents.lifecycle import Status
from incidents.models import IncidentReport
from notifications.kinds import Audience, Kind
from notifications.models import Notice, NoticeRule
from organization.models import ActingAssignment, Section, User
from organization.services import refresh_succession
from tests.incidents.conftest import END, START

PASSWORD = "kasuhara-test"  # noqa: S105


# -- helpers ----------------------------------------------------------------------------------------

def person(username: str, section: Section, **flags) -> User:
    return User.objects.create_user(username, password=PASSWORD, section=section, display_name=f"{username} さん",
                                    **flags)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def acting(user: User, *, section: Section | None = None, department=None, days_before: int = 3,
           days_after: int = 0) -> ActingAssignment:
    """A 代理 from ``days_before`` days ago to ``days_after`` days from today."""
    today = timezone.localdate()
    kind = ActingAssignment.Kind.SECTION_CHIEF if section is not None else ActingAssignment.Kind.DIRECTOR
    return ActingAssignment.objects.create(
        user=user, kind=kind, section=section, department=department, reason="課長の休暇中",
        starts_on=today - datetime.timedelta(days=days_before), ends_on=today + datetime.timedelta(days=days_after))


def move_clock(monkeypatch, days: int) -> None:
    """Today becomes ``days`` days from now (noon, local time)."""
    moment = timezone.now() + datetime.timedelta(days=days)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def submitted(make_report, reporter: User, **fields) -> IncidentReport:
    """A report filed through the real 提出 (so its 課's name is kept, and the notices go out)."""
    draft = make_report(reporter, status=Status.DRAFT, **fields)
    return services.transition(report=draft, name="submit", actor=reporter)


def queue_titles(client: Client, query: str = "") -> str:
    response = client.get(f"/queue/?tab=all{query}")
    assert response.status_code == 200
    return response.content.decode()


def notified(user: User, kind: str, report: IncidentReport) -> bool:
    return Notice.objects.filter(recipient=user, kind=kind, params__report=report.pk).exists()


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def make_report(types):
    """``make_report(reporter, status=…, **fields)``: a complete report of the reporter's 課 (all that
    提出 needs), submitted unless told otherwise."""

    def make(reporter: User, *, status: str = Status.SUBMITTED, **fields) -> IncidentReport:
        values = {"title": "電話で怒鳴られた", "occurred_start": START, "occurred_end": END, "channel": "phone",
                  "staff_count": 1, "counterpart_count": 1, "demand": "担当者を替えること",
                  "conduct": "「馬鹿野郎」と大声で繰り返し怒鳴った。", "ground_inappropriate_means": True,
                  "submitted_at": END + datetime.timedelta(hours=1) if status != Status.DRAFT else None, **fields}
        report = IncidentReport.objects.create(reporter=reporter, section=reporter.section, status=status, **values)
        report.staff_members.set([reporter])
        report.harassment_types.set([types["verbal_abuse"]])
        return report

    return make


@pytest.fixture
def sections(users) -> dict[str, Section]:
    return {s.name: s for s in Section.objects.all()}


@pytest.fixture
def abolished(users, sections, make_report):
    """窓口サービス課 (健康福祉部) with its 所属長 and two submitted reports, then abolished in April:
    its work went to 市民課 (市民環境部), its 所属長 moved to 福祉課 (still 所属長 there)."""
    old = Section.objects.create(department=sections["福祉課"].department, name="窓口サービス課", order=9)
    old_chief = person("old_chief", old, is_section_chief=True)
    reporter = person("old_staff", old)
    reports = [make_report(reporter, title=f"旧課の事案{n}") for n in range(2)]
    draft = make_report(reporter, status=Status.DRAFT, title="旧課の書きかけ")
    old.is_active, old.successor = False, sections["市民課"]
    old.save()
    old_chief.section = sections["福祉課"]
    old_chief.save()
    return {"section": old, "old_chief": old_chief, "reporter": reporter, "reports": reports, "draft": draft}


# -- 代理 ------------------------------------------------------------------------------------------

def test_an_acting_chief_reads_the_sections_reports_during_the_period_and_404s_the_day_after(
        users, sections, make_report, monkeypatch):
    report = make_report(users["staff2"], title="福祉課の事案")  # 福祉課
    other = make_report(users["staff"], title="市民課の事案")
    deputy = person("deputy", sections["人事課"])
    acting(deputy, section=sections["福祉課"], days_before=5, days_after=0)  # ends today

    client = signed_in(deputy)
    page = queue_titles(client)
    assert "福祉課の事案" in page and "市民課の事案" not in page
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    assert client.get(f"/reports/{other.pk}/").status_code == 404
    assert 'href="/stats/"' in client.get("/").content.decode()  # their 課's numbers, in the menu
    stats = client.get("/stats/?year=2025")
    assert stats.status_code == 200 and "健康福祉部 福祉課の数値です" in stats.content.decode()

    move_clock(monkeypatch, 1)  # the day after the period
    client = signed_in(deputy)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get("/queue/").status_code == 404
    assert client.get("/stats/").status_code == 404
    # The holder keeps their role throughout.
    assert signed_in(users["chief2"]).get(f"/reports/{report.pk}/").status_code == 200


def test_a_period_that_has_not_started_gives_nothing_yet(users, sections, make_report):
    report = make_report(users["staff2"])
    deputy = person("deputy", sections["人事課"])
    ActingAssignment.objects.create(user=deputy, section=sections["福祉課"], reason="来週から",
                                    starts_on=timezone.localdate() + datetime.timedelta(days=1),
                                    ends_on=timezone.localdate() + datetime.timedelta(days=9))
    assert signed_in(deputy).get(f"/reports/{report.pk}/").status_code == 404


def test_an_acting_chief_confirms_a_report_of_the_section(users, sections, make_report):
    report = make_report(users["staff2"])
    deputy = person("deputy", sections["福祉課"])
    acting(deputy, section=sections["福祉課"], days_after=10)

    response = signed_in(deputy).post(f"/reports/{report.pk}/move/confirm/", {
        "version": report.version, "judgement": "applicable", "difficulty": "normal", "comment": "代理で確認"})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED
    assert report.events.filter(to_status=Status.CONFIRMED, actor=deputy).exists()


def test_an_acting_chief_gets_the_chiefs_notice_of_a_new_report_and_a_past_one_does_not(
        users, sections, make_report):
    deputy, former = person("deputy", sections["福祉課"]), person("former", sections["福祉課"])
    acting(deputy, section=sections["福祉課"], days_after=10)
    acting(former, section=sections["福祉課"], days_before=10, days_after=-1)  # ended yesterday

    report = submitted(make_report, users["staff2"])

    assert notified(deputy, Kind.REPORT_SUBMITTED, report)
    assert notified(users["chief2"], Kind.REPORT_SUBMITTED, report)
    assert not notified(former, Kind.REPORT_SUBMITTED, report)
    # The notice opens the case for them.
    notice = Notice.objects.get(recipient=deputy, kind=Kind.REPORT_SUBMITTED)
    assert signed_in(deputy).get(f"/inbox/{notice.pk}/", follow=True).status_code == 200


def test_an_acting_director_reads_the_departments_reports_and_gets_its_notices(
        users, sections, make_report, monkeypatch):
    NoticeRule.objects.update_or_create(kind=Kind.REPORT_SUBMITTED, defaults={
        "enabled": True, "audiences": [Audience.DESK, Audience.SECTION_CHIEF, Audience.DIRECTOR]})
    deputy = person("deputy", sections["人事課"])
    acting(deputy, department=sections["福祉課"].department, days_after=0)
    welfare = submitted(make_report, users["staff2"], title="福祉課の事案")  # 健康福祉部
    elders = make_report(person("elder_staff", sections["長寿社会課"]), title="長寿社会課の事案")  # 健康福祉部
    citizens = make_report(users["staff"], title="市民課の事案")  # 市民環境部

    client = signed_in(deputy)
    page = queue_titles(client)
    assert "福祉課の事案" in page and "市民課の事案" not in page
    assert client.get(f"/reports/{welfare.pk}/").status_code == 200
    assert client.get(f"/reports/{elders.pk}/").status_code == 200
    assert client.get(f"/reports/{citizens.pk}/").status_code == 404
    assert notified(deputy, Kind.REPORT_SUBMITTED, welfare)
    assert "健康福祉部の数値です" in client.get("/stats/?year=2025").content.decode()

    move_clock(monkeypatch, 1)
    client = signed_in(deputy)
    assert client.get(f"/reports/{elders.pk}/").status_code == 404
    assert client.get("/queue/").status_code == 404
    # (A report they were sent a notice of stays readable to them: incidents.policies.)


# -- succession -------------------------------------------------------------------------------------

def test_the_successors_chief_and_director_read_an_abolished_sections_reports(users, abolished):
    first = abolished["reports"][0]
    for role in ("chief", "director"):  # 市民課's 所属長, 市民環境部's 部長
        client = signed_in(users[role])
        assert "旧課の事案0" in queue_titles(client), role
        assert client.get(f"/reports/{first.pk}/").status_code == 200, role
    # Its old 所属長, now in 福祉課, reads 福祉課's and no longer the old 課's.
    old_chief = signed_in(abolished["old_chief"])
    assert old_chief.get(f"/reports/{first.pk}/").status_code == 404
    assert "旧課の事案0" not in queue_titles(old_chief)
    # 福祉課's 所属長 never had it.
    assert signed_in(users["chief2"]).get(f"/reports/{first.pk}/").status_code == 404


def test_the_successors_chief_confirms_and_gets_the_notices_of_the_abolished_section(
        users, abolished, make_report):
    # A draft written before April, filed after: its 所属長 is now 市民課's.
    report = services.transition(report=abolished["draft"], name="submit", actor=abolished["reporter"])
    assert notified(users["chief"], Kind.REPORT_SUBMITTED, report)
    assert not notified(abolished["old_chief"], Kind.REPORT_SUBMITTED, report)
    response = signed_in(users["chief"]).post(f"/reports/{report.pk}/move/confirm/", {
        "version": report.version, "judgement": "applicable", "difficulty": "normal"})
    assert response.status_code == 302


def test_the_escalation_of_an_untouched_report_reaches_the_successors_chief(users, abolished):
    NoticeRule.objects.update_or_create(kind=Kind.UNACCEPTED_1, defaults={
        "enabled": True, "days": 1, "audiences": [Audience.DESK, Audience.SECTION_CHIEF]})
    escalation.sweep()
    first = abolished["reports"][0]
    assert notified(users["chief"], Kind.UNACCEPTED_1, first)
    assert not notified(abolished["old_chief"], Kind.UNACCEPTED_1, first)


def test_the_numbers_count_an_abolished_sections_cases_under_its_successor(users, abolished):
    from tests.stats.test_scope import table_cells

    desk = signed_in(users["desk"]).get("/stats/?year=2025").content.decode()
    assert table_cells(desk, "by_section")["市民課"][0] == "2"  # 市民課 itself has none
    assert "窓口サービス課" not in table_cells(desk, "by_section")
    assert table_cells(desk, "by_department")["市民環境部"][0] == "2"
    assert table_cells(desk, "by_department")["健康福祉部"][0] == "0"  # none left where it was
    assert "事務を引き継いだ課に入ります" in desk  # said under the figure
    chief = signed_in(users["chief"]).get("/stats/?year=2025").content.decode()
    assert table_cells(chief, "summary")["事案の件数"][0] == "3件未満"  # 2, in one 課's view
    # The 課 filter offers today's 課 only.
    options = re.search(r'<select name="section".*?</select>', desk, re.S).group(0)
    assert "窓口サービス課" not in options and "市民課" in options


def test_the_queue_filter_on_todays_section_finds_its_predecessors_cases(users, sections, abolished):
    desk = signed_in(users["desk"])
    page = queue_titles(desk, f"&section={sections['市民課'].pk}")
    assert "旧課の事案0" in page and "旧課の事案1" in page
    options = re.search(r'<select name="section".*?</select>', page, re.S).group(0)
    assert "窓口サービス課" not in options
    assert "旧課の事案0" not in queue_titles(desk, f"&section={sections['福祉課'].pk}")


def test_a_section_abolished_without_a_successor_stays_in_the_filter_marked_abolished(users, sections, make_report):
    closed = Section.objects.create(department=sections["市民課"].department, name="閉鎖課")
    make_report(person("closed_staff", closed), title="閉鎖課の事案")
    closed.is_active = False
    closed.save()
    page = queue_titles(signed_in(users["desk"]), f"&section={closed.pk}")
    options = re.search(r'<select name="section".*?</select>', page, re.S).group(0)
    assert "閉鎖課（廃止）" in options and "閉鎖課の事案" in page


def test_a_chain_of_successors_ends_at_the_last_section(users, sections, make_report):
    department = sections["市民課"].department
    a = Section.objects.create(department=department, name="A課")
    b = Section.objects.create(department=department, name="B課")
    c = Section.objects.create(department=department, name="C課")
    chief_c = person("chief_c", c, is_section_chief=True)
    report = make_report(person("staff_a", a))
    a.is_active, a.successor = False, b
    a.save()
    b.is_active, b.successor = False, c
    b.save()

    assert Section.objects.get(pk=a.pk).current_id == c.pk
    assert signed_in(chief_c).get(f"/reports/{report.pk}/").status_code == 200


def test_the_admin_refuses_a_cycle_of_successors(users, sections):
    department = sections["市民課"].department
    a = Section.objects.create(department=department, name="A課", is_active=False)
    b = Section.objects.create(department=department, name="B課", is_active=False, successor=a)
    response = signed_in(users["admin"]).post(f"/admin/organization/section/{a.pk}/change/", {
        "department": department.pk, "name": "A課", "code": "", "successor": b.pk, "order": 0})
    assert response.status_code == 200
    assert "引継ぎ先をたどると元の課に戻ります" in response.content.decode()
    assert Section.objects.get(pk=a.pk).successor_id is None


def test_refresh_succession_and_save_keep_the_current_section_right(users, sections):
    new = Section.objects.create(department=sections["市民課"].department, name="新設課")
    assert new.current_id == new.pk  # a new 課 is its own
    old = Section.objects.create(department=new.department, name="廃止課")
    older = Section.objects.create(department=new.department, name="もっと前の課", is_active=False, successor=old)
    old.is_active, old.successor = False, new
    old.save()
    assert dict(Section.objects.filter(pk__in=[new.pk, old.pk, older.pk]).values_list("pk", "current_id")) == {
        new.pk: new.pk, old.pk: new.pk, older.pk: new.pk}
    # Rows changed behind the model's back (a bulk update) are put right by one call.
    Section.objects.filter(pk=old.pk).update(successor=None)
    assert refresh_succession() == 2
    assert Section.objects.get(pk=older.pk).current_id == old.pk
    assert refresh_succession() == 0


# -- moves and leavers ------------------------------------------------------------------------------

def test_a_staff_member_moved_to_another_section_keeps_their_own_reports_and_drafts(
        users, sections, make_report):
    staff = users["staff"]
    report = make_report(staff, title="異動前の事案")
    draft = make_report(staff, status=Status.DRAFT, title="異動前の書きかけ")
    staff.section = sections["福祉課"]
    staff.save()

    client = signed_in(staff)
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    assert client.get(f"/reports/{draft.pk}/edit/").status_code == 200
    assert "異動前の書きかけ" in client.get("/reports/").content.decode()
    submitted_draft = services.transition(report=draft, name="submit", actor=staff)
    assert submitted_draft.status == Status.SUBMITTED
    # The draft stays with the 課 it was written in: its 所属長 reads it, the new 課's does not.
    assert signed_in(users["chief"]).get(f"/reports/{draft.pk}/").status_code == 200
    assert signed_in(users["chief2"]).get(f"/reports/{draft.pk}/").status_code == 404


def test_a_chief_moved_to_another_section_reads_the_new_ones_reports_and_404s_the_old(
        users, sections, make_report):
    citizens = make_report(users["staff"], title="市民課の事案")
    welfare = make_report(users["staff2"], title="福祉課の事案")
    chief = users["chief"]
    chief.section = sections["福祉課"]
    chief.save()

    client = signed_in(chief)
    assert client.get(f"/reports/{welfare.pk}/").status_code == 200
    assert client.get(f"/reports/{citizens.pk}/").status_code == 404
    page = queue_titles(client)
    assert "福祉課の事案" in page and "市民課の事案" not in page


def test_a_leaver_cannot_sign_in_and_their_name_stays_on_their_report(users, sections, make_report):
    leaver = person("leaver", sections["市民課"])
    report = make_report(leaver, title="退職者の事案")
    leaver.is_active = False
    leaver.save()

    visitor = Client()
    response = visitor.post("/accounts/login/", {"username": "leaver", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in visitor.session
    assert "leaver さん" in text(signed_in(users["desk"]).get(f"/reports/{report.pk}/"))
    # Nothing of theirs can be deleted through the admin.
    admin = signed_in(users["admin"])
    page = admin.get(f"/admin/organization/user/{leaver.pk}/change/").content.decode()
    assert "/delete/" not in page
    assert admin.post(f"/admin/organization/user/{leaver.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=leaver.pk).exists()


# -- the 課 a report was filed in ----------------------------------------------------------------------

def test_a_report_keeps_the_name_of_the_section_it_was_filed_in(users, sections, make_report):
    before = submitted(make_report, users["staff"], title="改称前の事案")
    citizens = sections["市民課"]
    citizens.name = "市民窓口課"
    citizens.save()
    after = submitted(make_report, users["staff"], title="改称後の事案")
    desk = signed_in(users["desk"])

    assert "市民環境部 市民課（現在：市民窓口課）" in text(desk.get(f"/reports/{before.pk}/"))
    assert "市民課（現在：市民窓口課）" in text(desk.get(f"/reports/{before.pk}/print/"))
    page = text(desk.get(f"/reports/{after.pk}/"))
    assert "市民環境部 市民窓口課" in page and "（現在：" not in page
    queue = text(desk.get("/queue/?tab=all"))
    assert "市民課（現在：市民窓口課）" in queue
    # The export's 課 column is the history.
    response = desk.get("/queue/export/file/?tab=all&columns=title&columns=section&format=csv")
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "改称前の事案,市民課" in csv and "改称後の事案,市民窓口課" in csv


def test_a_report_of_an_abolished_section_names_the_section_that_took_over(users, abolished):
    # Filed before the section kept names: the page falls back to the 課's own name.
    first = abolished["reports"][0]
    IncidentReport.objects.filter(pk=first.pk).update(section_name="窓口サービス課")
    page = text(signed_in(users["chief"]).get(f"/reports/{first.pk}/"))
    assert "窓口サービス課（現在：市民課）" in page


# -- the number of queries --------------------------------------------------------------------------

def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries.captured_queries)


def test_a_chiefs_queue_and_case_page_do_not_grow_with_acting_rows_or_abolished_sections(
        users, sections, make_report, django_assert_max_num_queries):
    chief = users["chief"]
    report = make_report(users["staff"])
    client = signed_in(chief)
    client.get("/queue/")  # warm: the session, the content types
    baseline = {path: _queries(client, path) for path in ("/queue/?tab=all", f"/reports/{report.pk}/")}

    department = sections["市民課"].department
    today = timezone.localdate()
    for n in range(8):
        old = Section.objects.create(department=department, name=f"旧課{n}")
        make_report(person(f"old{n}", old), title=f"旧課{n}の事案")
        old.is_active, old.successor = False, sections["市民課"]
        old.save()
        for k, days in enumerate((-30, 0, 30)):  # the chief's own 代理 periods: past, today, future
            ActingAssignment.objects.create(
                user=chief, section=old if k == 0 else sections["福祉課"], reason="試験",
                starts_on=today + datetime.timedelta(days=days - 2), ends_on=today + datetime.timedelta(days=days + 2))
    assert "旧課7の事案" in queue_titles(client)

    for path, count in baseline.items():
        with django_assert_max_num_queries(count):
            client.get(path)
