"""Reads of the requests: what the case page shows, a request's history, the lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from . import policies
from .models import READ_ACTIONS, BuildingRequest, LegalRequest, SupportEvent

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User


@dataclass
class CaseRequests:
    legal: list[LegalRequest] = field(default_factory=list)
    building: list[BuildingRequest] = field(default_factory=list)
    can_request: bool = False

    @property
    def shown(self) -> bool:
        return bool(self.legal or self.building or self.can_request)


def for_case(user: User, report: IncidentReport) -> CaseRequests:
    """The requests of a case for its page (read by those the case's policy lets read it), each with
    its steps (``.steps``, reads left out). Three queries, however many requests and steps."""
    if not policies.can_open_case(user, report):
        return CaseRequests()
    legal = list(LegalRequest.objects.filter(report=report).select_related("requested_by").order_by("requested_at", "pk"))
    building = list(
        BuildingRequest.objects.filter(report=report).select_related("requested_by").order_by("requested_at", "pk")
    )
    steps: dict[tuple[str, int], list[SupportEvent]] = defaultdict(list)
    if legal or building:
        events = (SupportEvent.objects.filter(report=report).exclude(action__in=READ_ACTIONS)
                  .select_related("actor").order_by("at", "pk"))
        for event in events:
            if event.legal_request_id:
                steps[("legal", event.legal_request_id)].append(event)
            elif event.building_request_id:
                steps[("building", event.building_request_id)].append(event)
    for request in legal:
        request.steps = steps[("legal", request.pk)]
    for request in building:
        request.steps = steps[("building", request.pk)]
    return CaseRequests(legal=legal, building=building, can_request=policies.can_request(user, report))


@dataclass
class History:
    events: list[SupportEvent]
    reads: list[tuple[str, int]]


def history(*, legal: LegalRequest | None = None, building: BuildingRequest | None = None) -> History:
    """A request's steps, and its reads as counts (閲覧 12・印刷用表示 1). Two queries."""
    events = SupportEvent.objects.filter(legal_request=legal) if legal else SupportEvent.objects.filter(
        building_request=building)
    steps = list(events.exclude(action__in=READ_ACTIONS).select_related("actor").order_by("at", "pk"))
    counted = dict(events.filter(action__in=READ_ACTIONS).order_by().values_list("action").annotate(n=Count("id")))
    labels = dict(SupportEvent._meta.get_field("action").choices)
    reads = [(str(labels[action]), counted[action]) for action in sorted(READ_ACTIONS) if counted.get(action)]
    return History(events=steps, reads=reads)


def legal_list(user: User) -> QuerySet[LegalRequest]:
    """Open ones first, then the newest."""
    return policies.listed_legal(user).select_related("requested_by", "requester_section").order_by(
        _closed_last("state", policies.OPEN_LEGAL), "-requested_at", "-pk")


def building_list(user: User) -> QuerySet[BuildingRequest]:
    return policies.listed_building(user).select_related("requested_by", "requester_section").order_by(
        _closed_last("state", policies.OPEN_BUILDING), "-requested_at", "-pk")


def _closed_last(column: str, open_states) -> Case:
    return Case(When(**{f"{column}__in": open_states}, then=Value(0)), default=Value(1), output_field=IntegerField())
