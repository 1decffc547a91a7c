"""Writes of the committee: meetings, invitations, attendance, the agenda, votes, decisions and their
measures. Each function is keyword-only, checks the actor again (``policies``), runs in one
transaction under the meeting's row lock, and leaves a ``CommitteeEvent`` behind. A meeting whose
minutes are approved is locked: every function here refuses to change it.

Finalising a decision moves the case 委員会付議 → 対応方針決定 through ``incidents.services.transition``
in the same transaction; a 出入禁止 (or another measure whose type names a counterpart measure)
becomes a standing measure on each counterpart linked to the case, in the same transaction too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import services as report_services
from incidents.lifecycle import Status
from incidents.models import EventAction, IncidentReport

from . import policies, reminders, rules
from .models import (
    VOTING_ROLES,
    AgendaItem,
    AgendaState,
    CommitteeAction,
    CommitteeEvent,
    Decision,
    Invitation,
    Measure,
    MeasureType,
    Meeting,
    MemberRole,
    Vote,
    VoteChoice,
)

if TYPE_CHECKING:
    from organization.models import User

#: How the counterpart register names who decided a measure the committee decided.
DECIDED_BY = "カスハラ対策委員会"
MEETING_FIELDS = ("kind", "title", "starts_at", "place")


def record_event(
    *, actor: User | None, action: str, meeting: Meeting | None = None, report: IncidentReport | None = None,
    ip_address: str | None = None, detail: dict[str, Any] | None = None,
) -> CommitteeEvent:
    return CommitteeEvent.objects.create(
        actor=actor, action=action, meeting=meeting, report=report, ip_address=ip_address, detail=detail or {}
    )


def _lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row, locked; a meeting whose minutes are approved is refused."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.locked:
        raise ValidationError(_("議事録が承認されたため、この会議の記録は変更できません。"))
    return locked


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# -- meetings and invitations ----------------------------------------------------------------------

@transaction.atomic
def create_meeting(
    *, actor: User, kind: str, starts_at: datetime.datetime, title: str = "", place: str = "",
    ip_address: str | None = None,
) -> Meeting:
    _require(policies.can_manage_meetings(actor))
    meeting = Meeting.objects.create(kind=kind, title=title, starts_at=starts_at, place=place, created_by=actor)
    record_event(actor=actor, action=CommitteeAction.MEETING_CREATED, meeting=meeting, ip_address=ip_address,
                 detail={"kind": kind, "starts_at": starts_at.isoformat()})
    return meeting


@transaction.atomic
def update_meeting(*, actor: User, meeting: Meeting, data: dict[str, Any], ip_address: str | None = None) -> Meeting:
    meeting = _lock_meeting(meeting)
    _require(policies.can_manage_meetings(actor))
    changed = [f for f in MEETING_FIELDS if f in data and getattr(meeting, f) != data[f]]
    if not changed:
        return meeting
    for field in changed:
        setattr(meeting, field, data[field])
    meeting.save(update_fields=changed)
    record_event(actor=actor, action=CommitteeAction.MEETING_CHANGED, meeting=meeting, ip_address=ip_address,
                 detail={"fields": changed})
    return meeting


def invitable(user: User, role: str) -> bool:
    """委員長・副委員長・委員 come from the committee's members; an observer may be anyone on staff."""
    if not (user.is_active and user.is_authenticated):
        return False
    if role == MemberRole.OBSERVER:
        return True
    return bool(user.is_committee_member or user.is_committee_chair)


@transaction.atomic
def invite(*, actor: User, meeting: Meeting, user: User, role: str, ip_address: str | None = None) -> Invitation:
    """Invite ``user`` in ``role`` (or change the role of someone already invited). One 委員長 a meeting."""
    meeting = _lock_meeting(meeting)
    _require(policies.can_manage_meetings(actor))
    if role not in MemberRole.values:
        raise ValidationError(_("役割を選んでください。"))
    if not invitable(user, role):
        raise ValidationError(_("%(user)s は対策委員ではないため、オブザーバーとしてだけ招集できます。") % {"user": user})
    if role == MemberRole.CHAIR:
        other = meeting.invitations.filter(role=MemberRole.CHAIR).exclude(user=user).select_related("user").first()
        if other is not None:
            raise ValidationError(_("委員長は一つの会議に一人です（すでに %(user)s が委員長です）。") % {"user": other.user})
    invitation = meeting.invitations.filter(user=user).first()
    if invitation is not None and invitation.role == role:
        return invitation
    if invitation is None:
        invitation = Invitation.objects.create(meeting=meeting, user=user, role=role)
    else:
        invitation.role = role
        invitation.save(update_fields=["role"])
    record_event(actor=actor, action=CommitteeAction.INVITED, meeting=meeting, ip_address=ip_address,
                 detail={"user": user.pk, "name": str(user), "role": role})
    return invitation


