"""The check-ins that fall due: one ``CARE_CHECKIN_DUE`` notice per check-in to the 相談窓口 (the
admin's rule), on its due day or at the first sweep after it. Run by ``notifications.tasks.sweep``
(``KASUHARA_NOTICE_SWEEPS``) under beat; set-based like ``incidents.escalation``: one
``INSERT … SELECT`` over the open check-ins due by today, keyed by the check-in, so a sweep run
twice, or two at once, writes each notice once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import CharField, F
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone

from notifications.kinds import Kind
from notifications.outbox import fan_out

from . import policies
from .models import CheckIn


def due_checkins(today):
    """Open check-ins due on or before ``today`` (a local date), of reports that were filed."""
    return CheckIn.objects.filter(done_at__isnull=True, due_on__lte=today,
                                  report__status__in=policies.filed_statuses())


@transaction.atomic
def sweep(*, now=None) -> int:
    """Write the notices of the check-ins due at ``now``; returns how many were written."""
    now = now or timezone.now()
    rows = due_checkins(timezone.localdate(now)).annotate(
        n_key=Cast("pk", CharField()),
        n_params=JSONObject(checkin=F("pk"), report=F("report_id"), due_on=F("due_on")),
    )
    return len(fan_out(Kind.CARE_CHECKIN_DUE, rows, now=now))
