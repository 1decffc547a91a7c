"""Who may do what with the committee's records (the one policy module of this domain).

- 相談窓口 (desk): the committee's secretariat — creates meetings, invites, puts referred cases on
  the agenda, records attendance, notes and votes, drafts and issues letters, prepares the board.
- 対策委員長 (committee chair): everything the secretariat does on meetings, and finalises decisions
  and approves minutes of the meetings it chairs.
- 委員 invited to a meeting: read the meeting, and the full case while it is on that meeting's
  agenda; afterwards the cases they decided (they attended the meeting that decided it).
- Anyone else: 404. The board (庁内共有) is read by every active member of staff.

A meeting whose minutes are approved is locked: nothing on it changes any more.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from organization.models import User

from .models import AgendaItem, AgendaState, Decision, Measure, Meeting, MemberRole


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_secretariat(user: User) -> bool:
    return _active(user) and user.is_desk


def can_use_committee(user: User) -> bool:
    """The committee's pages (meetings, measures) at all."""
    return _active(user) and (user.is_desk or user.is_committee_chair or user.is_committee_member)


def can_manage_meetings(user: User) -> bool:
    """Create meetings, invite, put cases on an agenda (相談窓口 or 委員長)."""
    return _active(user) and (user.is_desk or user.is_committee_chair)


def visible_meetings(user: User) -> QuerySet[Meeting]:
    if not can_use_committee(user):
        return Meeting.objects.none()
    if can_manage_meetings(user):
        return Meeting.objects.all()
    return Meeting.objects.filter(invitations__user=user).distinct()


def can_see_meeting(user: User, meeting: Meeting) -> bool:
    if not can_use_committee(user):
        return False
    return can_manage_meetings(user) or meeting.invitations.filter(user=user).exists()


def chairs(user: User, meeting: Meeting) -> bool:
    return _active(user) and meeting.invitations.filter(user=user, role=MemberRole.CHAIR).exists()


def can_record(user: User, meeting: Meeting) -> bool:
    """Attendance, notes, votes, decision drafts, deferral: the secretariat or the meeting's chair,
    while the minutes are not approved."""
    return not meeting.locked and (is_secretariat(user) or chairs(user, meeting)
                                   or (can_manage_meetings(user) and user.is_committee_chair))


def can_finalise(user: User, meeting: Meeting) -> bool:
    """Finalise (or correct) a decision: the chair of the meeting, or the 対策委員長."""
    return not meeting.locked and _active(user) and (chairs(user, meeting) or user.is_committee_chair)


def can_approve_minutes(user: User, meeting: Meeting) -> bool:
    return not meeting.locked and _active(user) and (chairs(user, meeting) or user.is_committee_chair)


def committee_cases_q(user: User, prefix: str = "") -> Q:
    """The cases ``user`` sees as a committee member: on the agenda (still to decide) of a meeting
    they are invited to, or decided at a meeting they attended."""
    p = f"{prefix}agenda_items__"
    invited = Q(**{f"{p}meeting__invitations__user": user})
    pending = Q(**{f"{p}state": AgendaState.PENDING}) & invited
    decided = Q(**{f"{p}state": AgendaState.DECIDED, f"{p}meeting__invitations__user": user,
                   f"{p}meeting__invitations__attended": True})
    return pending | decided


def sees_case_as_member(user: User, report) -> bool:
    from incidents.models import IncidentReport

    if not (_active(user) and (user.is_committee_member or user.is_committee_chair)):
        return False
    return IncidentReport.objects.filter(committee_cases_q(user), pk=report.pk).exists()


def can_mark_measure_done(user: User, measure: Measure) -> bool:
    if not _active(user) or measure.done_at is not None:
        return False
    return user.is_desk or owns_measure(user, measure)


def owns_measure(user: User, measure: Measure) -> bool:
    """The measure's owner: the person named, or the 所属長 of the 課 named."""
    if not _active(user):
        return False
    if measure.owner_id == user.pk:
        return True
    return bool(measure.owner_section_id and measure.owner_section_id in user.chief_sections)


def can_see_measure(user: User, measure: Measure) -> bool:
    """A measure is read by its owner, the 相談窓口, and whoever may read its meeting."""
    if not _active(user):
        return False
    return is_secretariat(user) or owns_measure(user, measure) or can_see_meeting(user, measure.decision.item.meeting)


def can_manage_agenda(user: User, meeting: Meeting) -> bool:
    return not meeting.locked and can_manage_meetings(user)


def get_item_for_user(user: User, pk: int) -> AgendaItem:
    item = AgendaItem.objects.select_related("meeting", "report__section__department").filter(pk=pk).first()
    if item is None or not can_see_meeting(user, item.meeting):
        raise Http404
    return item


def get_measure_for_user(user: User, pk: int) -> Measure:
    measure = (Measure.objects.select_related("type", "owner", "owner_section", "decision__item__meeting",
                                              "decision__report").filter(pk=pk).first())
    if measure is None or not can_see_measure(user, measure):
        raise Http404
    return measure


def can_handle_letters(user: User) -> bool:
    """Draft, edit and issue the letters a decision calls for."""
    return is_secretariat(user)


def can_prepare_board(user: User) -> bool:
    return is_secretariat(user)


def can_read_board(user: User) -> bool:
    return _active(user)


def get_meeting_for_user(user: User, pk: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=pk).first()
    if meeting is None or not can_see_meeting(user, meeting):
        raise Http404
    return meeting


def get_decision_for_user(user: User, pk: int) -> Decision:
    decision = Decision.objects.select_related("item__meeting", "report").filter(pk=pk).first()
    if decision is None or not can_see_meeting(user, decision.item.meeting):
        raise Http404
    return decision
