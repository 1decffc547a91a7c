"""Writes to consultations. Each function is keyword-only, runs in one transaction on the locked
row, checks the actor and the state, and leaves a ``ConsultationEvent`` behind."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import services as incident_services
from incidents.lifecycle import Status
from incidents.models import EventAction as ReportAction
from incidents.models import IncidentReport
from kasuhara.textnorm import fold

from . import notices, policies
from .models import OPEN, TRANSITIONS, Consultation, ConsultationEvent, EventAction, FollowUp, Move, Note, State

if TYPE_CHECKING:
    from organization.models import User


def record_event(
    *, consultation: Consultation, actor: User | None, action: str, ip_address: str | None = None,
    detail: dict | None = None,
) -> ConsultationEvent:
    return ConsultationEvent.objects.create(
        consultation=consultation, actor=actor, action=action, ip_address=ip_address, detail=detail or {}
    )


def record_view(*, consultation: Consultation, actor: User, ip_address: str | None) -> None:
    """Every view of a consultation is an audit event."""
    record_event(consultation=consultation, actor=actor, action=EventAction.VIEWED, ip_address=ip_address)


def _search_text(consultation: Consultation) -> str:
    follow_ups = consultation.follow_ups.values_list("description", flat=True) if consultation.pk else []
    return fold("\n".join([consultation.what_happened, consultation.wish, consultation.answer, *follow_ups]))


def _locked(consultation: Consultation) -> Consultation:
    """The row, locked; refused once the 保存期間 removed its text (``policies.can_change``)."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.retention_applied_at is not None:
        raise ValidationError(_("保存期間を過ぎたため、この相談の内容はすでに削除されています。変更はできません。"))
    return locked


def _desk_only(actor: User) -> None:
    if not policies.can_answer(actor):
        raise PermissionDenied


def _move(consultation: Consultation, move: str) -> dict:
    """Change the state of the locked row by ``move``; the ``from``/``to`` for the event's detail."""
    sources, target = TRANSITIONS[move]
    if consultation.state not in sources:
        raise ValidationError(
            _("「%(state)s」の相談は「%(move)s」にできません。")
            % {"state": consultation.get_state_display(), "move": Move(move).label}
        )
    before = consultation.state
    consultation.state = target
    return {"from": before, "to": target}


def _start_if_new(consultation: Consultation) -> dict:
    """The 相談窓口's work on an open consultation; a new one becomes 対応中. A closed one is refused."""
    if consultation.state not in OPEN:
        raise ValidationError(_("完了した相談です。記録するには先に「再開」してください。"))
    return _move(consultation, Move.START) if consultation.state == State.NEW else {}


@transaction.atomic
def create_consultation(
    *,
    author: User,
    what_happened: str,
    wish: str,
    contact: str,
    occurred_on: date | None = None,
    channel: str = "",
    share_with_supervisors: bool = False,
    form_token: uuid.UUID | None = None,
    ip_address: str | None = None,
) -> Consultation:
    if not policies.can_ask(author):
        raise PermissionDenied
    if form_token is not None:
        earlier = Consultation.objects.filter(author=author, form_token=form_token).first()
        if earlier is not None:
            return earlier  # the same page sent again: one consultation
    consultation = Consultation(
        author=author,
        section_id=author.section_id,
        what_happened=what_happened,
        wish=wish,
        contact=contact,
        occurred_on=occurred_on,
        channel=channel,
        share_with_supervisors=share_with_supervisors,
        form_token=form_token,
    )
    consultation.search_text = _search_text(consultation)
    try:
        with transaction.atomic():
            consultation.save()
    except IntegrityError:  # the same page's other post created it a moment ago
        return Consultation.objects.get(author=author, form_token=form_token)
    record_event(
        consultation=consultation, actor=author, action=EventAction.CREATED, ip_address=ip_address,
        detail={"to": State.NEW, "shared": share_with_supervisors},
    )
    notices.created(consultation=consultation, actor=author)
    return consultation


