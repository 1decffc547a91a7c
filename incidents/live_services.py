"""Writes of the live recorder (対応中の記録): the steps the browser sends, and 「連絡票にする」.

Each function is keyword-only and runs in one transaction; every change leaves an audit event
behind (a ``LiveEvent`` on the record; the report made from it gets its ``ReportEvent``).
The rules — what a step means, who may, what a sync may carry — are in ``live.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manual.models import HarassmentType

from . import live, policies, services
from .lifecycle import Status
from .models import EventAction, IncidentReport, LiveAction, LiveEvent, LiveRecord, LiveStep, TimelineEntry

if TYPE_CHECKING:
    from organization.models import User


@dataclass
class SyncResult:
    """The record after the sync (None when the browser named none, or one the server does not
    have and sent nothing for it), the operations now stored (ids, also those stored by an earlier
    send), and those refused with a Japanese message (id, message)."""

    record: LiveRecord | None
    steps: list[LiveStep] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def sync(*, owner: User, request: live.SyncRequest, ip_address: str | None = None) -> SyncResult:
    """Store what the browser sends for one of the owner's records, in order: each new step once
    (a step already stored is confirmed again and left as it is), each undo once. The record is
    made on its first step; its row is locked, so two sends of the same steps at once store them once."""
    if not owner.is_authenticated or not owner.is_active:
        raise PermissionDenied
    result = SyncResult(record=None, rejected=list(request.rejected))
    if request.record is None:
        return result
    record = _locked(owner, request.record)
    if record is None:
        if not request.ops:
            return result
        record = _start(owner=owner, request=request, ip_address=ip_address)
    steps = {s.client_id: s for s in record.steps.all()}
    reported = live.is_reported(record)
    now = timezone.now()
    events = []
    for op in request.ops:
        if isinstance(op, live.StepOp):
            if op.id not in steps:
                refused = _over_limit(steps.values())
                if refused:
                    result.rejected.append((str(op.id), refused))
                    continue
                steps[op.id] = LiveStep.objects.create(
                    record=record, client_id=op.id, kind=op.kind, at=op.at, note=op.note, received_at=now
                )
                detail = {"step": str(op.id), "kind": op.kind, "at": op.at.isoformat()}
                if reported:
                    detail["after_report"] = record.report_id  # arrived late: not in the report's 経過
                events.append(LiveEvent(record=record, actor=owner, action=LiveAction.STEP, ip_address=ip_address,
                                        detail=detail))
            result.confirmed.append(str(op.id))
            continue
        step = steps.get(op.step)
        if step is None:
            result.rejected.append((str(op.id), _("取り消す記録が見つかりません。")))
        elif step.undone_at is not None:
            result.confirmed.append(str(op.id))
        elif reported:
            result.rejected.append((str(op.id), _(
                "この記録はすでに連絡票（No.%(number)s）にしたため、取り消せません。連絡票の経過記録を直してください。"
            ) % {"number": record.report_id}))
        else:
            step.undone_at = now
            step.save(update_fields=["undone_at"])
            events.append(LiveEvent(record=record, actor=owner, action=LiveAction.UNDONE, ip_address=ip_address,
                                    detail={"step": str(step.client_id), "kind": step.kind}))
            result.confirmed.append(str(op.id))
    LiveEvent.objects.bulk_create(events)
    _summarise(record, steps.values())
    result.record, result.steps = record, list(steps.values())
    return result


def _locked(owner: User, client_id) -> LiveRecord | None:
    return (
        LiveRecord.objects.select_for_update(of=("self",)).select_related("harassment_type", "report")
        .filter(owner=owner, client_id=client_id).first()
    )


def _start(*, owner: User, request: live.SyncRequest, ip_address: str | None) -> LiveRecord:
    """The record, made by its first sync (or by a send of the same steps that won the race)."""
    harassment_type = HarassmentType.objects.filter(code=request.type_code).first()
    if harassment_type is None:
        raise ValidationError(_("この態様はマニュアルにありません。ページを開き直してください（記録はこの端末に残っています）。"))
    try:
        with transaction.atomic():
            record = LiveRecord.objects.create(owner=owner, client_id=request.record, harassment_type=harassment_type)
    except IntegrityError:
        # The same record's other send made it a moment ago (the unique id said so).
        return _locked(owner, request.record)
    LiveEvent.objects.create(record=record, actor=owner, action=LiveAction.STARTED, ip_address=ip_address,
                             detail={"type": harassment_type.code})
    return _locked(owner, request.record)


def _over_limit(steps) -> str:
    steps = list(steps)
    if len(live.active(steps)) >= live.MAX_ACTIVE_STEPS:
        return _("一つの記録に残せるのは %(n)s 件までです。続きは連絡票の経過記録に書いてください。") % {"n": live.MAX_ACTIVE_STEPS}
    if len(steps) >= live.MAX_STEPS:
        return _("この記録は取り消しを含めて %(n)s 件に達したため、これ以上記録できません。") % {"n": live.MAX_STEPS}
    return ""


def _summarise(record: LiveRecord, steps) -> None:
    summary = live.summarise(steps)
    values = {"started_at": summary.first_at, "last_at": summary.last_at, "ended_at": summary.ended_at}
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.save(update_fields=changed)


@transaction.atomic
def make_report(*, owner: User, record: LiveRecord, ip_address: str | None = None) -> tuple[IncidentReport, bool]:
    """「連絡票にする」: a draft 発生連絡票 owned by the record's owner, with 発生日時 from the first to
    the last step, the 態様 of the record, a 経過 row per step (undone ones left out), and the counts
    and flags; made the way every report is made (a ``created`` event naming the live record, the
    search text). The record stays linked to it. Pressed twice, it makes one report: the second
    press answers the first one's (``False``). A record whose draft was discarded may be made again."""
    locked = (
        LiveRecord.objects.select_for_update(of=("self",)).select_related("harassment_type", "report")
        .get(pk=record.pk)
    )
    if not live.can_use(owner, locked):
        raise PermissionDenied
    if live.is_reported(locked):
        return locked.report, False
    if not policies.can_file_report(owner):
        raise ValidationError(_("所属（課）が登録されていないため、連絡票を作成できません。管理者に連絡してください。"))
    steps = list(locked.steps.all())
    rows = live.timeline_rows(steps)
    if not rows:
        raise ValidationError(_("まだ何も記録していないため、連絡票にできません。"))
    report = IncidentReport.objects.create(
        reporter=owner,
        section_id=owner.section_id,
        status=Status.DRAFT,
        title=_("%(type)s：対応中の記録から作成") % {"type": locked.harassment_type.name},
        **live.report_values(steps),
    )
    report.harassment_types.add(locked.harassment_type)
    report.staff_members.add(owner)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(report=report, at=at, kind=kind, description=words, actor_name=str(owner))
        for at, kind, words in rows
    )
    services.refresh_search_text(report)
    services.record_event(
        report=report, actor=owner, action=EventAction.CREATED, ip_address=ip_address, to_status=Status.DRAFT,
        reason=_("対応中の記録から作成（%(type)s、%(when)s、%(n)s件）")
        % {"type": locked.harassment_type.name, "when": live.when_label(locked), "n": len(rows)},
        detail={"from_live_record": str(locked.client_id), "live_steps": len(rows)},
    )
    previous = locked.report_id
    locked.report, locked.reported_at = report, timezone.now()
    locked.save(update_fields=["report", "reported_at"])
    LiveEvent.objects.create(record=locked, actor=owner, action=LiveAction.REPORTED, ip_address=ip_address,
                             detail={"report": report.pk, **({"discarded_report": previous} if previous else {})})
    return report, True


def record_view(*, record: LiveRecord, actor: User, ip_address: str | None = None) -> None:
    """Every view of a record's page is on its audit trail."""
    LiveEvent.objects.create(record=record, actor=actor, action=LiveAction.VIEWED, ip_address=ip_address)
