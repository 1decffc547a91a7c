"""The committee's notices: a case put on an agenda (the invited members, with the meeting date), the
reminder the business day before a meeting, a decision finalised (the reporter and the 所属長; each
measure's owner), and a measure past its due date (its owner, then after the admin's number of
business days the chair). ``sweep`` is run by ``notifications.tasks.sweep`` under beat; like
``incidents.escalation`` it is set-based and safe to run twice at once (keys: the meeting and its
date, the measure and its due date)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone

from incidents.notices import report_rows
from notifications.kinds import Kind
from notifications.outbox import fan_out
from notifications.rules import all_rules
from organization.calendar import add_business_days, business_deadline_cutoff, load_calendar

from .models import AgendaItem, Decision, Invitation, Measure


def _key(*parts):
    return Concat(*[Cast(p, CharField()) if not isinstance(p, Value) else p for p in parts], output_field=CharField())


def agenda_added(*, item: AgendaItem, actor) -> list[int]:
    meeting = item.meeting
    rows = Invitation.objects.filter(meeting=meeting).annotate(n_person=F("user_id"))
    return fan_out(Kind.AGENDA_ADDED, rows, key=str(item.pk), actor=actor, params={
        "meeting": meeting.pk, "report": item.report_id, "starts_at": meeting.starts_at.isoformat(),
    })


def decision_finalised(*, decision: Decision, actor) -> list[int]:
    """The reporter and the 所属長 hear that the policy is decided (a correction tells them again);
    each measure's owner (a person, or the 所属長 of the owning 課) that it is theirs."""
    written = fan_out(Kind.DECISION_FINALISED, report_rows(decision.report_id), key=str(decision.pk), actor=actor,
                      params={"report": decision.report_id, "decision": decision.pk})
    measures = Measure.objects.filter(decision=decision).annotate(
        n_person=F("owner_id"), n_person_section=F("owner_section__current_id"),
        n_key=Cast("pk", CharField()),
        n_params=JSONObject(measure=F("pk"), report=F("decision__report_id"), due_on=F("due_on"), type=F("type__name")),
    )
    return written + fan_out(Kind.MEASURE_ASSIGNED, measures, actor=actor)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone())


@transaction.atomic
def sweep(*, now=None) -> int:
    """Reminders of meetings on or before the next business day, and overdue measures."""
    now = now or timezone.now()
    calendar = load_calendar()
    rules = all_rules()
    today = timezone.localdate(now)
    written = 0

    # The business day before a meeting (a Monday meeting is announced on Friday).
    next_day = add_business_days(today, 1, calendar)
    invitations = Invitation.objects.filter(
        meeting__starts_at__gte=_midnight(today + datetime.timedelta(days=1)),
        meeting__starts_at__lt=_midnight(next_day + datetime.timedelta(days=1)),
        meeting__minutes_approved_at__isnull=True,
    ).annotate(
        n_person=F("user_id"),
        n_key=_key("meeting_id", Value("@"), "meeting__starts_at"),
        n_params=JSONObject(meeting=F("meeting_id"), starts_at=F("meeting__starts_at"), place=F("meeting__place")),
    )
    written += len(fan_out(Kind.MEETING_REMINDER, invitations, rule=rules[Kind.MEETING_REMINDER], now=now))

    open_measures = Measure.objects.filter(
        done_at__isnull=True, decision__finalised_at__isnull=False, decision__superseded_by__isnull=True,
    )

    def overdue(before: datetime.date, days: int = 0):
        return open_measures.filter(due_on__lt=before).annotate(
            n_person=F("owner_id"), n_person_section=F("owner_section__current_id"),
            n_key=_key("pk", Value("@"), "due_on"),
            n_params=JSONObject(measure=F("pk"), report=F("decision__report_id"), due_on=F("due_on"),
                                days=Cast(Value(days), IntegerField())),
        )

    written += len(fan_out(Kind.MEASURE_OVERDUE, overdue(today), rule=rules[Kind.MEASURE_OVERDUE], now=now))
    chair_rule = rules[Kind.MEASURE_OVERDUE_CHAIR]
    if chair_rule.days:
        cutoff = timezone.localdate(business_deadline_cutoff(now, chair_rule.days, calendar))
        written += len(fan_out(Kind.MEASURE_OVERDUE_CHAIR, overdue(cutoff, chair_rule.days), rule=chair_rule, now=now))
    return written
