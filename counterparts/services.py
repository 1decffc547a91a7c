"""Writes to the counterpart register. Each function is keyword-only, checks the actor again, runs in
one transaction and leaves a ``CounterpartEvent`` behind; linking and unlinking a report also leave a
``ReportEvent`` on the report, so its own history shows it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.lifecycle import Status
from incidents.models import IncidentReport
from incidents.notices import report_rows
from incidents.services import record_event as record_report_event
from notifications.kinds import Kind
from notifications.outbox import fan_out
from notifications.rules import rule_for

from . import policies
from .models import Counterpart, CounterpartAction, CounterpartEvent, CounterpartLink, Measure, name_key

if TYPE_CHECKING:
    from organization.models import User

#: Actions on the report's own audit trail (incidents.models.EventAction).
REPORT_LINKED = "counterpart_linked"
REPORT_UNLINKED = "counterpart_unlinked"

COUNTERPART_FIELDS = ("name", "phone", "address", "sex", "age_band", "relation", "description")
MEASURE_FIELDS = ("kind", "description", "handler", "decided_by", "decided_on", "starts_on", "ends_on")


def _require_manager(actor: User) -> None:
    if not policies.can_manage_counterparts(actor):
        raise PermissionDenied


def record_event(
    *, counterpart: Counterpart, actor: User | None, action: str, ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> CounterpartEvent:
    return CounterpartEvent.objects.create(
        counterpart=counterpart, actor=actor, action=action, ip_address=ip_address, detail=detail or {}
    )


def record_view(*, counterpart: Counterpart, actor: User, ip_address: str | None) -> None:
    """Every view of a counterpart page is an audit event."""
    if not policies.can_see_counterparts(actor):
        raise PermissionDenied
    record_event(counterpart=counterpart, actor=actor, action=CounterpartAction.VIEWED, ip_address=ip_address)


@transaction.atomic
def create_from_report(
    *, actor: User, report: IncidentReport, data: dict[str, Any], ip_address: str | None
) -> Counterpart:
    """Register a counterpart (from the form prefilled with the report's 相手方) and link the report.

    The same form sent twice (a double click) registers once: a counterpart of the same name already
    linked to this report is the one the first post made."""
    _require_manager(actor)
    IncidentReport.objects.select_for_update().filter(pk=report.pk).first()  # one registration at a time
    earlier = Counterpart.objects.filter(
        links__report=report, name_key=name_key(data.get("name", "")), created_by=actor
    ).first()
    if earlier is not None:
        return earlier
    counterpart = Counterpart.objects.create(created_by=actor, **{f: data.get(f, "") for f in COUNTERPART_FIELDS})
    record_event(
        counterpart=counterpart, actor=actor, action=CounterpartAction.CREATED, ip_address=ip_address,
        detail={"report": report.pk},
    )
    link_report(actor=actor, counterpart=counterpart, report=report, ip_address=ip_address)
    return counterpart


@transaction.atomic
def link_report(
    *, actor: User, counterpart: Counterpart, report: IncidentReport, ip_address: str | None
) -> CounterpartLink:
    """Link a submitted report to the counterpart (once; linking again changes nothing)."""
    _require_manager(actor)
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if report.status == Status.DRAFT:
        raise ValidationError(_("下書きの連絡票は相手方に紐付けできません。提出後に紐付けてください。"))
    if not policies.can_link_report(actor, report):
        raise PermissionDenied
    link, created = CounterpartLink.objects.get_or_create(
        counterpart=counterpart, report=report, defaults={"linked_by": actor}
    )
    if created:
        record_event(
            counterpart=counterpart, actor=actor, action=CounterpartAction.LINKED, ip_address=ip_address,
            detail={"report": report.pk},
        )
        record_report_event(
            report=report, actor=actor, action=REPORT_LINKED, ip_address=ip_address,
            detail={"counterpart": counterpart.pk},
        )
        _alert_repeat(counterpart=counterpart, report=report, actor=actor)
    return link


def _alert_repeat(*, counterpart: Counterpart, report: IncidentReport, actor: User) -> None:
    """The same counterpart in another report within the admin's number of days (default 90, by the
    date of the incident): the 相談窓口 hears of it (``notifications`` rule counterpart_repeat)."""
    rule = rule_for(Kind.COUNTERPART_REPEAT)
    when = report.occurred_start or report.submitted_at or report.created_at
    if not rule.enabled or not rule.days or when is None:
        return
    window = datetime.timedelta(days=rule.days)
    others = (
        CounterpartLink.objects.filter(counterpart=counterpart).exclude(report=report)
        .filter(report__occurred_start__gte=when - window, report__occurred_start__lte=when + window)
        .count()
    )
    if others:
        fan_out(Kind.COUNTERPART_REPEAT, report_rows(report.pk), key=f"{counterpart.pk}:{report.pk}", actor=actor,
                rule=rule, params={"report": report.pk, "counterpart": counterpart.pk, "others": others, "days": rule.days})


@transaction.atomic
def unlink_report(
    *, actor: User, counterpart: Counterpart, report: IncidentReport, reason: str, ip_address: str | None
) -> None:
    _require_manager(actor)
    deleted, _rows = CounterpartLink.objects.filter(counterpart=counterpart, report=report).delete()
    if not deleted:
        return
    record_event(
        counterpart=counterpart, actor=actor, action=CounterpartAction.UNLINKED, ip_address=ip_address,
        detail={"report": report.pk, "reason": reason},
    )
    record_report_event(
        report=report, actor=actor, action=REPORT_UNLINKED, ip_address=ip_address, reason=reason,
        detail={"counterpart": counterpart.pk},
    )


@transaction.atomic
def update_counterpart(
    *, actor: User, counterpart: Counterpart, data: dict[str, Any], ip_address: str | None
) -> Counterpart:
    """Save the edited fields; the event names the fields that changed (not their values)."""
    _require_manager(actor)
    counterpart = Counterpart.objects.select_for_update().get(pk=counterpart.pk)
    changed = [f for f in COUNTERPART_FIELDS if f in data and getattr(counterpart, f) != data[f]]
    if not changed:
        return counterpart
    for field in changed:
        setattr(counterpart, field, data[field])
    counterpart.save(update_fields=changed)
    record_event(
        counterpart=counterpart, actor=actor, action=CounterpartAction.EDITED, ip_address=ip_address,
        detail={"fields": changed},
    )
    return counterpart


@transaction.atomic
def add_measure(*, actor: User, counterpart: Counterpart, data: dict[str, Any], ip_address: str | None) -> Measure:
    _require_manager(actor)
    measure = Measure.objects.create(
        counterpart=counterpart, recorded_by=actor, **{f: data.get(f) for f in MEASURE_FIELDS if f in data}
    )
    record_event(
        counterpart=counterpart, actor=actor, action=CounterpartAction.MEASURE_ADDED, ip_address=ip_address,
        detail={
            "measure": measure.pk,
            "kind": measure.kind,
            "starts_on": measure.starts_on.isoformat(),
            "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
        },
    )
    return measure


@transaction.atomic
def end_measure(
    *, actor: User, measure: Measure, ended_on: datetime.date, reason: str, ip_address: str | None
) -> Measure:
    """Record the end of a measure (once: a measure already ended is left as it is)."""
    _require_manager(actor)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.ended_on is not None:
        return measure
    measure.ended_on, measure.ended_by, measure.end_reason = ended_on, actor, reason
    measure.save(update_fields=["ended_on", "ended_by", "end_reason"])
    record_event(
        counterpart=measure.counterpart, actor=actor, action=CounterpartAction.MEASURE_ENDED,
        ip_address=ip_address,
        detail={"measure": measure.pk, "kind": measure.kind, "ended_on": ended_on.isoformat(), "reason": reason},
    )
    return measure
