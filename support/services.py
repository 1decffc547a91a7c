"""Writes to requests for help. Each function is keyword-only and runs in one transaction: it locks
the request's row, asks ``policies`` (``PermissionDenied`` when the actor may not), refuses a move
from the wrong state with a Japanese message (``ValidationError``), changes the row, records a
``SupportEvent`` and writes the notices the step causes."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.evidence import detect_type, evidence_error
from organization.models import Section

from . import notices, policies
from .models import (
    BUILDING_MOVES,
    LEGAL_MOVES,
    BuildingMove,
    BuildingRequest,
    LegalMove,
    LegalRequest,
    SupportAction,
    SupportEvent,
)

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User


def record_event(
    *, report_id: int, actor: User | None, action: str, legal: LegalRequest | None = None,
    building: BuildingRequest | None = None, ip_address: str | None = None, from_state: str = "",
    to_state: str = "", detail: dict | None = None,
) -> SupportEvent:
    return SupportEvent.objects.create(
        report_id=report_id, actor=actor, action=action, legal_request=legal, building_request=building,
        ip_address=ip_address, from_state=from_state, to_state=to_state, detail=detail or {},
    )


def record_view(
    *, actor: User, legal: LegalRequest | None = None, building: BuildingRequest | None = None,
    ip_address: str | None = None, printed: bool = False,
) -> SupportEvent:
    """Every view (and every print view) of a request is an audit event."""
    request = legal or building
    assert request is not None
    return record_event(report_id=request.report_id, actor=actor, legal=legal, building=building,
                        action=SupportAction.PRINTED if printed else SupportAction.VIEWED, ip_address=ip_address)


def record_download(*, actor: User, legal: LegalRequest, ip_address: str | None = None) -> SupportEvent:
    return record_event(report_id=legal.report_id, actor=actor, legal=legal, action=SupportAction.FILE_DOWNLOADED,
                        ip_address=ip_address, detail={"name": legal.report_file_name})


class WrongState(ValidationError):
    """A move from a state that does not allow it (typically: someone else moved the request first)."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _move(request, moves: dict, move: str, labels) -> tuple[str, str]:
    """Change the locked row's state by ``move``; (from, to) for the event."""
    sources, target = moves[move]
    if request.state not in sources:
        raise WrongState(
            _("「%(state)s」の依頼には「%(move)s」を記録できません。") % {
                "state": request.get_state_display(), "move": labels(move).label,
            }
        )
    before = request.state
    request.state = target
    return before, target


# -- 法律相談依頼 ------------------------------------------------------------------------------------