@transaction.atomic
def answer(*, consultation: Consultation, actor: User, text: str, ip_address: str | None = None) -> Consultation:
    """The 相談窓口's answer, shown to the author (a later answer replaces it; the history keeps when)."""
    _desk_only(actor)
    consultation = _locked(consultation)
    detail = _start_if_new(consultation)
    consultation.answer = text
    consultation.answered_at = timezone.now()
    consultation.answered_by = actor
    if consultation.handler_id is None:
        consultation.handler = actor
    consultation.search_text = _search_text(consultation)
    consultation.save()
    record_event(consultation=consultation, actor=actor, action=EventAction.ANSWERED, ip_address=ip_address,
                 detail=detail)
    notices.answered(consultation=consultation, actor=actor)
    return consultation


@transaction.atomic
def assign_handler(
    *, consultation: Consultation, actor: User, handler: User, ip_address: str | None = None
) -> Consultation:
    """担当者の指定 (taking it oneself is assigning oneself): a user of the 相談窓口."""
    _desk_only(actor)
    if not policies.can_answer(handler):
        raise ValidationError(_("担当者には相談窓口の職員を指定してください。"))
    consultation = _locked(consultation)
    detail = _start_if_new(consultation)
    consultation.handler = handler
    consultation.save(update_fields=["handler", "state", "updated_at"])
    record_event(
        consultation=consultation, actor=actor, action=EventAction.ASSIGNED, ip_address=ip_address,
        detail={**detail, "handler": handler.pk, "name": str(handler)},
    )
    return consultation


@transaction.atomic
def add_follow_up(
    *, consultation: Consultation, actor: User, done_on: date, description: str, done_by: str,
    ip_address: str | None = None,
) -> FollowUp:
    _desk_only(actor)
    consultation = _locked(consultation)
    detail = _start_if_new(consultation)
    follow_up = FollowUp.objects.create(
        consultation=consultation, done_on=done_on, description=description, done_by=done_by, recorded_by=actor
    )
    consultation.search_text = _search_text(consultation)
    consultation.save(update_fields=["search_text", "state", "updated_at"])
    record_event(
        consultation=consultation, actor=actor, action=EventAction.FOLLOW_UP, ip_address=ip_address,
        detail={**detail, "follow_up": follow_up.pk},
    )
    return follow_up


@transaction.atomic
def add_note(*, consultation: Consultation, actor: User, body: str, ip_address: str | None = None) -> Note:
    """内部メモ: any state; its text never goes into the event (the author reads the history)."""
    _desk_only(actor)
    consultation = _locked(consultation)
    note = Note.objects.create(consultation=consultation, author=actor, body=body)
    record_event(consultation=consultation, actor=actor, action=EventAction.NOTE_ADDED, ip_address=ip_address,
                 detail={"note": note.pk})
    return note


@transaction.atomic
def close(*, consultation: Consultation, actor: User, outcome: str, ip_address: str | None = None) -> Consultation:
    _desk_only(actor)
    consultation = _locked(consultation)
    detail = _move(consultation, Move.CLOSE)
    consultation.outcome = outcome
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["state", "outcome", "closed_at", "updated_at"])
    record_event(consultation=consultation, actor=actor, action=EventAction.CLOSED, ip_address=ip_address,
                 detail={**detail, "outcome_recorded": bool(outcome.strip())})
    return consultation


@transaction.atomic
def reopen(*, consultation: Consultation, actor: User, reason: str = "", ip_address: str | None = None) -> Consultation:
    _desk_only(actor)
    consultation = _locked(consultation)
    detail = _move(consultation, Move.REOPEN)
    consultation.closed_at = None
    consultation.save(update_fields=["state", "closed_at", "updated_at"])
    record_event(consultation=consultation, actor=actor, action=EventAction.REOPENED, ip_address=ip_address,
                 detail={**detail, "reason": reason})
    return consultation


