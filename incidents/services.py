"""Writes to reports: saving, submitting, moving through the lifecycle, recording every view.

Each function is keyword-only, runs in one transaction, and leaves a ``ReportEvent`` behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kasuhara.textnorm import fold

from . import notices, policies, uploads
from .evidence import ACCEPTED_TYPES, detect_type, evidence_error
from .lifecycle import TRANSITIONS
from .models import (
    Attachment,
    CaseNote,
    Difficulty,
    EventAction,
    FollowUpAction,
    IncidentReport,
    ReportEvent,
    TimelineEntry,
)

if TYPE_CHECKING:
    from organization.models import User

    from .forms import IncidentReportForm

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


def keep_uploads(
    *, uploader: User, staged_ids: Sequence[int], files: Iterable[UploadedFile], report: IncidentReport | None = None
) -> tuple[list[Attachment], list[str]]:
    """Everything the user has uploaded on this form so far: the files kept from earlier tries
    (``staged_ids``) and every acceptable one of ``files`` that fits the limits. A file refused for
    its content is named beside the field by the form; one refused by a limit is returned with a
    message. The kept files stay even when the form is refused.

    Limits: what one report may carry (files and bytes, counting those already attached), and what
    one user may have uploaded but not yet saved with a report (across all their open forms)."""
    kept = staged_for(uploader=uploader, ids=staged_ids)
    on_report = (
        Attachment.objects.filter(report=report).aggregate(n=Count("pk"), size=Sum("size"))
        if report is not None and report.pk else {"n": 0, "size": 0}
    )
    pending = Attachment.objects.filter(uploaded_by=uploader, report__isnull=True).aggregate(
        n=Count("pk"), size=Sum("size")
    )
    report_files = (on_report["n"] or 0) + len(kept)
    report_bytes = (on_report["size"] or 0) + sum(a.size for a in kept)
    pending_files, pending_bytes = pending["n"] or 0, pending["size"] or 0
    user_files = settings.KASUHARA_MAX_PENDING_FILES_PER_USER
    user_bytes = settings.KASUHARA_MAX_PENDING_UPLOAD_MB_PER_USER * 1024 * 1024
    refused, acceptable = [], []
    for upload in files:
        if evidence_error(upload) is not None:
            continue
        name = upload.name or _("（名前なし）")
        if report_files + 1 > uploads.max_report_files():
            refused.append(uploads.too_many_files(name))
            continue
        if report_bytes + upload.size > uploads.max_report_bytes():
            refused.append(uploads.too_many_bytes(name))
            continue
        if pending_files + 1 > user_files or pending_bytes + upload.size > user_bytes:
            refused.append(
                _("「%(name)s」は添付できませんでした。保存前の添付ファイルが上限（%(files)s ファイル・%(size)s）に"
                  "達しています。開いている連絡票を保存してから添付してください。")
                % {"name": name, "files": user_files, "size": filesizeformat(user_bytes)}
            )
            continue
        acceptable.append(upload)
        report_files += 1
        report_bytes += upload.size
        pending_files += 1
        pending_bytes += upload.size
    return kept + stage_attachments(uploader=uploader, files=acceptable), refused


def staged_for(*, uploader: User, ids: Sequence[int]) -> list[Attachment]:
    """The user's own staged uploads among ``ids`` (anything else is silently ignored)."""
    if not ids:
        return []
    return list(Attachment.objects.filter(pk__in=ids, uploaded_by=uploader, report__isnull=True))


class Outcome(StrEnum):
    INVALID = "invalid"  # the form has errors beside its fields
    CONFLICT = "conflict"  # the report changed since the form was opened; the form says how
    CREATED = "created"
    SAVED = "saved"
    SUBMITTED = "submitted"
    DUPLICATE = "duplicate"  # the same form was posted again; ``report`` is what the first post made


@dataclass(frozen=True)
class SaveResult:
    outcome: Outcome
    report: IncidentReport | None = None


class Conflict(Exception):
    """The report cannot take this form as it is; the message says why in Japanese. ``version``:
    the report's current version, so the refused page can offer a deliberate second try."""

    def __init__(self, message: str, *, version: int | None = None):
        super().__init__(message)
        self.version = version


