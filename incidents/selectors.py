"""Reads of reports, always through the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from organization import calendar

from . import policies
from .lifecycle import Status, moves_from
from .models import IncidentReport, ReportEvent

if TYPE_CHECKING:
    from organization.models import User


def my_reports(user: User) -> QuerySet[IncidentReport]:
    """私の連絡票: the user's own reports, drafts included, newest first."""
    return (
        IncidentReport.objects.filter(reporter=user)
        .select_related("section")
        .prefetch_related("harassment_types")
        .order_by("-created_at", "-id")
    )


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
    """
    return readable_reports(user).filter(section_id=user.section_id).exclude(status=Status.DRAFT)


def related_reports(user: User, report: IncidentReport) -> tuple[list[IncidentReport], int]:
    """The reports linked to ``report`` that ``user`` may open, and how many others are linked
    (shown only as a number: their titles are not the viewer's to read)."""
    linked = report.related_reports.values("pk")
    readable = list(policies.visible_reports(user).filter(pk__in=linked).order_by("created_at", "id"))
    return readable, report.related_reports.count() - len(readable)


def move_forms(user: User, report: IncidentReport) -> dict:
    """A form for each move of the lifecycle the user may make on the case now."""
    from .forms import MoveForm

    return {
        move.name: MoveForm(move=move, initial={"version": report.version}, auto_id=f"move-{move.name}-%s")
        for move in moves_from(report.status)
        if move.on_case_page and getattr(policies, move.policy)(user, report)
    }


#: Moves whose reason is addressed to the reporter; other reasons are for the roles handling the case.
REASONS_FOR_REPORTER = frozenset({"returned", "reopened", "decided", "closed"})


#: The 相談窓口's own work on a case, recorded for the audit but not shown to the reporter, the
#: 対応職員 or the 所属長・部長 (internal notes, ratings, the counterpart register).
INTERNAL_ACTIONS = frozenset({"note_added", "rated", "assigned", "counterpart_linked", "counterpart_unlinked",
                              "action_recorded"})


def report_history_for(user: User, report: IncidentReport) -> list[ReportEvent]:
    """The report's audit trail as this user may read it: the 相談窓口 sees every event; the
    所属長・部長 all but the 相談窓口's internal work; the reporter and 対応職員 also only the reasons
    addressed to them."""
    events = list(report_history(report))
    if not policies.can_see_internal(user, report):
        events = [e for e in events if e.action not in INTERNAL_ACTIONS]
    if not policies.can_see_chief_comment(user, report):
        for event in events:
            if event.action not in REASONS_FOR_REPORTER:
                event.reason = ""
    return events


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
