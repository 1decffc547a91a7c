"""Who hears of a request (through ``notifications``, whose rules the admin edits): a 法律相談依頼
reaches the 総務課長 (by default), each later step its requester; a 庁舎管理 request reaches the
所属長 of the 課 that manages the building, its answer the requester. Notices name the case by
its number and the place, never the text of the request."""

from __future__ import annotations

from django.db.models import F

from notifications.kinds import Kind
from notifications.outbox import fan_out

from .models import BuildingRequest, LegalRequest, SupportEvent


def legal_requested(*, request: LegalRequest, actor) -> list[int]:
    rows = LegalRequest.objects.filter(pk=request.pk)
    return fan_out(Kind.LEGAL_REQUEST, rows, key=str(request.pk), actor=actor,
                   params={"report": request.report_id, "request": request.pk})


def legal_updated(*, request: LegalRequest, event: SupportEvent, actor) -> list[int]:
    rows = LegalRequest.objects.filter(pk=request.pk).annotate(n_person=F("requested_by_id"))
    return fan_out(Kind.LEGAL_REQUEST_UPDATED, rows, key=f"{request.pk}@{event.pk}", actor=actor,
                   params={"report": request.report_id, "request": request.pk, "state": request.state})


def building_requested(*, request: BuildingRequest, actor) -> list[int]:
    rows = BuildingRequest.objects.filter(pk=request.pk).annotate(n_person=F("requested_by_id"))
    return fan_out(Kind.BUILDING_REQUEST, rows, key=str(request.pk), actor=actor,
                   params={"place": request.place, "request": request.pk, "report": request.report_id})


def building_answered(*, request: BuildingRequest, actor) -> list[int]:
    rows = BuildingRequest.objects.filter(pk=request.pk).annotate(n_person=F("requested_by_id"))
    return fan_out(Kind.BUILDING_REQUEST_ANSWERED, rows, key=str(request.pk), actor=actor,
                   params={"place": request.place, "request": request.pk, "report": request.report_id})