def save_report(*, actor: User, form: IncidentReportForm, ip_address: str | None = None) -> SaveResult:
    """Take a posted 発生連絡票 form: keep its uploads, and if it is valid save it (and submit it
    when asked) under the row lock.

    - A save writes the form's fields only: ``status`` and ``submitted_at`` change by moves alone.
    - The permission is checked on the locked row, so a report submitted a moment ago is not
      edited by a request that started before.
    - A form opened before someone (or something) else changed the report gets a conflict
      message and keeps everything typed; saving it again then overwrites deliberately.
    - The same form posted twice (a double click) is one write: the second post is answered with
      what the first made, and a new report is created once.
    """
    form.staged, refused = keep_uploads(
        uploader=actor, staged_ids=form.staged_ids, files=form.new_uploads(),
        report=form.instance if form.instance.pk else None,
    )
    form.upload_refusals.extend(refused)
    if not form.is_valid():
        return SaveResult(Outcome.INVALID)
    try:
        return _save_valid_report(actor=actor, form=form, ip_address=ip_address)
    except Conflict as conflict:
        form.add_error(None, str(conflict))
        return SaveResult(Outcome.CONFLICT)


@transaction.atomic
def _save_valid_report(*, actor: User, form: IncidentReportForm, ip_address: str | None) -> SaveResult:
    report: IncidentReport = form.save(commit=False)  # the typed values on the instance; written below
    if report.pk is None:
        if not policies.can_file_report(actor):
            raise PermissionDenied
        earlier = IncidentReport.objects.filter(reporter=actor, form_token=form.token).first()
        if earlier is not None:
            return SaveResult(Outcome.DUPLICATE, earlier)
        report.reporter = actor
        report.section = actor.section
        report.section_name = actor.section.name
        report.form_token = form.token
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # The same form's other post created it a moment ago (the unique token said so).
            report.pk = None
            return SaveResult(Outcome.DUPLICATE, IncidentReport.objects.get(reporter=actor, form_token=form.token))
        staff_before: set[int] = set()
        outcome = Outcome.CREATED
    else:
        locked = IncidentReport.objects.select_for_update().get(pk=report.pk)
        # This very page, posted again (a double click, or 下書き保存 then 提出): the last write was
        # made by its token from the version it was opened at.
        same_form = locked.form_token == form.token
        reposted = same_form and form.opened_version == locked.version - 1
        if not policies.can_open_editor(actor, locked):
            raise PermissionDenied
        if not policies.can_edit_report(actor, locked):
            if same_form:
                return SaveResult(Outcome.DUPLICATE, locked)
            raise Conflict(
                _("この連絡票は、このページを開いた後に「%(status)s」になったため、変更できません。"
                  "入力した内容はこのページに残っています。必要なら写し取ってください。")
                % {"status": locked.get_status_display()}
            )
        if locked.version != form.opened_version and not reposted:
            form.mark_reopened(locked.version)
            raise Conflict(
                _("この連絡票は、このページを開いた後に別の画面で変更されました（%(at)s）。"
                  "入力した内容はこのページに残っています。確認して、もう一度保存すると、この内容で上書きします。")
                % {"at": f"{timezone.localtime(locked.updated_at):%H:%M}"}
            )
        staff_before = set(locked.staff_members.values_list("pk", flat=True))
        report.version = locked.version + 1
        if IncidentReport.objects.filter(reporter=actor, form_token=form.token).exclude(pk=locked.pk).exists():
            form.token = uuid.uuid4()  # a token copied from another report's page: this page gets its own
        report.form_token = form.token
        report.save(update_fields=[*_form_columns(form), "version", "form_token", "updated_at"])
        outcome = Outcome.SAVED
    form.save_m2m()
    timeline = form.timeline
    timeline.instance = report
    timeline.save()
    refresh_search_text(report)
    record_event(
        report=report,
        actor=actor,
        action=EventAction.CREATED if outcome == Outcome.CREATED else EventAction.SAVED,
        ip_address=ip_address,
        to_status=report.status if outcome == Outcome.CREATED else "",
        detail={"changed": sorted(form.changed_data)},
    )
    _record_staff_changes(report=report, actor=actor, before=staff_before, ip_address=ip_address)
    for attachment in form.staged:
        # Claimed only if still unclaimed: the same staged file posted with two forms at once goes
        # to one report, and only that report records it.
        if not Attachment.objects.filter(pk=attachment.pk, uploaded_by=actor, report__isnull=True).update(report=report):
            continue
        record_event(
            report=report,
            actor=actor,
            action=EventAction.ATTACHMENT_ADDED,
            ip_address=ip_address,
            detail={"attachment": attachment.pk, "name": attachment.original_name},
        )
    if form.submitting:
        report = transition(report=report, name="submit", actor=actor, ip_address=ip_address, keep_form=True)
        outcome = Outcome.SUBMITTED
    return SaveResult(outcome, report)