@transaction.atomic
def set_hold(
    *, consultation: Consultation, actor: User, hold: bool, reason: str, ip_address: str | None = None
) -> Consultation:
    """訴訟・警察対応中: the 相談窓口 stops (or allows again) the 保存期間's removal of the
    consultation's text (``consultations/retention.py``), with a reason, as on a report."""
    if not policies.can_hold(actor, consultation):
        raise PermissionDenied
    consultation = _locked(consultation)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("理由を入力してください。"))
    if consultation.legal_hold == hold:
        raise ValidationError(_("すでに設定されています。") if hold else _("保留は設定されていません。"))
    if hold and consultation.state != State.CLOSED:
        raise ValidationError(_("削除を保留できるのは完了した相談だけです。"))
    if hold and consultation.retention_applied_at is not None:
        raise ValidationError(_("保存期間を過ぎたため、この相談の内容はすでに削除されています。"))
    consultation.legal_hold = hold
    consultation.legal_hold_reason = reason if hold else ""
    consultation.legal_hold_by = actor if hold else None
    consultation.legal_hold_at = timezone.now() if hold else None
    consultation.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at",
                                     "updated_at"])
    record_event(consultation=consultation, actor=actor,
                 action=EventAction.HOLD_SET if hold else EventAction.HOLD_LIFTED, ip_address=ip_address,
                 detail={"reason": reason})
    return consultation


def _check_report_owner(consultation: Consultation, report: IncidentReport) -> None:
    if report.reporter_id != consultation.author_id:
        raise ValidationError(_("関連付けられるのは相談者本人の発生連絡票だけです。"))


@transaction.atomic
def link_report(
    *, consultation: Consultation, actor: User, report: IncidentReport, ip_address: str | None = None
) -> Consultation:
    """Link one of the author's own reports (draft or not)."""
    if not policies.can_link_report(actor, consultation):
        raise PermissionDenied
    consultation = _locked(consultation)
    _check_report_owner(consultation, report)
    previous = consultation.report_id
    consultation.report = report
    consultation.save(update_fields=["report", "updated_at"])
    record_event(consultation=consultation, actor=actor, action=EventAction.REPORT_LINKED, ip_address=ip_address,
                 detail={"report": report.pk, "previous": previous})
    return consultation


def _local_midnight(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def make_report_draft(
    *, consultation: Consultation, actor: User, ip_address: str | None = None
) -> IncidentReport:
    """A 発生連絡票 draft owned by the author, filled from the consultation and linked to it; the
    author completes and submits it through the normal form (``/reports/<id>/edit/``)."""
    if not policies.can_link_report(actor, consultation):
        raise PermissionDenied
    consultation = _locked(consultation)
    if consultation.linked_report is not None:
        raise ValidationError(_("この相談はすでに発生連絡票と関連付けられています。"))
    author = consultation.author
    if author.section_id is None:
        raise ValidationError(_("相談者の所属（課）が登録されていないため、連絡票を作成できません。"))
    report = IncidentReport.objects.create(
        reporter=author,
        section_id=author.section_id,
        status=Status.DRAFT,
        title=_("相談No.%(id)sから作成") % {"id": consultation.pk},
        conduct=consultation.what_happened,
        demand=consultation.wish,
        occurred_start=_local_midnight(consultation.occurred_on),
        channel=consultation.channel,
        wants_consultation=True,
    )
    report.staff_members.add(author)
    incident_services.refresh_search_text(report)
    incident_services.record_event(
        report=report, actor=actor, action=ReportAction.CREATED, ip_address=ip_address, to_status=Status.DRAFT,
        detail={"from_consultation": consultation.pk},
    )
    consultation.report = report
    consultation.save(update_fields=["report", "updated_at"])
    record_event(consultation=consultation, actor=actor, action=EventAction.REPORT_CREATED, ip_address=ip_address,
                 detail={"report": report.pk})
    return report
