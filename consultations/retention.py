"""保存期間 for 相談: a closed consultation is the staff member's confidential account and may name
the 相手方 in free text, so it follows the reports' rule (``incidents.retention``: the same settings,
the same ``closed_before``) and is handled by the same nightly run (``incidents.retention.run``).

What is removed, per consultation in one transaction: 何があったか, 相談したいこと, 連絡方法, the
相談窓口's 回答, 結果, every 対応の記録 and every 内部メモ (non-empty ones become
「（保存期間経過により削除）」); the search text is rebuilt from what is left.

What is kept: everything the statistics count (state, 発生日, 受付日時, 場所・手段, 課, author,
handler, the dates of the answer and of closing), the link to a 発生連絡票, who did each follow-up
on which day, and every audit event (the trail is append-only). One ``ConsultationEvent``
「保存期間経過による削除」 records which fields and how many rows changed, never the text.

Kept while held: the consultation's own hold (訴訟・警察対応中, set on its page by the 相談窓口), or a
hold on the 発生連絡票 it is linked to. A reopened consultation is not closed and is not touched;
nothing is done twice (``retention_applied_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from .models import Consultation, EventAction, FollowUp, Note, State

#: The consultation's own free text that may hold the 相手方's (or the author's) personal data.
FIELDS = ("what_happened", "wish", "contact", "answer", "outcome")

#: Held: by its own hold, or by the hold of the report it is linked to.
HELD = Q(legal_hold=True) | Q(report__legal_hold=True)


def _past(cutoff: datetime) -> QuerySet[Consultation]:
    return Consultation.objects.filter(state=State.CLOSED, closed_at__lt=cutoff, retention_applied_at__isnull=True)


def due(cutoff: datetime) -> QuerySet[Consultation]:
    """Closed consultations past their period (closed before ``cutoff``), not yet removed, not held."""
    return _past(cutoff).exclude(HELD)


def kept_by(consultation: Consultation) -> str | None:
    """What keeps this consultation's text past its period, for its page: ``"own"`` (its own hold),
    ``"report"`` (its linked report's hold), or None (nothing, or already removed)."""
    if consultation.retention_applied_at is not None:
        return None
    if consultation.legal_hold:
        return "own"
    report = consultation.linked_report
    return "report" if report is not None and report.legal_hold else None


def on_hold() -> QuerySet[Consultation]:
    """Closed consultations a hold keeps now, past their period or not (the runs page lists them)."""
    return Consultation.objects.filter(HELD, state=State.CLOSED, retention_applied_at__isnull=True)


def held(cutoff: datetime) -> QuerySet[Consultation]:
    """Closed consultations past their period that a hold keeps."""
    return _past(cutoff).filter(HELD)


@dataclass
class Removed:
    consultation: int
    fields: list[str] = field(default_factory=list)
    follow_ups: int = 0
    notes: int = 0

    def as_dict(self) -> dict:
        return {"consultation": self.consultation, "fields": self.fields, "follow_ups": self.follow_ups,
                "notes": self.notes}


@transaction.atomic
def remove(pk: int, *, now: datetime, cutoff: datetime) -> Removed | None:
    """Remove one consultation's free text; None when it is no longer due (checked under the lock)."""
    from incidents.models import IncidentReport
    from incidents.retention import PLACEHOLDER

    from .services import _search_text, record_event

    consultation = Consultation.objects.select_for_update().get(pk=pk)
    # The linked report's hold, read under its lock too (a hold being set on it waits, or wins).
    report_held = bool(consultation.report_id and any(
        IncidentReport.objects.select_for_update().filter(pk=consultation.report_id)
        .values_list("legal_hold", flat=True)))
    if (consultation.state != State.CLOSED or consultation.legal_hold or report_held
            or consultation.retention_applied_at is not None
            or consultation.closed_at is None or consultation.closed_at >= cutoff):
        return None
    placeholder = str(PLACEHOLDER)
    removed = Removed(consultation=pk)
    for name in FIELDS:
        value = getattr(consultation, name)
        if value and value != placeholder:
            setattr(consultation, name, placeholder)
            removed.fields.append(name)
    removed.follow_ups = (FollowUp.objects.filter(consultation=consultation).exclude(description="")
                          .exclude(description=placeholder).update(description=placeholder))
    removed.notes = (Note.objects.filter(consultation=consultation).exclude(body="")
                     .exclude(body=placeholder).update(body=placeholder))
    consultation.retention_applied_at = now
    consultation.search_text = _search_text(consultation)
    # ``updated_at`` stays: the removal is no one's edit (the event says when).
    Consultation.objects.filter(pk=pk).update(
        **{name: getattr(consultation, name) for name in removed.fields},
        retention_applied_at=now, search_text=consultation.search_text,
    )
    record_event(consultation=consultation, actor=None, action=EventAction.RETAINED_REMOVED,
                 detail=removed.as_dict())
    return removed
