"""Check-ins with the staff member after a report that records mental harm: scheduled at 提出 in
business days (moved clocks: holidays, weekends and the city's 年末年始 do not count), shown to the
相談窓口 in the queue when due, announced once by the sweep, and their outcome recorded once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from care import services, sweeps
from care.models import CareEvent, CheckIn, EventAction
from incidents import services as incident_services
from incidents.lifecycle import Status
from notifications.kinds import Kind
from notifications.models import Notice
from tests.care.conftest import at

pytestmark = pytest.mark.django_db


def due_dates(report) -> list[date]:
    return list(CheckIn.objects.filter(report=report).order_by("number").values_list("due_on", flat=True))


def submit_at(monkeypatch, report, moment):
    """Submit through the real lifecycle move with the clock at ``moment``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return incident_services.transition(report=report, name="submit", actor=report.reporter)


# -- scheduling ---------------------------------------------------------------------------------------

def test_submitting_a_report_with_mental_harm_on_the_friday_before_a_holiday(users, make_report, monkeypatch):
    """Friday 2026-07-17, Monday 07-20 海の日: a week = 5 business days → Monday 07-27 (not Friday
    07-24); a month = 20 → Tuesday 08-18 (08-11 山の日 does not count)."""
    draft = make_report(users["staff"], status=Status.DRAFT, harm_mental=True)

    submit_at(monkeypatch, draft, at(2026, 7, 17, 10, 0))

    assert due_dates(draft) == [date(2026, 7, 27), date(2026, 8, 18)]
    checkin = CheckIn.objects.filter(report=draft).first()
    assert checkin.person == users["staff"] and checkin.business_days == 5
    assert CareEvent.objects.filter(report=draft, action=EventAction.CHECKIN_SCHEDULED).count() == 2


def test_a_report_of_28_december_is_checked_on_after_the_year_end_closing_days(users, make_report, monkeypatch):
    """29 Dec – 3 Jan are the city's closing days and 11 Jan 2027 is 成人の日."""
    draft = make_report(users["staff"], status=Status.DRAFT, wants_mental_care=True)

    submit_at(monkeypatch, draft, at(2026, 12, 28, 16, 0))

    assert due_dates(draft) == [date(2027, 1, 8), date(2027, 2, 1)]


def test_the_day_of_submission_is_the_local_day(users, make_report, monkeypatch):
    """08:00 on Friday in Tokyo is still Thursday in UTC: counted from Friday, the check-in is on
    Monday 07-27, not Friday 07-24."""
    draft = make_report(users["staff"], status=Status.DRAFT, harm_mental=True)
    submit_at(monkeypatch, draft, at(2026, 7, 17, 8, 0))
    assert due_dates(draft)[0] == date(2026, 7, 27)


def test_no_check_ins_for_a_report_without_mental_harm_or_a_wish_for_follow_up(users, make_report, monkeypatch):
    draft = make_report(users["staff"], status=Status.DRAFT, harm_physical=True, wants_consultation=True)
    submit_at(monkeypatch, draft, at(2026, 7, 17, 10, 0))
    assert due_dates(draft) == []


def test_a_resubmission_after_return_keeps_the_first_schedule(users, make_report, monkeypatch):
    draft = make_report(users["staff"], status=Status.DRAFT, harm_mental=True)
    submitted = submit_at(monkeypatch, draft, at(2026, 7, 17, 10, 0))
    incident_services.transition(report=submitted, name="return", actor=users["desk"], reason="言動をそのまま書いてください")

    submit_at(monkeypatch, draft, at(2026, 7, 22, 10, 0))

    assert due_dates(draft) == [date(2026, 7, 27), date(2026, 8, 18)]


def test_mental_harm_added_when_correcting_a_returned_report_schedules_from_the_resubmission(
        users, make_report, monkeypatch):
    draft = make_report(users["staff"], status=Status.DRAFT)
    submitted = submit_at(monkeypatch, draft, at(2026, 7, 17, 10, 0))
    incident_services.transition(report=submitted, name="return", actor=users["desk"], reason="被害も書いてください")
    type(draft).objects.filter(pk=draft.pk).update(harm_mental=True)

    submit_at(monkeypatch, draft, at(2026, 7, 22, 10, 0))  # Wednesday

    assert due_dates(draft)[0] == date(2026, 7, 29)


