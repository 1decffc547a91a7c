"""Writes to reports: saving, submitting, moving through the lifecycle, recording every view.

Each function is keyword-only, runs in one transaction, and leaves a ``ReportEvent`` behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policies
from .evidence import ACCEPTED_TYPES, detect_type, evidence_error
from .lifecycle import TRANSITIONS
from .models import Attachment, EventAction, IncidentReport, ReportEvent

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django.forms.models import BaseInlineFormSet

    from organization.models import User

#: Staged uploads older than this are removed by ``tasks.purge_stale_staged_attachments``.
STAGED_MAX_AGE = timedelta(days=1)


def record_event(
    *,
    report: IncidentReport,
    actor: User | None,
    action: str,
    ip_address: str | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    detail: dict | None = None,
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        ip_address=ip_address,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=detail or {},
    )


def record_view(*, report: IncidentReport, actor: User, ip_address: str | None, printed: bool = False) -> None:
    """Every view of a report is an audit event (the print view counts separately)."""
    record_event(
        report=report,
        actor=actor,
        action=EventAction.PRINTED if printed else EventAction.VIEWED,
        ip_address=ip_address,
    )


def stage_attachments(*, uploader: User, files: Iterable[UploadedFile]) -> list[Attachment]:
    """Keep valid uploads before the form around them is valid, so nobody selects a file twice."""
    staged = []
    now = timezone.now()
    for upload in files:
        error = evidence_error(upload)
        if error:
            raise ValidationError(error)
        mime = detect_type(upload)
        assert mime is not None
        attachment = Attachment(
            uploaded_by=uploader,
            uploaded_at=now,
            original_name=(upload.name or "")[:255],
            content_type=mime,
            kind=ACCEPTED_TYPES[mime],
            size=upload.size,
        )
        attachment.file.save(upload.name or "upload", upload, save=False)
        attachment.save()
        staged.append(attachment)
    return staged


def keep_uploads(*, uploader: User, staged_ids: Sequence[int], files: Iterable[UploadedFile]) -> list[Attachment]:
    """Everything the user has uploaded on this form so far: the files kept from earlier tries
    (``staged_ids``) and every acceptable one of ``files``. A refused file is left out here and
    named beside the field by the form; the others are kept even when the form is refused."""
    kept = staged_for(uploader=uploader, ids=staged_ids)
    acceptable = [f for f in files if evidence_error(f) is None]
    return kept + stage_attachments(uploader=uploader, files=acceptable)


def staged_for(*, uploader: User, ids: Sequence[int]) -> list[Attachment]:
    """The user's own staged uploads among ``ids`` (anything else is silently ignored)."""
    if not ids:
        return []
    return list(Attachment.objects.filter(pk__in=ids, uploaded_by=uploader, report__isnull=True))


def missing_for_submission(report: IncidentReport) -> list[str]:
    """What a report still lacks before it may be submitted (the service's own guard)."""
    missing = []
    if not report.occurred_start or not report.occurred_end:
        missing.append(_("発生日時"))
    if not report.harassment_types.exists():
        missing.append(_("態様"))
    if not report.staff_members.exists():
        missing.append(_("対応職員"))
    if not report.staff_count or not report.counterpart_count:
        missing.append(_("人数"))
    if not report.conduct.strip():
        missing.append(_("言動"))
    return missing


@transaction.atomic
def save_report(
    *,
    actor: User,
    form: ModelForm,
    timeline: BaseInlineFormSet,
    staged_ids: Sequence[int] = (),
    ip_address: str | None = None,
    submit: bool = False,
) -> IncidentReport:
    """Save a valid report form with its 経過 rows and staged evidence; optionally submit it."""
    report: IncidentReport = form.instance
    is_new = report.pk is None
    if is_new:
        if not policies.can_file_report(actor):
            raise PermissionDenied
        report.reporter = actor
        report.section = actor.section
    elif not policies.can_edit_report(actor, IncidentReport.objects.get(pk=report.pk)):
        raise PermissionDenied
    report = form.save()
    timeline.instance = report
    timeline.save()
    record_event(
        report=report,
        actor=actor,
        action=EventAction.CREATED if is_new else EventAction.SAVED,
        ip_address=ip_address,
        to_status=report.status if is_new else "",
        detail={"changed": sorted(form.changed_data)},
    )
    attachments = staged_for(uploader=actor, ids=staged_ids)
    for attachment in attachments:
        attachment.report = report
        attachment.save(update_fields=["report"])
        record_event(
            report=report,
            actor=actor,
            action=EventAction.ATTACHMENT_ADDED,
            ip_address=ip_address,
            detail={"attachment": attachment.pk, "name": attachment.original_name},
        )
    if submit:
        report = transition(report=report, name="submit", actor=actor, ip_address=ip_address)
    return report


@transaction.atomic
def transition(
    *,
    report: IncidentReport,
    name: str,
    actor: User,
    ip_address: str | None = None,
    reason: str = "",
) -> IncidentReport:
    """Move a report along its lifecycle: lock, check, change, record."""
    move = TRANSITIONS[name]
    locked = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in move.sources:
        raise ValidationError(
            _("この連絡票は「%(status)s」のため、%(action)sできません。")
            % {"status": locked.get_status_display(), "action": move.label}
        )
    _check_permission(name, actor, locked)
    if name == "submit":
        missing = missing_for_submission(locked)
        if missing:
            raise ValidationError(_("提出に必要な項目が足りません：%s") % "、".join(missing))
        locked.submitted_at = timezone.now()
    from_status = locked.status
    locked.status = move.target
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    record_event(
        report=locked,
        actor=actor,
        action=EventAction.SUBMITTED if name == "submit" else EventAction.TRANSITION,
        ip_address=ip_address,
        from_status=from_status,
        to_status=locked.status,
        reason=reason,
    )
    return locked


def _check_permission(name: str, actor: User, report: IncidentReport) -> None:
    allowed = {
        "submit": policies.can_edit_report,
    }[name](actor, report)
    if not allowed:
        raise PermissionDenied


def purge_stale_staged(*, now=None) -> int:
    """Remove staged uploads nobody claimed within ``STAGED_MAX_AGE``; returns how many."""
    cutoff = (now or timezone.now()) - STAGED_MAX_AGE
    stale = list(Attachment.objects.filter(report__isnull=True, uploaded_at__lt=cutoff))
    for attachment in stale:
        attachment.file.delete(save=False)
        attachment.delete()
    return len(stale)

