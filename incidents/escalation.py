"""The escalation of reports nobody accepts: after the admin's number of business days (defaults
1, 2, 3) a reminder to the 相談窓口, then the 総務課長, then the 総務部長 (``notifications``'s rules
unaccepted_1 … 3). Run by ``notifications.tasks.sweep`` every few minutes under beat.

Set-based: each level is one ``INSERT … SELECT`` over the waiting reports submitted before that
level's cutoff (``organization.calendar.business_deadline_cutoff``; holidays, weekends and the
city's closing days do not count), found through an index on the status. The statements do not
grow with the number of cases: 1 (closing days) + 1 (rules) + 1 per enabled level, in one
transaction (``bench/notices.py`` counts them on 10,000 and 100,000 reports). A notice's key is the report and its
submission time, so a sweep run twice, or two at once, writes each notice once, and a report
returned and submitted again starts a new round.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils import timezone

from notifications.kinds import Kind
from notifications.outbox import fan_out, section_columns
from notifications.rules import all_rules
from organization.calendar import business_deadline_cutoff, load_calendar

from .lifecycle import WAITING
from .models import IncidentReport

LEVELS = (Kind.UNACCEPTED_1, Kind.UNACCEPTED_2, Kind.UNACCEPTED_3)


def waiting_since(cutoff, days: int):
    return IncidentReport.objects.filter(status__in=WAITING, submitted_at__lt=cutoff).annotate(
        **section_columns(),
        n_reporter=F("reporter_id"),
        n_key=Concat(Cast("pk", CharField()), Value("@"), Cast("submitted_at", CharField()), output_field=CharField()),
        n_params=JSONObject(report=F("pk"), days=Cast(Value(days), IntegerField())),
    )


@transaction.atomic
def sweep(*, now=None) -> int:
    """Write the escalations that are due at ``now``; returns how many notices were written."""
    now = now or timezone.now()
    calendar = load_calendar()
    rules = all_rules()
    written = 0
    for kind in LEVELS:
        rule = rules[kind]
        if not rule.enabled or not rule.days:
            continue
        cutoff = business_deadline_cutoff(now, rule.days, calendar)
        written += len(fan_out(kind, waiting_since(cutoff, rule.days), rule=rule, now=now))
    return written