def _form_columns(form: IncidentReportForm) -> list[str]:
    """The report's own columns the form edits (never the status or the submission time)."""
    concrete = {f.name for f in IncidentReport._meta.concrete_fields}
    return [name for name in form._meta.fields if name in concrete]


def _record_staff_changes(*, report: IncidentReport, actor: User, before: set[int], ip_address: str | None) -> None:
    """Naming someone as 対応職員 lets them read the report and the resident's data once it is
    submitted: each change is on record (who was given access, by whom)."""
    after = {u.pk: u for u in report.staff_members.all() if u.pk != report.reporter_id}
    before = before - {report.reporter_id}
    for action, ids in ((EventAction.STAFF_ADDED, after.keys() - before), (EventAction.STAFF_REMOVED, before - after.keys())):
        for user_id in sorted(ids):
            named = after.get(user_id)
            record_event(
                report=report,
                actor=actor,
                action=action,
                ip_address=ip_address,
                detail={"user": user_id, "name": str(named) if named else ""},
            )


@transaction.atomic
def transition(
    *,
    report: IncidentReport,
    name: str,
    actor: User,
    ip_address: str | None = None,
    reason: str = "",
    inputs: dict | None = None,
    version: int | None = None,
    keep_form: bool = False,
) -> IncidentReport:
    """Move a report along its lifecycle: lock, refuse the wrong state, check the actor through the
    move's policy, apply the move's own work, change, record. ``version``: the version the actor's
    page showed; a case changed since is refused as a conflict, so nothing is applied twice."""
    move = TRANSITIONS[name]
    locked = _lock(report, version=version)
    if locked.status not in move.sources:
        raise ValidationError(
            _("この連絡票は「%(status)s」のため、%(action)sできません。")
            % {"status": locked.get_status_display(), "action": move.label}
        )
    if not getattr(policies, move.policy)(actor, locked):
        raise PermissionDenied
    if "reason" in move.needs and not reason.strip():
        raise ValidationError(_("理由を入力してください。"))
    inputs = dict(inputs or {})  # an effect may add what its event keeps (e.g. what a 削除 removed)
    if move.effect is not None:
        move.effect(locked, actor, inputs)
    from_status = locked.status
    locked.status = move.target
    locked.version += 1
    if not keep_form:
        locked.form_token = None  # a form opened before this move is stale
    locked.save(update_fields=["status", "version", "form_token", "updated_at", *move.fields])
    event = record_event(
        report=locked,
        actor=actor,
        action=move.event,
        ip_address=ip_address,
        from_status=from_status,
        to_status=locked.status,
        reason=reason,
        detail=_event_detail(inputs),
    )
    notices.after_move(report=locked, move=name, event=event, actor=actor)
    if name == "submit":
        # 職員のケア: a report recording mental harm gives the 相談窓口 check-ins to make (care.services).
        from care import services as care_services  # care imports incidents

        care_services.schedule_checkins(report=locked, actor=actor)
    return locked


def _lock(report: IncidentReport, *, version: int | None) -> IncidentReport:
    locked = IncidentReport.objects.select_for_update().select_related("section").get(pk=report.pk)
    if version is not None and locked.version != version:
        raise Conflict(
            _("この連絡票は、画面を開いた後にほかの人が操作しました（%(at)s）。入力した内容は残っています。"
              "上の記録で最新の状態を確かめ、それでもよければもう一度送信してください。")
            % {"at": f"{timezone.localtime(locked.updated_at):%H:%M}"},
            version=locked.version,
        )
    return locked