@transaction.atomic
def uninvite(*, actor: User, invitation: Invitation, ip_address: str | None = None) -> None:
    meeting = _lock_meeting(invitation.meeting)
    _require(policies.can_manage_meetings(actor))
    if Vote.objects.filter(item__meeting=meeting, member_id=invitation.user_id).exists():
        raise ValidationError(_("%(user)s の表決が記録されているため、招集を取り消せません。") % {"user": invitation.user})
    invitation.delete()
    record_event(actor=actor, action=CommitteeAction.UNINVITED, meeting=meeting, ip_address=ip_address,
                 detail={"user": invitation.user_id, "name": str(invitation.user)})


@transaction.atomic
def record_attendance(
    *, actor: User, meeting: Meeting, attended: dict[int, bool | None], ip_address: str | None = None
) -> list[str]:
    """``attended``: invitation id → 出席 / 欠席 / not recorded (None). Returns who changed."""
    meeting = _lock_meeting(meeting)
    _require(policies.can_record(actor, meeting))
    changed = []
    for invitation in meeting.invitations.select_related("user"):
        if invitation.pk not in attended or invitation.attended == attended[invitation.pk]:
            continue
        if attended[invitation.pk] is not True and Vote.objects.filter(
            item__meeting=meeting, member_id=invitation.user_id
        ).exists():
            raise ValidationError(_("%(user)s の表決が記録されているため、欠席にはできません。") % {"user": invitation.user})
        invitation.attended = attended[invitation.pk]
        invitation.save(update_fields=["attended"])
        changed.append({"user": invitation.user_id, "name": str(invitation.user), "attended": invitation.attended})
    if changed:
        record_event(actor=actor, action=CommitteeAction.ATTENDANCE, meeting=meeting, ip_address=ip_address,
                     detail={"changes": changed})
    return [c["name"] for c in changed]


def meeting_quorum(meeting: Meeting) -> rules.Quorum:
    voting = [i for i in meeting.invitations.all() if i.role in VOTING_ROLES]
    return rules.quorum(len(voting), sum(1 for i in voting if i.attended))


# -- the agenda ------------------------------------------------------------------------------------

@transaction.atomic
def add_item(*, actor: User, meeting: Meeting, report: IncidentReport, ip_address: str | None = None) -> AgendaItem:
    """Put a referred (委員会付議) case on the agenda; a case still pending on another meeting is
    deferred from there instead (``defer_item``)."""
    meeting = _lock_meeting(meeting)
    _require(policies.can_manage_meetings(actor))
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.REFERRED:
        raise ValidationError(_("委員会に付議された事案だけを議題にできます（この事案は「%(status)s」です）。")
                              % {"status": report.get_status_display()})
    if meeting.items.filter(report=report).exists():
        raise ValidationError(_("この事案はすでにこの会議の議題です。"))
    elsewhere = AgendaItem.objects.filter(report=report, state=AgendaState.PENDING).select_related("meeting").first()
    if elsewhere is not None:
        raise ValidationError(_("この事案は「%(meeting)s」の議題になっています。移すときは、その会議で「継続審議」にしてください。")
                              % {"meeting": elsewhere.meeting})
    position = (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, report=report, position=position, added_by=actor)
    record_event(actor=actor, action=CommitteeAction.ITEM_ADDED, meeting=meeting, report=report,
                 ip_address=ip_address, detail={"item": item.pk, "position": position})
    reminders.agenda_added(item=item, actor=actor)
    return item


