"""Reads of the committee: the meeting page, a case's decisions, open measures.

Other modules (letters, minutes, the board) read through here: ``final_decision(report)`` and
``meeting_detail(meeting)`` keep their names and shapes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from incidents import policies as report_policies
from incidents.lifecycle import Status
from incidents.models import IncidentReport

from . import policies, rules, services
from .models import AgendaItem, AgendaState, Decision, Measure, MeasureType, Meeting

if TYPE_CHECKING:
    from organization.models import User


def final_decision(report: IncidentReport) -> Decision | None:
    """The case's current decision: finalised and not superseded by a later one (None if none yet)."""
    return (
        Decision.objects.filter(report=report, finalised_at__isnull=False, superseded_by__isnull=True)
        .select_related("item__meeting", "finalised_by")
        .prefetch_related("measures__type", "measures__owner", "measures__owner_section")
        .order_by("-finalised_at", "-id")
        .first()
    )


def decisions_of(report: IncidentReport) -> list[Decision]:
    """Every finalised decision of the case, oldest first (superseded ones included)."""
    return list(
        Decision.objects.filter(report=report, finalised_at__isnull=False)
        .select_related("item__meeting", "finalised_by", "supersedes")
        .prefetch_related("measures__type")
        .order_by("finalised_at", "id")
    )


@dataclass
class ItemView:
    item: AgendaItem
    #: May the viewer open the case (else only its number is shown).
    can_open: bool
    voters: list[services.Voter]
    votes: dict[int, str]
    draft: Decision | None
    decisions: list[Decision]
    tally: rules.Tally | None = None

    @property
    def superseded_ids(self) -> set[int]:
        return {d.supersedes_id for d in self.decisions if d.supersedes_id}

    @property
    def current(self) -> Decision | None:
        """The finalised decision not superseded by another."""
        return next((d for d in reversed(self.decisions) if d.pk not in self.superseded_ids), None)


@dataclass
class MeetingDetail:
    meeting: Meeting
    invitations: list
    quorum: rules.Quorum
    items: list[ItemView] = field(default_factory=list)

    @property
    def chair(self):
        return next((i.user for i in self.invitations if i.role == "chair"), None)


def meeting_detail(meeting: Meeting, viewer: User | None = None) -> MeetingDetail:
    """Everything the meeting page (and the minutes) show: invitations with attendance, the quorum,
    each agenda item with who may vote on it and why not (conflicts), the votes, the draft and the
    finalised decisions (superseded ones included, oldest first)."""
    invitations = list(meeting.invitations.select_related("user__section__department"))
    voting = [i for i in invitations if i.role in services.VOTING_ROLES]
    quorum = rules.quorum(len(voting), sum(1 for i in voting if i.attended))
    detail = MeetingDetail(meeting=meeting, invitations=invitations, quorum=quorum)
    items = (
        meeting.items.select_related("report__section__department", "report__reporter")
        .prefetch_related("votes", "decisions__measures__type", "decisions__measures__owner",
                          "decisions__measures__owner_section", "decisions__finalised_by")
        .order_by("position", "id")
    )
    for item in items:
        decisions = sorted(item.decisions.all(), key=lambda d: (d.created_at, d.pk))
        draft = next((d for d in decisions if not d.final), None)
        view = ItemView(
            item=item,
            can_open=viewer is None or report_policies.can_view_report(viewer, item.report),
            voters=services.voters(meeting, item.report, invitations),
            votes={v.member_id: v.choice for v in item.votes.all()},
            draft=draft,
            decisions=[d for d in decisions if d.final],
        )
        if item.state == AgendaState.PENDING:
            view.tally, _conflicts = services.item_tally(
                item, by_consensus=bool(draft and draft.by_consensus), invitations=invitations
            )
        detail.items.append(view)
    return detail


def meetings_for(user: User) -> QuerySet[Meeting]:
    return policies.visible_meetings(user).prefetch_related("items")


def later_meetings(meeting: Meeting) -> QuerySet[Meeting]:
    """Where a case can be deferred to: later meetings whose minutes are not approved."""
    return Meeting.objects.filter(starts_at__gt=meeting.starts_at, minutes_approved_at__isnull=True).order_by("starts_at")


def referable_cases() -> QuerySet[IncidentReport]:
    """Referred cases not pending on any meeting's agenda: what can be put on an agenda."""
    return (
        IncidentReport.objects.filter(status=Status.REFERRED)
        .exclude(agenda_items__state=AgendaState.PENDING)
        .order_by("pk")
    )


def active_measure_types() -> QuerySet[MeasureType]:
    return MeasureType.objects.filter(active=True)


def _open_measures() -> QuerySet[Measure]:
    return (
        Measure.objects.filter(done_at__isnull=True, decision__finalised_at__isnull=False,
                               decision__superseded_by__isnull=True)
        .select_related("type", "owner", "owner_section", "decision__report", "decision__item__meeting")
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    overdue: bool
    can_open_case: bool
    can_mark_done: bool


def _rows(user: User, measures, today: datetime.date) -> list[MeasureRow]:
    rows = [
        MeasureRow(m, m.overdue_on(today), report_policies.can_view_report(user, m.decision.report),
                   policies.can_mark_measure_done(user, m))
        for m in measures
    ]
    # Overdue ones first, then by due date.
    return sorted(rows, key=lambda r: (not r.overdue, r.measure.due_on, r.measure.pk))


def open_measures_for_committee(user: User, today: datetime.date | None = None) -> list[MeasureRow]:
    """The committee page's list: every open measure of a current decision (those the viewer may
    see), overdue ones first."""
    today = today or timezone.localdate()
    measures = [m for m in _open_measures() if policies.can_see_measure(user, m)]
    return _rows(user, measures, today)


def my_open_measures(user: User, today: datetime.date | None = None) -> list[MeasureRow]:
    """The measures ``user`` owns (in person, or as the chief of the owner 課), overdue first: the
    home page's list."""
    today = today or timezone.localdate()
    owned = Q(owner=user)
    if user.chief_sections:
        owned |= Q(owner_section_id__in=user.chief_sections, owner__isnull=True)
    return _rows(user, _open_measures().filter(owned), today)
