"""Who may see and change counterpart records: the one place that decides.

- 相談窓口 and the 対策委員会 (委員, 委員長) see counterpart records and their personal data.
- Only the 相談窓口 writes: registers, links and unlinks reports, records and ends measures.
- Everyone else gets 404 on every counterpart address, the list included: nothing tells them the
  register exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from incidents import policies as report_policies
from incidents.lifecycle import Status

from .models import Counterpart, Measure

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_see_counterparts(user: User) -> bool:
    return _active(user) and bool(user.is_desk or user.is_committee_member or user.is_committee_chair)


def can_manage_counterparts(user: User) -> bool:
    return _active(user) and bool(user.is_desk)


def can_link_report(user: User, report: IncidentReport) -> bool:
    """The 相談窓口 links submitted reports it may read; a draft is never linked."""
    return (
        can_manage_counterparts(user)
        and report.status != Status.DRAFT
        and report_policies.can_view_report(user, report)
    )


def get_counterpart_for_user(user: User, pk: int, *, for_manage: bool = False) -> Counterpart:
    """The counterpart if the user may see it (or, with ``for_manage``, change it); else 404."""
    allowed = can_manage_counterparts(user) if for_manage else can_see_counterparts(user)
    if not allowed:
        raise Http404
    try:
        return Counterpart.objects.get(pk=pk)
    except Counterpart.DoesNotExist:
        raise Http404 from None


def get_measure_for_manager(user: User, counterpart: Counterpart, pk: int) -> Measure:
    if not can_manage_counterparts(user):
        raise Http404
    try:
        return Measure.objects.select_related("counterpart").get(pk=pk, counterpart=counterpart)
    except Measure.DoesNotExist:
        raise Http404 from None


def get_report_for_linking(user: User, report_id: int) -> IncidentReport:
    """A report the 相談窓口 may link to a counterpart; 404 for anyone else and for drafts."""
    if not can_manage_counterparts(user):
        raise Http404
    report = report_policies.get_report_for_user(user, report_id)
    if not can_link_report(user, report):
        raise Http404
    return report
