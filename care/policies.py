"""Who may read and act on which check-in and referral: the one place that decides.

Check-ins (``CheckIn``) are the 相談窓口's work: only the 相談窓口 reads and records them. The staff
member sees on their home page that the 相談窓口 will contact them, never the 相談窓口's record.

A referral (``Referral``) is health information; its rules are its own, not the case's:

- the staff member it is about reads it whole, consents (choosing the parts the 保健室 may read and
  whether the 所属長 may know), declines, or withdraws the consent — nobody else does that;
- the 相談窓口 proposes it and reads its state and the choices made;
- the 職員保健室 (``is_health_office``) reads it only while the staff member consents, and then only
  the parts chosen (on its own page: the 保健室 gets no access to the case page);
- the 所属長 of the staff member's 課 learns that a referral exists (and when) only while the staff
  member consents and has agreed to that as well — never its content;
- everyone else, 部長, 委員 and 管理者 included, gets 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from incidents.lifecycle import UNSUBMITTED, Status

from .models import CheckIn, Referral, ReferralState

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User

#: Never submitted (a draft, 削除済み): no care record is made for it or shown with it.
NOT_FILED = UNSUBMITTED


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_desk(user: User) -> bool:
    return _active(user) and bool(user.is_desk)


def is_health_office(user: User) -> bool:
    return _active(user) and bool(user.is_health_office)


# -- check-ins ---------------------------------------------------------------------------------------

def can_manage_checkins(user: User) -> bool:
    """The 相談窓口 reads the check-ins and records their outcome."""
    return is_desk(user)


def get_checkin_for_user(user: User, pk: int) -> CheckIn:
    if not can_manage_checkins(user):
        raise Http404
    try:
        return CheckIn.objects.select_related("report__section__department", "person", "done_by").get(
            pk=pk, report__status__in=filed_statuses())
    except CheckIn.DoesNotExist:
        raise Http404 from None


def filed_statuses() -> list[str]:
    return [s for s in Status.values if s not in NOT_FILED]


# -- referrals ---------------------------------------------------------------------------------------

def can_propose(user: User, report: IncidentReport) -> bool:
    """The 相談窓口 proposes a referral for a submitted report (its reporter is the one referred)."""
    return is_desk(user) and report.status not in NOT_FILED


def is_person(user: User, referral: Referral) -> bool:
    return _active(user) and referral.person_id == user.pk


def chief_may_know(user: User, referral: Referral) -> bool:
    """The 所属長 of the staff member's 課, while the staff member consents and agreed to tell them."""
    return bool(
        _active(user) and referral.is_consented and referral.share_with_chief
        and referral.person.section_id in user.chief_sections
    )


def can_view_referral(user: User, referral: Referral) -> bool:
    if not _active(user) or referral.report.status in NOT_FILED:
        return False
    if is_person(user, referral) or is_desk(user):
        return True
    if is_health_office(user) and referral.is_consented:
        return True
    return chief_may_know(user, referral)


def can_read_shared_parts(user: User, referral: Referral) -> bool:
    """The parts of the report the staff member chose: the 保健室 while consented, and the staff member."""
    return is_person(user, referral) or (is_health_office(user) and referral.is_consented)


def can_read_details(user: User, referral: Referral) -> bool:
    """The proposal's message, the consent's choices, the contact and the history: the staff member
    and the 相談窓口; the 保健室 reads the message and the contact (what it needs to reach them)."""
    return is_person(user, referral) or is_desk(user)


def can_consent(user: User, referral: Referral) -> bool:
    """Only the staff member themselves gives, changes, declines or withdraws the consent."""
    return is_person(user, referral)


def can_receive(user: User, referral: Referral) -> bool:
    return is_health_office(user) and referral.is_consented and referral.received_at is None


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Every referral the user may open, as one condition on the row."""
    if not _active(user):
        return Referral.objects.none()
    filed = Referral.objects.exclude(report__status__in=NOT_FILED)
    if user.is_desk:
        return filed
    condition = Q(person=user)
    if user.is_health_office:
        condition |= Q(state=ReferralState.CONSENTED)
    if user.chief_sections:
        condition |= Q(state=ReferralState.CONSENTED, share_with_chief=True, person__section_id__in=user.chief_sections)
    return filed.filter(condition)


def get_referral_for_user(user: User, pk: int) -> Referral:
    """The referral with ``pk`` if the user may open it; else 404 (which says nothing of whether it exists)."""
    try:
        referral = Referral.objects.select_related(
            "report__section__department", "person__section", "proposed_by", "consented_by", "received_by",
        ).get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None
    if not can_view_referral(user, referral):
        raise Http404
    return referral