def test_the_days_are_a_setting(users, make_report, monkeypatch, settings):
    settings.KASUHARA_CARE_CHECKIN_DAYS = [1]
    draft = make_report(users["staff"], status=Status.DRAFT, harm_mental=True)
    submit_at(monkeypatch, draft, at(2026, 7, 17, 10, 0))
    assert due_dates(draft) == [date(2026, 7, 21)]


# -- the sweep's notice -------------------------------------------------------------------------------

def checkin_notices(checkin) -> list[str]:
    rows = Notice.objects.filter(kind=Kind.CARE_CHECKIN_DUE, params__checkin=checkin.pk)
    return sorted(rows.values_list("recipient__username", flat=True))


def test_the_desk_is_told_on_the_due_day_once_and_not_after_the_outcome(users, harmed_report):
    report = harmed_report(submitted_at=at(2026, 7, 17, 10, 0))
    first, second = services.schedule_checkins(report=report)

    sweeps.sweep(now=at(2026, 7, 26, 23, 59))  # Sunday before the due Monday
    assert checkin_notices(first) == []

    assert sweeps.sweep(now=at(2026, 7, 27, 0, 5)) == 2
    assert checkin_notices(first) == ["desk", "desk2"]
    assert sweeps.sweep(now=at(2026, 7, 27, 9, 0)) == 0  # run again: nothing new
    notice = Notice.objects.filter(kind=Kind.CARE_CHECKIN_DUE, recipient=users["desk"]).get()
    assert notice.params["report"] == report.pk

    services.record_checkin(checkin=second, actor=users["desk"], outcome="declined")
    sweeps.sweep(now=at(2026, 9, 1, 9, 0))
    assert checkin_notices(second) == []


def test_the_notice_leads_the_desk_to_the_check_in(users, harmed_report, client_as):
    from notifications.render import link_path

    report = harmed_report(submitted_at=at(2026, 7, 17, 10, 0))
    first, _second = services.schedule_checkins(report=report)
    sweeps.sweep(now=at(2026, 7, 27, 9, 0))
    notice = Notice.objects.get(kind=Kind.CARE_CHECKIN_DUE, recipient=users["desk"])

    assert link_path(notice) == f"/care/checkins/{first.pk}/"
    assert client_as("desk").get(link_path(notice)).status_code == 200


def test_the_sweep_runs_with_the_others(users, harmed_report, settings):
    from notifications.tasks import sweep

    assert "care.sweeps.sweep" in settings.KASUHARA_NOTICE_SWEEPS
    report = harmed_report(submitted_at=at(2026, 7, 1, 10, 0))
    services.schedule_checkins(report=report)
    assert sweep()["care.sweeps.sweep"] == 4  # both are due today (2026 onwards): desk and desk2 each


# -- recording the outcome ----------------------------------------------------------------------------

@pytest.fixture
def checkin(harmed_report):
    report = harmed_report(submitted_at=at(2026, 7, 17, 10, 0))
    return services.schedule_checkins(report=report)[0]


def test_the_desk_records_the_outcome(client_as, users, checkin):
    response = client_as("desk").post(f"/care/checkins/{checkin.pk}/",
                                      {"outcome": "contacted", "note": "体調は落ち着いている。"})

    assert response.status_code == 302
    checkin.refresh_from_db()
    assert (checkin.outcome, checkin.note, checkin.done_by) == ("contacted", "体調は落ち着いている。", users["desk"])
    event = CareEvent.objects.get(checkin=checkin, action=EventAction.CHECKIN_RECORDED)
    assert event.actor == users["desk"] and "体調" not in str(event.detail)
    page = client_as("desk2").get(f"/care/checkins/{checkin.pk}/").content.decode()
    assert "話を聞いた" in page and 'id="checkin-form"' not in page


