"""Reads of reports, always through the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from . import policies
from .lifecycle import Status
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
