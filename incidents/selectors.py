"""Reads of reports, always through the policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from organization import calendar

from . import policies
from .lifecycle import Status, moves_from
from .models import EventAction, IncidentReport, ReportEvent

if TYPE_CHECKING:
    from organization.models import User


def my_reports(user: User) -> QuerySet[IncidentReport]:
    """私の連絡票: the user's own reports, drafts included (not the ones they discarded), newest first."""
    return (
        IncidentReport.objects.filter(reporter=user).exclude(status=Status.DISCARDED)
        .select_related("section")
        .prefetch_related("harassment_types")
        .order_by("-created_at", "-id")
    )


def discarded_by(user: User, pk: int) -> bool:
    """Whether ``pk`` is a draft this user filed and discarded (only its own reporter is told)."""
    return IncidentReport.objects.filter(pk=pk, reporter_id=user.pk, status=Status.DISCARDED).exists()


def readable_reports(user: User) -> QuerySet[IncidentReport]:
    """Every report the user may read (own, 課, 部 or all, by role), newest first."""
    return (
        policies.visible_reports(user)
        .select_related("section__department", "reporter")
        .prefetch_related("harassment_types")
        .order_by("-created_at", "-id")
    )


def report_detail(report: IncidentReport) -> IncidentReport:
    """The report with everything its detail and print pages show, in a fixed number of queries."""
    return (
        IncidentReport.objects.select_related("section__department", "reporter")
        .prefetch_related("harassment_types", "staff_members", "timeline", "attachments")
        .get(pk=report.pk)
    )


def report_history(report: IncidentReport) -> QuerySet[ReportEvent]:
    return report.events.select_related("actor").order_by("at", "id")


def related_report_choices(user: User) -> QuerySet[IncidentReport]:
    """Earlier reports the user may link as 'same 相手方': the submitted ones of their own 課 they
    may read (a draft is nobody's business but its reporter's, so it is never linked).

    Kept to the 課 so the list stays short at a counter; the 相手方 record (counterparts issue)
    links across 課.

    Only what a choice shows (number, 件名, date) is read: the list of a busy 課 is long, and the
    report list's joins and 態様 prefetch made rendering it most of the form page's time.
    """
    return (policies.visible_reports(user).filter(section_id=user.section_id).exclude(status=Status.DRAFT)
            .only("pk", "title", "created_at").order_by("-created_at", "-id"))


def staff_choices(user: User, *, report: IncidentReport | None = None) -> QuerySet[User]:
    """Who ``user`` may name as 対応職員 on ``report``: the active members of a 課, their own 課
    first, then by 部 and 課 in the organisation's order, then by name; one query however many.

    Accounts without a 課 and superuser accounts (the system's administration, not a person at a
    counter) are not offered. The reporter and the people the report already names are always
    allowed, so an edit never loses a colleague who has since left or moved.
    """
    from django.contrib.auth import get_user_model

    offered = Q(is_active=True, section__isnull=False, is_superuser=False)
    kept = Q(pk=user.pk)
    if report is not None and report.pk:
        named = IncidentReport.staff_members.through.objects.filter(incidentreport_id=report.pk)
        kept |= Q(pk__in=named.values("user_id"))
    own_first = (
        Case(When(section_id=user.section_id, then=Value(0)), default=Value(1), output_field=IntegerField())
        if user.section_id
        else Value(1, output_field=IntegerField())
    )
    return (
        get_user_model().objects.filter(offered | kept)
        .select_related("section__department")
        .annotate(own_section_first=own_first)
        .order_by(
            "own_section_first",
            F("section__department__order").asc(nulls_last=True),
            "section__department__name",
            "section__order",
            "section__name",
            "section_id",
            "display_name",
            "username",
            "pk",
        )
    )


def related_reports(user: User, report: IncidentReport) -> tuple[list[IncidentReport], int]:
    """The reports linked to ``report`` that ``user`` may open, and how many others are linked
    (shown only as a number: their titles are not the viewer's to read)."""
    linked = report.related_reports.values("pk")
    readable = list(policies.visible_reports(user).filter(pk__in=linked).order_by("created_at", "id"))
    return readable, report.related_reports.exclude(status=Status.DISCARDED).count() - len(readable)


def move_forms(user: User, report: IncidentReport) -> dict:
    """A form for each move of the lifecycle the user may make on the case now."""
    from .forms import MoveForm

    return {
        move.name: MoveForm(move=move, initial={"version": report.version}, auto_id=f"move-{move.name}-%s")
        for move in moves_from(report.status)
        if move.on_case_page and getattr(policies, move.policy)(user, report)
    }


#: Moves whose reason is addressed to the reporter; other reasons are for the roles handling the case.
#: (A report made from a live record says so in its 作成 event: the reporter's own record.)
REASONS_FOR_REPORTER = frozenset({"created", "returned", "reopened", "decided", "closed"})


#: The 相談窓口's own work on a case, recorded for the audit but not shown to the reporter, the
#: 対応職員 or the 所属長・部長 (internal notes, ratings, the counterpart register).
INTERNAL_ACTIONS = frozenset({"note_added", "rated", "assigned", "counterpart_linked", "counterpart_unlinked",
                              "action_recorded"})


#: Reads of a report, not changes: every one stays in the audit trail; the case page folds them into
#: a count unless asked for the whole trail.
READ_ACTIONS = (EventAction.VIEWED, EventAction.PRINTED, EventAction.ATTACHMENT_DOWNLOADED)


@dataclass(frozen=True)
class History:
    """What the case page shows of the audit trail: ``events`` in order (the changes only, when
    ``folded``), and how many reads of each kind there are (``reads``: (label, count), kinds with
    none left out)."""

    events: list[ReportEvent]
    reads: list[tuple[str, int]]
    folded: bool

    @property
    def read_count(self) -> int:
        return sum(n for _label, n in self.reads)


def report_history_for(user: User, report: IncidentReport, *, with_reads: bool = False) -> History:
    """The report's audit trail as this user may read it: the 相談窓口 sees every event; the
    所属長・部長 all but the 相談窓口's internal work; the reporter and 対応職員 also only the reasons
    addressed to them. Reads (閲覧, 印刷用表示, 資料の閲覧) are counted, and listed among the
    changes only ``with_reads``. Two queries at most, however long the trail."""
    if with_reads:
        events = list(report_history(report))
        counted: dict[str, int] = {}
        for event in events:
            if event.action in READ_ACTIONS:
                counted[event.action] = counted.get(event.action, 0) + 1
    else:
        events = list(report_history(report).exclude(action__in=READ_ACTIONS))
        counted = dict(
            report.events.filter(action__in=READ_ACTIONS).order_by().values_list("action").annotate(n=Count("id"))
        )
    if not policies.can_see_internal(user, report):
        events = [e for e in events if e.action not in INTERNAL_ACTIONS]
    if not policies.can_see_chief_comment(user, report):
        for event in events:
            if event.action not in REASONS_FOR_REPORTER:
                event.reason = ""
    reads = [(action.label, counted[action]) for action in READ_ACTIONS if counted.get(action)]
    return History(events=events, reads=reads, folded=not with_reads)


def return_reason(report: IncidentReport) -> str:
    """The reason of the latest 差戻し, while the report is returned (it is addressed to the reporter)."""
    if report.status != Status.RETURNED:
        return ""
    event = report.events.filter(action="returned").order_by("-at", "-id").first()
    return event.reason if event else ""


def business_age(report: IncidentReport) -> int | None:
    """Business days since submission (weekends, holidays and the city's closing days excluded)."""
    if report.submitted_at is None:
        return None
    return calendar.business_age(report.submitted_at)