def _event_detail(inputs: dict | None) -> dict:
    """What the actor chose, as the event keeps it (users by id and name; text as typed)."""
    detail = {}
    for key, value in (inputs or {}).items():
        # The reason is the event's own column; the 所属長's comment stays on the report (its reader rule).
        if key in ("reason", "comment") or value in (None, ""):
            continue
        detail[key] = {"user": value.pk, "name": str(value)} if hasattr(value, "pk") else value
    return detail


@transaction.atomic
def update_case(
    *, report: IncidentReport, actor: User, action: str, changes: dict, version: int | None = None,
    ip_address: str | None = None,
) -> IncidentReport:
    """A change to the case that is not a move: assign a handler, rate 継続性・悪質性・至急 (the
    相談窓口), or raise it to 特に困難 (the 部長). One row lock, one event."""
    policy, allowed = CASE_CHANGES[action]
    locked = _lock(report, version=version)
    if not policy(actor, locked) or set(changes) - allowed:
        raise PermissionDenied
    if action == EventAction.ESCALATED and locked.difficulty == Difficulty.VERY_HARD and locked.cross_review:
        raise ValidationError(_("この事案はすでに「特に困難」です。"))
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.version += 1
    locked.save(update_fields=[*changes, "version", "updated_at"])
    record_event(report=locked, actor=actor, action=action, ip_address=ip_address, detail=_event_detail(changes))
    return locked


CASE_CHANGES = {
    EventAction.ASSIGNED: (policies.can_triage, {"handler"}),
    EventAction.RATED: (policies.can_triage, {"continuity", "malice", "urgent"}),
    EventAction.ESCALATED: (policies.can_escalate, {"difficulty", "cross_review"}),
}


@transaction.atomic
def add_note(*, report: IncidentReport, actor: User, body: str, ip_address: str | None = None) -> CaseNote:
    """内部メモ of the 相談窓口. The event says a note was added, never what it says."""
    locked = _lock(report, version=None)
    if not policies.can_see_internal(actor, locked):
        raise PermissionDenied
    note = CaseNote.objects.create(report=locked, author=actor, body=body)
    record_event(report=locked, actor=actor, action=EventAction.NOTE_ADDED, ip_address=ip_address,
                 detail={"note": note.pk})
    return note


@transaction.atomic
def record_action(
    *, report: IncidentReport, actor: User, kind: str, description: str, done_by: str, done_on,
    ip_address: str | None = None,
) -> FollowUpAction:
    """対応の記録: a measure toward the offender or other follow-up (what, by whom, when)."""
    locked = _lock(report, version=None)
    if not policies.can_triage(actor, locked):
        raise PermissionDenied
    action = FollowUpAction.objects.create(
        report=locked, kind=kind, description=description, done_by=done_by, done_on=done_on, recorded_by=actor
    )
    record_event(report=locked, actor=actor, action=EventAction.ACTION_RECORDED, ip_address=ip_address,
                 detail={"action": action.pk, "kind": kind})
    return action


def refresh_search_text(report: IncidentReport) -> None:
    """The folded text the queue searches: 件名, 要求内容, 言動, 経過 and 相手方の氏名."""
    row = IncidentReport.objects.values("title", "demand", "conduct", "counterpart_name").get(pk=report.pk)
    steps = TimelineEntry.objects.filter(report_id=report.pk).values_list("description", flat=True)
    text = fold("\n".join([row["title"], row["demand"], row["conduct"], row["counterpart_name"], *steps]))
    IncidentReport.objects.filter(pk=report.pk).update(search_text=text)


def purge_stale_staged(*, now=None) -> int:
    """Remove staged uploads nobody claimed within ``STAGED_MAX_AGE``; returns how many."""
    cutoff = (now or timezone.now()) - STAGED_MAX_AGE
    stale = list(Attachment.objects.filter(report__isnull=True, uploaded_at__lt=cutoff))
    for attachment in stale:
        attachment.file.delete(save=False)
        attachment.delete()
    return len(stale)

