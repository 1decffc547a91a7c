"""Escalations and reminders in business days, with moved clocks: Japanese public holidays, weekends
and the city's closing days (年末年始) do not count."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committee.models import Decision, Measure, MeasureType
from incidents import escalation
from incidents.lifecycle import Status
from notifications.kinds import Kind
from notifications.models import Notice, NoticeRule

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


def levels(report) -> list[tuple[str, str]]:
    rows = Notice.objects.filter(params__report=report.pk, kind__startswith="unaccepted_")
    return sorted((n.kind, n.recipient.username) for n in rows.select_related("recipient"))


def test_a_report_of_the_friday_before_a_monday_holiday_escalates_on_wednesday_not_monday(users, make_report):
    # 2026-07-17 is a Friday; Monday 2026-07-20 is 海の日.
    report = make_report(users["staff"], submitted_at=at(2026, 7, 17, 10, 0))

    escalation.sweep(now=at(2026, 7, 20, 17, 0))  # Monday (holiday) evening: not one business day yet
    assert levels(report) == []

    escalation.sweep(now=at(2026, 7, 21, 0, 5))  # Tuesday: 1 business day → the 相談窓口
    assert levels(report) == [(Kind.UNACCEPTED_1, "desk"), (Kind.UNACCEPTED_1, "desk2")]

    escalation.sweep(now=at(2026, 7, 21, 23, 55))  # still Tuesday: no 総務課長 yet
    assert len(levels(report)) == 2

    escalation.sweep(now=at(2026, 7, 22, 9, 0))  # Wednesday: 2 business days → the 総務課長
    assert (Kind.UNACCEPTED_2, "gachief") in levels(report)
    assert (Kind.UNACCEPTED_3, "gadir") not in levels(report)

    escalation.sweep(now=at(2026, 7, 23, 9, 0))  # Thursday: 3 → the 総務部長
    assert levels(report) == [
        (Kind.UNACCEPTED_1, "desk"), (Kind.UNACCEPTED_1, "desk2"),
        (Kind.UNACCEPTED_2, "gachief"), (Kind.UNACCEPTED_3, "gadir"),
    ]


def test_a_report_of_28_december_waits_until_5_january(users, make_report):
    report = make_report(users["staff"], submitted_at=at(2026, 12, 28, 16, 0))

    escalation.sweep(now=at(2027, 1, 3, 23, 0))  # 29 Dec – 3 Jan: the city's closing days
    assert levels(report) == []
    escalation.sweep(now=at(2027, 1, 4, 9, 0))  # Monday 4 January: the first business day
    assert [kind for kind, _ in levels(report)] == [Kind.UNACCEPTED_1, Kind.UNACCEPTED_1]
    escalation.sweep(now=at(2027, 1, 5, 9, 0))  # Tuesday 5 January: the escalation to the 総務課長
    assert (Kind.UNACCEPTED_2, "gachief") in levels(report)


def test_an_accepted_or_returned_report_is_not_escalated(users, make_report):
    accepted = make_report(users["staff"], status=Status.ACCEPTED, submitted_at=at(2026, 7, 1, 10, 0))
    returned = make_report(users["staff"], status=Status.RETURNED, submitted_at=at(2026, 7, 1, 10, 0))
    confirmed = make_report(users["staff"], status=Status.CONFIRMED, submitted_at=at(2026, 7, 1, 10, 0))

    escalation.sweep(now=at(2026, 7, 10, 9, 0))

    assert levels(accepted) == levels(returned) == []
    assert len(levels(confirmed)) == 4  # confirmed by the 所属長 but nobody at the 相談窓口 took it


def test_the_sweep_run_again_writes_nothing_and_a_resubmission_starts_a_new_round(users, make_report):
    report = make_report(users["staff"], submitted_at=at(2026, 7, 1, 10, 0))
    assert escalation.sweep(now=at(2026, 7, 10, 9, 0)) == 4
    assert escalation.sweep(now=at(2026, 7, 10, 9, 5)) == 0

    report.submitted_at = at(2026, 7, 13, 10, 0)  # returned, corrected and submitted again
    report.save(update_fields=["submitted_at"])
    assert escalation.sweep(now=at(2026, 7, 14, 9, 0)) == 2  # the new round's first level


def test_the_admin_sets_the_thresholds(users, make_report):
    NoticeRule.objects.filter(kind=Kind.UNACCEPTED_1).update(days=3)
    NoticeRule.objects.filter(kind__in=[Kind.UNACCEPTED_2, Kind.UNACCEPTED_3]).update(enabled=False)
    report = make_report(users["staff"], submitted_at=at(2026, 7, 17, 10, 0))

    escalation.sweep(now=at(2026, 7, 22, 9, 0))
    assert levels(report) == []
    escalation.sweep(now=at(2026, 7, 23, 9, 0))
    assert levels(report) == [(Kind.UNACCEPTED_1, "desk"), (Kind.UNACCEPTED_1, "desk2")]


def test_the_sweeps_queries_do_not_grow_with_the_number_of_cases(users, make_report):
    make_report(users["staff"], submitted_at=at(2026, 7, 1, 10, 0))
    with CaptureQueriesContext(connection) as one:
        escalation.sweep(now=at(2026, 7, 10, 9, 0))
    for day in range(2, 32):
        make_report(users["staff2"], submitted_at=at(2026, 7, 1, 10, 0).replace(day=min(day, 30)))
    with CaptureQueriesContext(connection) as many:
        written = escalation.sweep(now=at(2026, 8, 20, 9, 0))

    assert written == 30 * 4
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_meeting_is_announced_on_the_business_day_before_it(users, make_meeting):
    from committee import reminders

    monday = make_meeting(members={"chair": "chair", "member": "member"})
    monday.starts_at = at(2026, 7, 27, 10, 0)
    monday.save()
    after_holiday = make_meeting(members={"member": "member"}, title="臨時会")
    after_holiday.starts_at = at(2026, 7, 21, 14, 0)  # the Tuesday after 海の日
    after_holiday.save()

    def reminded(meeting):
        return sorted(Notice.objects.filter(kind=Kind.MEETING_REMINDER, params__meeting=meeting.pk)
                      .values_list("recipient__username", flat=True))

    reminders.sweep(now=at(2026, 7, 16, 9, 0))  # Thursday
    assert reminded(after_holiday) == []
    reminders.sweep(now=at(2026, 7, 17, 9, 0))  # Friday: the business day before Tuesday 21st
    assert reminded(after_holiday) == ["member"]
    reminders.sweep(now=at(2026, 7, 23, 9, 0))  # Thursday before the Monday meeting
    assert reminded(monday) == []
    reminders.sweep(now=at(2026, 7, 24, 9, 0))  # Friday
    assert reminded(monday) == ["chair", "member"]
    reminders.sweep(now=at(2026, 7, 24, 15, 0))
    assert Notice.objects.filter(kind=Kind.MEETING_REMINDER).count() == 3


def test_an_overdue_measure_reaches_its_owner_then_the_chair(users, make_report, make_meeting):
    from committee import reminders

    report = make_report(users["staff"], status=Status.DECIDED)
    meeting = make_meeting(cases=[report])
    decision = Decision.objects.create(item=meeting.items.get(), report=report, judged="yes", policy="警告する",
                                       created_by=users["chair"], finalised_at=at(2026, 7, 1, 10, 0),
                                       finalised_by=users["chair"])
    measure = Measure.objects.create(decision=decision, type=MeasureType.objects.first(), owner=users["desk2"],
                                     due_on=date(2026, 7, 16))

    def told():
        return sorted(Notice.objects.filter(params__measure=measure.pk).values_list("kind", "recipient__username"))

    reminders.sweep(now=at(2026, 7, 16, 18, 0))  # the due day itself
    assert told() == []
    reminders.sweep(now=at(2026, 7, 17, 9, 0))
    assert told() == [(Kind.MEASURE_OVERDUE, "desk2")]
    reminders.sweep(now=at(2026, 7, 21, 9, 0))  # 17th, (20th 海の日), 21st: 2 business days
    assert told() == [(Kind.MEASURE_OVERDUE, "desk2")]
    reminders.sweep(now=at(2026, 7, 22, 9, 0))  # 3 business days after the due date
    assert told() == [(Kind.MEASURE_OVERDUE, "desk2"), (Kind.MEASURE_OVERDUE_CHAIR, "chair")]

    measure.done_at = at(2026, 7, 22, 10, 0)
    measure.save()
    Notice.objects.all().delete()
    reminders.sweep(now=at(2026, 7, 30, 9, 0))
    assert told() == []