def test_a_second_record_is_refused_and_keeps_what_was_typed(client_as, checkin):
    client_as("desk").post(f"/care/checkins/{checkin.pk}/", {"outcome": "contacted", "note": "一回目"})

    response = client_as("desk2").post(f"/care/checkins/{checkin.pk}/", {"outcome": "declined", "note": "二回目の記録"})

    assert response.status_code == 409
    body = response.content.decode()
    assert "記録済み" in body and "二回目の記録" in body
    checkin.refresh_from_db()
    assert (checkin.outcome, checkin.note) == ("contacted", "一回目")


@pytest.mark.parametrize("outcome", ["", "finished", "ｃｏｎｔａｃｔｅｄ"])
def test_a_missing_or_unknown_outcome_is_a_japanese_message_not_a_500(client_as, checkin, outcome):
    response = client_as("desk").post(f"/care/checkins/{checkin.pk}/", {"outcome": outcome, "note": "入力したメモ"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "結果" in body and "選んでください" in body and "入力したメモ" in body
    checkin.refresh_from_db()
    assert not checkin.is_done


@pytest.mark.parametrize("role", ["staff", "chief", "director", "nurse", "chair", "admin", "staff2"])
def test_only_the_desk_opens_or_records_check_ins(client_as, checkin, role):
    client = client_as(role)
    assert client.get("/care/checkins/").status_code == 404
    assert client.get(f"/care/checkins/{checkin.pk}/").status_code == 404
    assert client.post(f"/care/checkins/{checkin.pk}/", {"outcome": "contacted"}).status_code == 404
    checkin.refresh_from_db()
    assert not checkin.is_done


def test_every_showing_of_a_check_in_is_on_record(client_as, users, checkin):
    client_as("desk").get(f"/care/checkins/{checkin.pk}/")
    client_as("desk2").get(f"/care/checkins/{checkin.pk}/")
    viewers = CareEvent.objects.filter(checkin=checkin, action=EventAction.CHECKIN_VIEWED).values_list(
        "actor__username", flat=True)
    assert sorted(viewers) == ["desk", "desk2"]


# -- the queue and the home page ----------------------------------------------------------------------

def test_due_check_ins_are_in_the_desks_queue_and_later_ones_are_not(client_as, users, harmed_report):
    report = harmed_report(submitted_at=timezone.now() - timedelta(days=10))
    due, later = services.schedule_checkins(report=report)

    desk_queue = client_as("desk").get("/queue/").content.decode()
    assert f"/care/checkins/{due.pk}/" in desk_queue and f"/care/checkins/{later.pk}/" not in desk_queue
    chief_queue = client_as("chief").get("/queue/").content.decode()
    assert "queue-care" not in chief_queue and f"/care/checkins/{due.pk}/" not in chief_queue

    services.record_checkin(checkin=due, actor=users["desk"], outcome="contacted")
    assert f"/care/checkins/{due.pk}/" not in client_as("desk").get("/queue/").content.decode()


def test_the_queue_section_costs_one_query_whatever_the_number_of_due_check_ins(client_as, users, make_report):
    client = client_as("desk")

    def queries() -> int:
        client.get("/queue/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/queue/").status_code == 200
        return len(captured.captured_queries)

    old = timezone.now() - timedelta(days=40)
    services.schedule_checkins(report=make_report(users["staff"], harm_mental=True, submitted_at=old))
    few = queries()
    for _ in range(8):
        services.schedule_checkins(report=make_report(users["staff2"], harm_mental=True, submitted_at=old))
    assert queries() == few


def test_the_staff_member_sees_on_the_home_page_that_the_desk_will_contact_them(client_as, users, checkin):
    home = client_as("staff").get("/").content.decode()
    assert "相談窓口から、その後のご様子をうかがう連絡をします" in home
    assert "令和8年7月27日 (2026-07-27)" in home
    assert 'href="/consultations/new/"' in home.split('id="home-care"')[1].split("</section>")[0]

    assert 'id="home-care"' not in client_as("staff2").get("/").content.decode()

    for each in CheckIn.objects.filter(report=checkin.report):
        services.record_checkin(checkin=each, actor=users["desk"], outcome="contacted")
    assert 'id="home-care"' not in client_as("staff").get("/").content.decode()
