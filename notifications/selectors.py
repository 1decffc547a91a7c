"""Reads of the notices app: the unread count (every page), the inbox, the user's choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from .kinds import SPECS, Kind
from .models import Notice, NoticePreference

if TYPE_CHECKING:
    from organization.models import User

PAGE_SIZE = 30


def unread_count(user: User) -> int:
    """One index-only count (``notice_unread``)."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox(user: User, *, page: str | int | None = 1, unread_only: bool = False) -> Page:
    notices = Notice.objects.filter(recipient=user).only(
        "id", "kind", "urgent", "params", "created_at", "read_at", "recipient_id"
    )
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return Paginator(notices.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page)


#: The kinds that tell someone to look at a report (their link is the case page).
CASE_KINDS = tuple(kind for kind, spec in SPECS.items() if spec.link == ("incidents:detail", "report"))


def reports_notified(user: User) -> QuerySet:
    """The ids of the reports the user was told to look at (an urgent report, an escalation), as a
    subquery: the case policy lets them read those (``incidents.policies``)."""
    return (
        Notice.objects.filter(recipient=user, kind__in=CASE_KINDS)
        .annotate(report_id=Cast(KeyTextTransform("report", "params"), BigIntegerField()))
        .values("report_id")
    )


def was_notified_of(user: User, report_id: int) -> bool:
    return Notice.objects.filter(recipient=user, kind__in=CASE_KINDS, params__report=report_id).exists()


def preferences(user: User) -> list[tuple[str, str, bool, bool]]:
    """(kind, label, by e-mail, fixed) for every kind; urgent kinds always go by e-mail too."""
    inbox_only = set(NoticePreference.objects.filter(user=user, by_email=False).values_list("kind", flat=True))
    return [
        (kind, str(Kind(kind).label), SPECS[kind].urgent or kind not in inbox_only, SPECS[kind].urgent)
        for kind in Kind.values
    ]
