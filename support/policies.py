"""Who may read and act on which request for help: the one place that decides.

- A request is read by everyone the case's own policy lets read the case
  (``incidents.policies.can_view_report``): it is shown on the case page.
- 法律相談依頼: also the 総務課 that arranges it (its 所属長, the 総務課長, and the 相談窓口, who sit in
  it), the requester, and whoever a notice told of the request (the admin may name the 総務部長).
  The 相談窓口 or the case's 所属長 asks; the 総務課 sets the date and the lawyer; the 総務課 or the
  requester records that it was held and attaches the report (Minato: the requesting 課 writes it
  and hands it to the 文書係); the requester or the 総務課 withdraws it while it is not held yet.
- 庁舎管理: also the 所属長 of a 課 that manages the building (``Section.manages_building``), who
  answers it — they read the request, never the case behind it; the requester; whoever a notice
  told of it. The 相談窓口 or the case's 所属長 asks; the requester or the 相談窓口 withdraws it.
- Nobody else: a request a user may not read answers 404, so an outsider learns nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from incidents import policies as case_policies
from incidents.lifecycle import UNSUBMITTED
from notifications.kinds import Kind
from notifications.selectors import was_notified

from .models import BuildingRequest, BuildingState, LegalRequest, LegalState

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User

LEGAL_KINDS = (Kind.LEGAL_REQUEST, Kind.LEGAL_REQUEST_UPDATED)
BUILDING_KINDS = (Kind.BUILDING_REQUEST, Kind.BUILDING_REQUEST_ANSWERED)


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_legal_office(user: User) -> bool:
    """The 総務課 that receives 法律相談依頼: its 所属長 (the 総務課長) and the 相談窓口."""
    if not _active(user):
        return False
    return bool(user.is_desk or user.is_ga_section_chief)


def is_building_chief(user: User) -> bool:
    """The 所属長 (holder or 代理) of a 課 that manages the building."""
    return bool(_active(user) and user.is_building_chief)


def _notified(user: User, kinds, pk: int) -> bool:
    return was_notified(user, kinds, "request", pk)


def can_request(user: User, report: IncidentReport) -> bool:
    """Either request, from a submitted case: the 相談窓口 or the 所属長 of the case's 課."""
    if not _active(user) or report.status in UNSUBMITTED:
        return False
    return bool(user.is_desk or case_policies.heads_section_of(user, report))


# -- 法律相談依頼 ------------------------------------------------------------------------------------

def can_view_legal(user: User, request: LegalRequest) -> bool:
    if not _active(user):
        return False
    if request.requested_by_id == user.pk or is_legal_office(user):
        return True
    return case_policies.can_view_report(user, request.report) or _notified(user, LEGAL_KINDS, request.pk)


def can_arrange(user: User, request: LegalRequest) -> bool:
    return is_legal_office(user)


def can_hold(user: User, request: LegalRequest) -> bool:
    return is_legal_office(user) or (_active(user) and request.requested_by_id == user.pk)


can_attach_report = can_hold
can_withdraw_legal = can_hold

LEGAL_POLICIES = {"arrange": can_arrange, "hold": can_hold, "report": can_attach_report,
                  "withdraw": can_withdraw_legal}


def legal_moves_for(user: User, request: LegalRequest) -> list[str]:
    """The moves this user may make now (allowed for them, and from the request's state)."""
    from .models import LEGAL_MOVES

    return [name for name, (sources, _target) in LEGAL_MOVES.items()
            if request.state in sources and LEGAL_POLICIES[name](user, request)]


def get_legal_for_user(user: User, pk: int) -> LegalRequest:
    try:
        request = LegalRequest.objects.select_related(
            "report__section__department", "requested_by", "requester_section", "arranged_by", "reported_by",
        ).get(pk=pk)
    except LegalRequest.DoesNotExist:
        raise Http404 from None
    if not can_view_legal(user, request):
        raise Http404
    return request


# -- 庁舎管理 ----------------------------------------------------------------------------------------

def can_view_building(user: User, request: BuildingRequest) -> bool:
    if not _active(user):
        return False
    if request.requested_by_id == user.pk or is_building_chief(user):
        return True
    return case_policies.can_view_report(user, request.report) or _notified(user, BUILDING_KINDS, request.pk)


def can_answer_building(user: User, request: BuildingRequest) -> bool:
    return is_building_chief(user)


def can_withdraw_building(user: User, request: BuildingRequest) -> bool:
    return _active(user) and (request.requested_by_id == user.pk or bool(user.is_desk))


BUILDING_POLICIES = {"answer": can_answer_building, "withdraw": can_withdraw_building}


def building_moves_for(user: User, request: BuildingRequest) -> list[str]:
    from .models import BUILDING_MOVES

    return [name for name, (sources, _target) in BUILDING_MOVES.items()
            if request.state in sources and BUILDING_POLICIES[name](user, request)]


def get_building_for_user(user: User, pk: int) -> BuildingRequest:
    try:
        request = BuildingRequest.objects.select_related(
            "report__section__department", "requested_by", "requester_section", "answered_by",
        ).get(pk=pk)
    except BuildingRequest.DoesNotExist:
        raise Http404 from None
    if not can_view_building(user, request):
        raise Http404
    return request


def can_open_case(user: User, report: IncidentReport) -> bool:
    """Whether a request's page may link to its case (the case's own rule)."""
    return case_policies.can_view_report(user, report)


# -- lists -------------------------------------------------------------------------------------------

def listed_legal(user: User) -> QuerySet[LegalRequest]:
    """The 法律相談依頼 of the user's list: all for the 総務課, else the ones they asked for."""
    if not _active(user):
        return LegalRequest.objects.none()
    if is_legal_office(user):
        return LegalRequest.objects.all()
    return LegalRequest.objects.filter(requested_by=user)


def listed_building(user: User) -> QuerySet[BuildingRequest]:
    """The 庁舎管理 requests of the user's list: all for the building 課's 所属長 and the 相談窓口,
    else the ones they asked for."""
    if not _active(user):
        return BuildingRequest.objects.none()
    if is_building_chief(user) or user.is_desk:
        return BuildingRequest.objects.all()
    return BuildingRequest.objects.filter(requested_by=user)


OPEN_LEGAL = (LegalState.REQUESTED, LegalState.ARRANGED, LegalState.HELD)
OPEN_BUILDING = (BuildingState.REQUESTED,)