@transaction.atomic
def request_legal(
    *, actor: User, report: IncidentReport, background: str, planned_response: str, legal_issues: str,
    form_token: uuid.UUID | None = None, ip_address: str | None = None,
) -> LegalRequest:
    """法律相談依頼 from a case, by the 相談窓口 or the case's 所属長, to the 総務課."""
    _require(policies.can_request(actor, report))
    if form_token is not None:
        earlier = LegalRequest.objects.filter(requested_by=actor, form_token=form_token).first()
        if earlier is not None:
            return earlier  # the same page sent again: one request
    request = LegalRequest(
        report=report, requested_by=actor, requester_section_id=actor.section_id or report.section_id,
        background=background, planned_response=planned_response, legal_issues=legal_issues, form_token=form_token,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same page's other post saved it a moment ago
        return LegalRequest.objects.get(requested_by=actor, form_token=form_token)
    record_event(report_id=report.pk, actor=actor, legal=request, action=SupportAction.LEGAL_REQUESTED,
                 ip_address=ip_address, to_state=request.state)
    notices.legal_requested(request=request, actor=actor)
    return request


def _locked_legal(request: LegalRequest) -> LegalRequest:
    return LegalRequest.objects.select_for_update().get(pk=request.pk)


def _legal_step(request: LegalRequest, actor: User, action: str, ip_address, detail: dict,
                before: str, after: str) -> SupportEvent:
    event = record_event(report_id=request.report_id, actor=actor, legal=request, action=action,
                         ip_address=ip_address, from_state=before, to_state=after, detail=detail)
    notices.legal_updated(request=request, event=event, actor=actor)
    return event


@transaction.atomic
def arrange_legal(
    *, request: LegalRequest, actor: User, scheduled_at: datetime.datetime, lawyer: str, venue: str = "",
    ip_address: str | None = None,
) -> LegalRequest:
    """The 総務課 sets (or changes) the date and the lawyer."""
    request = _locked_legal(request)
    _require(policies.can_arrange(actor, request))
    before, after = _move(request, LEGAL_MOVES, LegalMove.ARRANGE, LegalMove)
    request.scheduled_at, request.lawyer, request.venue, request.arranged_by = scheduled_at, lawyer, venue, actor
    request.save()
    _legal_step(request, actor, SupportAction.LEGAL_ARRANGED, ip_address,
                {"scheduled_at": scheduled_at.isoformat(), "lawyer": lawyer, "venue": venue}, before, after)
    return request


@transaction.atomic
def hold_legal(
    *, request: LegalRequest, actor: User, held_on: datetime.date, ip_address: str | None = None,
) -> LegalRequest:
    """The consultation took place (the 総務課 or the requester records it)."""
    request = _locked_legal(request)
    _require(policies.can_hold(actor, request))
    before, after = _move(request, LEGAL_MOVES, LegalMove.HOLD, LegalMove)
    request.held_on = held_on
    request.save()
    _legal_step(request, actor, SupportAction.LEGAL_HELD, ip_address,
                {"held_on": held_on.isoformat()}, before, after)
    return request


@transaction.atomic
def attach_legal_report(
    *, request: LegalRequest, actor: User, upload: UploadedFile, summary: str = "", ip_address: str | None = None,
) -> LegalRequest:
    """The consultation's report, checked like evidence (by its bytes, its size) and stored like it:
    private storage, a random name, served only through the policy."""
    request = _locked_legal(request)
    _require(policies.can_attach_report(actor, request))
    before, after = _move(request, LEGAL_MOVES, LegalMove.REPORT, LegalMove)
    error = evidence_error(upload)
    if error:
        raise ValidationError(error)
    mime = detect_type(upload)
    assert mime is not None
    request.report_file.save(upload.name or "report", upload, save=False)
    request.report_file_name = (upload.name or "")[:255]
    request.report_file_type = mime
    request.report_file_size = upload.size
    request.report_summary = summary
    request.reported_at = timezone.now()
    request.reported_by = actor
    request.save()
    _legal_step(request, actor, SupportAction.LEGAL_REPORTED, ip_address,
                {"name": request.report_file_name, "size": upload.size}, before, after)
    return request


@transaction.atomic
def withdraw_legal(
    *, request: LegalRequest, actor: User, reason: str, ip_address: str | None = None,
) -> LegalRequest:
    request = _locked_legal(request)
    _require(policies.can_withdraw_legal(actor, request))
    before, after = _move(request, LEGAL_MOVES, LegalMove.WITHDRAW, LegalMove)
    request.withdrawn_reason = reason
    request.save()
    _legal_step(request, actor, SupportAction.LEGAL_WITHDRAWN, ip_address,
                {"reason": reason}, before, after)
    return request


# -- 庁舎管理 ----------------------------------------------------------------------------------------

def building_sections() -> list[Section]:
    return list(Section.objects.filter(manages_building=True).order_by("order", "pk"))


@transaction.atomic
def request_building(
    *, actor: User, report: IncidentReport, place: str, details: str, guard: bool = False,
    exit_order: bool = False, needed_at: datetime.datetime | None = None, form_token: uuid.UUID | None = None,
    ip_address: str | None = None,
) -> BuildingRequest:
    """A 庁舎管理 request from a case to the 課 that manages the building (the admin's flag)."""
    _require(policies.can_request(actor, report))
    if form_token is not None:
        earlier = BuildingRequest.objects.filter(requested_by=actor, form_token=form_token).first()
        if earlier is not None:
            return earlier
    receiving = building_sections()
    if not receiving:
        raise ValidationError(_("庁舎を管理する課が設定されていないため、依頼を送れません。"
                                "管理者に「庁舎を管理する課」の設定を依頼してください。"))
    request = BuildingRequest(
        report=report, requested_by=actor, requester_section_id=actor.section_id or report.section_id,
        place=place, guard=guard, exit_order=exit_order, needed_at=needed_at, details=details, form_token=form_token,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        return BuildingRequest.objects.get(requested_by=actor, form_token=form_token)
    record_event(report_id=report.pk, actor=actor, building=request, action=SupportAction.BUILDING_REQUESTED,
                 ip_address=ip_address, to_state=request.state,
                 detail={"to_sections": [s.name for s in receiving], "guard": guard, "exit_order": exit_order})
    notices.building_requested(request=request, actor=actor)
    return request


def _locked_building(request: BuildingRequest) -> BuildingRequest:
    return BuildingRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def answer_building(
    *, request: BuildingRequest, actor: User, answer: str, ip_address: str | None = None,
) -> BuildingRequest:
    """The building 課's 所属長 answers (once: a later change is a new request)."""
    request = _locked_building(request)
    _require(policies.can_answer_building(actor, request))
    before, after = _move(request, BUILDING_MOVES, BuildingMove.ANSWER, BuildingMove)
    request.answer, request.answered_at, request.answered_by = answer, timezone.now(), actor
    request.save()
    record_event(report_id=request.report_id, actor=actor, building=request, action=SupportAction.BUILDING_ANSWERED,
                 ip_address=ip_address, from_state=before, to_state=after)
    notices.building_answered(request=request, actor=actor)
    return request


@transaction.atomic
def withdraw_building(
    *, request: BuildingRequest, actor: User, reason: str, ip_address: str | None = None,
) -> BuildingRequest:
    request = _locked_building(request)
    _require(policies.can_withdraw_building(actor, request))
    before, after = _move(request, BUILDING_MOVES, BuildingMove.WITHDRAW, BuildingMove)
    request.withdrawn_reason = reason
    request.save()
    record_event(report_id=request.report_id, actor=actor, building=request,
                 action=SupportAction.BUILDING_WITHDRAWN, ip_address=ip_address, from_state=before, to_state=after,
                 detail={"reason": reason})
    return request