@transaction.atomic
def move_item(*, actor: User, item: AgendaItem, up: bool, ip_address: str | None = None) -> None:
    """Swap the item with its neighbour above (``up``) or below."""
    meeting = _lock_meeting(item.meeting)
    _require(policies.can_manage_meetings(actor))
    items = list(meeting.items.order_by("position", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, it in enumerate(items, start=1):
        if it.position != position:
            AgendaItem.objects.filter(pk=it.pk).update(position=position)
    record_event(actor=actor, action=CommitteeAction.MEETING_CHANGED, meeting=meeting, report=item.report,
                 ip_address=ip_address, detail={"item": item.pk, "moved": "up" if up else "down"})


@transaction.atomic
def defer_item(
    *, actor: User, item: AgendaItem, to_meeting: Meeting, notes: str = "", ip_address: str | None = None
) -> AgendaItem:
    """継続審議: the item stays on this meeting as 「次回以降に継続」 with its notes, and the case goes
    on the later meeting's agenda as a new item."""
    meeting = _lock_meeting(item.meeting)
    _require(policies.can_record(actor, meeting) and policies.can_manage_meetings(actor))
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.state != AgendaState.PENDING:
        raise ValidationError(_("審議予定の議題だけを継続審議にできます。"))
    if to_meeting.pk == meeting.pk:
        raise ValidationError(_("継続先には別の会議を選んでください。"))
    target = _lock_meeting(to_meeting)
    if target.starts_at <= meeting.starts_at:
        raise ValidationError(_("継続先には、この会議より後の会議を選んでください。"))
    if target.items.filter(report_id=item.report_id).exists():
        raise ValidationError(_("この事案はすでに継続先の会議の議題です。"))
    if Decision.objects.filter(item=item, finalised_at__isnull=True).exists():
        Decision.objects.filter(item=item, finalised_at__isnull=True).delete()
    item.state = AgendaState.DEFERRED
    if notes.strip():
        item.notes = f"{item.notes}\n{notes}".strip() if item.notes else notes
    item.save(update_fields=["state", "notes"])
    position = (target.items.aggregate(m=Max("position"))["m"] or 0) + 1
    new = AgendaItem.objects.create(meeting=target, report_id=item.report_id, position=position, added_by=actor)
    detail = {"item": item.pk, "to_meeting": target.pk, "new_item": new.pk}
    record_event(actor=actor, action=CommitteeAction.ITEM_DEFERRED, meeting=meeting, report=item.report,
                 ip_address=ip_address, detail=detail)
    record_event(actor=actor, action=CommitteeAction.ITEM_ADDED, meeting=target, report=item.report,
                 ip_address=ip_address, detail={"item": new.pk, "from_meeting": meeting.pk, "position": position})
    return new


@transaction.atomic
def save_notes(*, actor: User, item: AgendaItem, notes: str, ip_address: str | None = None) -> AgendaItem:
    meeting = _lock_meeting(item.meeting)
    _require(policies.can_record(actor, meeting))
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.notes == notes:
        return item
    item.notes = notes
    item.save(update_fields=["notes"])
    record_event(actor=actor, action=CommitteeAction.NOTES, meeting=meeting, report=item.report,
                 ip_address=ip_address, detail={"item": item.pk, "length": len(notes)})
    return item


# -- votes -----------------------------------------------------------------------------------------

def _chair_only_breaks_ties() -> bool:
    return rules.tie_rule() == "chair"


@dataclass(frozen=True)
class Voter:
    """An invited member as the agenda shows them for one case: may they vote, and if not, why."""

    invitation: Invitation
    conflict: str | None
    #: Whether this member's 賛成・反対・棄権 is counted (present, a voting role, no conflict, and not
    #: the chair where the chair only breaks ties).
    counted: bool
    #: Why not, in words (empty when counted).
    why_not: str


def voters(meeting: Meeting, report: IncidentReport, invitations: list[Invitation] | None = None) -> list[Voter]:
    invitations = invitations if invitations is not None else list(meeting.invitations.select_related("user__section"))
    result = []
    for invitation in invitations:
        conflict = rules.conflict_reason(invitation.user, report)
        why = ""
        if invitation.role not in VOTING_ROLES:
            why = _("議決権なし")
        elif conflict:
            why = _("利害関係（%(reason)s）のため表決に加わらない") % {"reason": conflict}
        elif invitation.attended is not True:
            why = _("出席していない")
        elif invitation.role == MemberRole.CHAIR and _chair_only_breaks_ties():
            why = _("委員長は可否同数のときに決する")
        result.append(Voter(invitation, conflict, not why, why))
    return result


@transaction.atomic
def record_votes(
    *, actor: User, item: AgendaItem, votes: dict[int, str], ip_address: str | None = None
) -> None:
    """``votes``: member (user id) → 'for' / 'against' / 'abstain' / '' (no vote). A member with a
    conflict, absent, an observer, or the chair where the chair only breaks ties is refused with a
    message naming them; nothing is saved then."""
    meeting = _lock_meeting(item.meeting)
    _require(policies.can_record(actor, meeting))
    item = AgendaItem.objects.select_for_update().select_related("report__section").get(pk=item.pk)
    if item.state != AgendaState.PENDING:
        raise ValidationError(_("この議題は「%(state)s」のため、表決を記録できません。") % {"state": item.get_state_display()})
    by_user = {v.invitation.user_id: v for v in voters(meeting, item.report)}
    refused = []
    for user_id, choice in votes.items():
        if not choice:
            continue
        if choice not in VoteChoice.values:
            raise ValidationError(_("票は賛成・反対・棄権のいずれかです。"))
        voter = by_user.get(user_id)
        if voter is None:
            raise ValidationError(_("招集されていない人の表決は記録できません。"))
        if not voter.counted:
            refused.append(f"{voter.invitation.user}（{voter.why_not}）")
    if refused:
        raise ValidationError(_("次の人の表決は記録できません：%(who)s") % {"who": "、".join(refused)})
    changes = {}
    for user_id, choice in votes.items():
        existing = Vote.objects.filter(item=item, member_id=user_id).first()
        if not choice:
            if existing is not None:
                existing.delete()
                changes[str(user_id)] = ""
            continue
        if existing is None:
            Vote.objects.create(item=item, member_id=user_id, choice=choice, recorded_by=actor)
        elif existing.choice != choice:
            existing.choice, existing.recorded_by = choice, actor
            existing.save(update_fields=["choice", "recorded_by", "recorded_at"])
        else:
            continue
        changes[str(user_id)] = choice
    if changes:
        record_event(actor=actor, action=CommitteeAction.VOTED, meeting=meeting, report=item.report,
                     ip_address=ip_address, detail={"item": item.pk, "votes": changes})


def item_tally(item: AgendaItem, *, by_consensus: bool, casting_vote: str | None = None,
               invitations: list[Invitation] | None = None) -> tuple[rules.Tally, list[dict]]:
    """The tally of the item's votes (or of a consensus), and the recorded conflicts."""
    vs = voters(item.meeting, item.report, invitations)
    eligible = [v for v in vs if v.counted]
    conflicts = [{"user": v.invitation.user_id, "name": str(v.invitation.user), "reason": v.conflict}
                 for v in vs if v.conflict]
    if by_consensus:
        counts = {"for": len(eligible), "against": 0, "abstain": 0}
    else:
        counted = {v.invitation.user_id for v in eligible}
        counts = {"for": 0, "against": 0, "abstain": 0}
        for vote in item.votes.all():
            if vote.member_id in counted:
                counts[vote.choice] += 1
    tally = rules.tally(for_=counts["for"], against=counts["against"], abstain=counts["abstain"],
                        eligible=len(eligible), casting_vote=casting_vote)
    return tally, conflicts


# -- decisions -------------------------------------------------------------------------------------

@dataclass
class MeasureInput:
    type: MeasureType
    due_on: datetime.date
    detail: str = ""
    owner_section: Any = None
    owner: Any = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


def _check_measures(measures: list[MeasureInput]) -> None:
    for m in measures:
        if m.owner is None and m.owner_section is None:
            raise ValidationError(_("「%(type)s」の担当課か担当者を指定してください。") % {"type": m.type})
        if m.type.counterpart_measure == "ban" and m.starts_on is None:
            raise ValidationError(_("出入禁止には開始日を入力してください。"))
        if m.starts_on and m.ends_on and m.ends_on < m.starts_on:
            raise ValidationError(_("「%(type)s」の終了予定日は開始日以降にしてください。") % {"type": m.type})


def _create_measures(decision: Decision, measures: list[MeasureInput]) -> None:
    Measure.objects.bulk_create([
        Measure(decision=decision, type=m.type, detail=m.detail, owner_section=m.owner_section, owner=m.owner,
                due_on=m.due_on, starts_on=m.starts_on, ends_on=m.ends_on)
        for m in measures
    ])


@transaction.atomic
def save_draft(
    *, actor: User, item: AgendaItem, judged: str, policy: str, by_consensus: bool,
    measures: list[MeasureInput], ip_address: str | None = None,
) -> Decision:
    """The decision's draft for a pending item (one per item; saving again replaces it and its measures)."""
    meeting = _lock_meeting(item.meeting)
    _require(policies.can_record(actor, meeting))
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.state != AgendaState.PENDING:
        raise ValidationError(_("この議題は「%(state)s」のため、決定案を作れません。") % {"state": item.get_state_display()})
    if not policy.strip():
        raise ValidationError(_("対応方針を入力してください。"))
    _check_measures(measures)
    decision = Decision.objects.filter(item=item, finalised_at__isnull=True).first()
    if decision is None:
        decision = Decision(item=item, report_id=item.report_id, created_by=actor)
    decision.judged, decision.policy, decision.by_consensus = judged, policy, by_consensus
    decision.save()
    decision.measures.all().delete()
    _create_measures(decision, measures)
    record_event(actor=actor, action=CommitteeAction.DECISION_DRAFTED, meeting=meeting, report=item.report,
                 ip_address=ip_address,
                 detail={"decision": decision.pk, "judged": judged, "measures": [m.type.code for m in measures]})
    return decision


def _refusals(item: AgendaItem, *, by_consensus: bool, casting_vote: str | None) -> tuple[list[str], dict]:
    """Why the item's decision cannot be finalised (empty: it can), and what to record."""
    invitations = list(item.meeting.invitations.select_related("user__section__department"))
    voting = [i for i in invitations if i.role in VOTING_ROLES]
    quorum = rules.quorum(len(voting), sum(1 for i in voting if i.attended))
    reasons = []
    if not quorum.met:
        reasons.append(_("定足数に達していないため、決定を確定できません。%(why)s") % {"why": quorum.explain()})
    chair = next((i for i in invitations if i.role == MemberRole.CHAIR), None)
    if casting_vote and chair is not None and rules.conflict_reason(chair.user, item.report):
        reasons.append(_("委員長は利害関係があるため、可否同数のときに決することができません。"))
        casting_vote = None
    tally, conflicts = item_tally(item, by_consensus=by_consensus, casting_vote=casting_vote, invitations=invitations)
    if not tally.passed:
        reasons.extend(tally.reasons or [_("可決されていません。")])
    record = {
        **tally.as_record(),
        "consensus": by_consensus,
        "quorum": {"voting_members": quorum.voting_members, "present": quorum.present, "needed": quorum.needed,
                   "met": quorum.met, "share": str(rules.quorum_share())},
        "conflicts": conflicts,
        "votes": [{"user": v.member_id, "name": str(v.member), "choice": v.choice}
                  for v in item.votes.select_related("member")] if not by_consensus else [],
    }
    return reasons, record


def _counterpart_measures(*, actor: User, decision: Decision, ip_address: str | None) -> None:
    """A measure whose type names a counterpart measure (出入禁止: ``ban``) becomes a standing measure on
    each counterpart linked to the case. ``counterparts.services.add_measure`` is the 相談窓口's own
    form (it requires the 相談窓口); here the committee decided, so the row and its event are written
    directly, the same way."""
    from counterparts import services as counterpart_services
    from counterparts.models import CounterpartAction, MeasureKind
    from counterparts.models import Measure as CounterpartMeasure

    measures = [m for m in decision.measures.select_related("type") if m.type.counterpart_measure in MeasureKind.values]
    if not measures:
        return
    counterparts = [link.counterpart for link in decision.report.counterpart_links.select_related("counterpart")]
    decided_on = timezone.localdate(decision.finalised_at)
    for counterpart in counterparts:
        for m in measures:
            row = CounterpartMeasure.objects.create(
                counterpart=counterpart, kind=m.type.counterpart_measure, description=m.detail or m.type.name,
                handler=m.owner, decided_by=DECIDED_BY, decided_on=decided_on, starts_on=m.starts_on or decided_on,
                ends_on=m.ends_on, recorded_by=actor,
            )
            counterpart_services.record_event(
                counterpart=counterpart, actor=actor, action=CounterpartAction.MEASURE_ADDED, ip_address=ip_address,
                detail={"measure": row.pk, "kind": row.kind, "starts_on": row.starts_on.isoformat(),
                        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
                        "committee_decision": decision.pk},
            )


def _finalise(*, actor: User, decision: Decision, record: dict, ip_address: str | None) -> Decision:
    decision.tally = record
    decision.finalised_at = timezone.now()
    decision.finalised_by = actor
    decision.save(update_fields=["tally", "finalised_at", "finalised_by"])
    _counterpart_measures(actor=actor, decision=decision, ip_address=ip_address)
    reminders.decision_finalised(decision=decision, actor=actor)
    return decision


@transaction.atomic
def finalise_decision(
    *, actor: User, decision: Decision, casting_vote: str | None = None, ip_address: str | None = None
) -> Decision:
    """確定: refused unless the meeting is quorate and the vote (or the consensus) carries; then the
    decision is final, the item decided, and the case moves to 対応方針決定 — one transaction."""
    meeting = _lock_meeting(decision.item.meeting)
    _require(policies.can_finalise(actor, meeting))
    decision = Decision.objects.select_for_update().select_related("item__meeting", "item__report").get(pk=decision.pk)
    if decision.final:
        raise ValidationError(_("この決定はすでに確定しています。変更するときは「訂正」してください。"))
    item = decision.item
    if item.state != AgendaState.PENDING:
        raise ValidationError(_("この議題は「%(state)s」のため、決定を確定できません。") % {"state": item.get_state_display()})
    reasons, record = _refusals(item, by_consensus=decision.by_consensus, casting_vote=casting_vote or None)
    if reasons:
        raise ValidationError(reasons)
    _finalise(actor=actor, decision=decision, record=record, ip_address=ip_address)
    item.state = AgendaState.DECIDED
    item.save(update_fields=["state"])
    report_services.transition(
        report=item.report, name="decide", actor=actor, ip_address=ip_address,
        reason=f"{decision.get_judged_display()}：{decision.policy}",
        inputs={"decision": decision.pk, "meeting": meeting.pk},
    )
    record_event(actor=actor, action=CommitteeAction.DECISION_FINALISED, meeting=meeting, report=item.report,
                 ip_address=ip_address, detail={"decision": decision.pk, "tally": record})
    return decision


@transaction.atomic
def correct_decision(
    *, actor: User, decision: Decision, reason: str, judged: str, policy: str, by_consensus: bool,
    measures: list[MeasureInput], casting_vote: str | None = None, ip_address: str | None = None,
) -> Decision:
    """訂正: a new decision that supersedes the finalised one, finalised the same way (quorum and the
    item's vote). The old decision is never changed; the case stays 対応方針決定."""
    meeting = _lock_meeting(decision.item.meeting)
    _require(policies.can_finalise(actor, meeting))
    old = Decision.objects.select_for_update().select_related("item__report").get(pk=decision.pk)
    if not old.final:
        raise ValidationError(_("確定していない決定は訂正せず、決定案を直してください。"))
    if Decision.objects.filter(supersedes=old).exists():
        raise ValidationError(_("この決定はすでに訂正されています。最新の決定を訂正してください。"))
    if not reason.strip():
        raise ValidationError(_("訂正の理由を入力してください。"))
    if not policy.strip():
        raise ValidationError(_("対応方針を入力してください。"))
    _check_measures(measures)
    reasons, record = _refusals(old.item, by_consensus=by_consensus, casting_vote=casting_vote or None)
    if reasons:
        raise ValidationError(reasons)
    new = Decision.objects.create(
        item=old.item, report_id=old.report_id, judged=judged, policy=policy, by_consensus=by_consensus,
        supersedes=old, correction_reason=reason, created_by=actor,
    )
    _create_measures(new, measures)
    _finalise(actor=actor, decision=new, record=record, ip_address=ip_address)
    report_services.record_event(
        report=old.item.report, actor=actor, action=EventAction.DECIDED, ip_address=ip_address,
        reason=_("対応方針の訂正（%(reason)s）：%(judged)s：%(policy)s")
        % {"reason": reason, "judged": new.get_judged_display(), "policy": policy},
        detail={"decision": new.pk, "supersedes": old.pk, "meeting": meeting.pk},
    )
    record_event(actor=actor, action=CommitteeAction.DECISION_SUPERSEDED, meeting=meeting, report=old.item.report,
                 ip_address=ip_address, detail={"decision": new.pk, "supersedes": old.pk, "reason": reason,
                                                "tally": record})
    return new


# -- measures --------------------------------------------------------------------------------------

@transaction.atomic
def mark_measure_done(*, actor: User, measure: Measure, note: str, ip_address: str | None = None) -> Measure:
    measure = Measure.objects.select_for_update().select_related("decision__item__meeting").get(pk=measure.pk)
    if measure.done_at is not None:
        raise ValidationError(_("この措置はすでに完了が記録されています。"))
    _require(policies.can_mark_measure_done(actor, measure))
    if not note.strip():
        raise ValidationError(_("完了の記録（何をしたか）を入力してください。"))
    measure.done_at, measure.done_by, measure.done_note = timezone.now(), actor, note
    measure.save(update_fields=["done_at", "done_by", "done_note"])
    record_event(actor=actor, action=CommitteeAction.MEASURE_DONE, meeting=measure.decision.item.meeting,
                 report=measure.decision.report, ip_address=ip_address, detail={"measure": measure.pk})
    return measure
