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


def notified_ids(user: User, kinds, param: str, *, since=None) -> QuerySet:
    """The ids (``params[param]``) of the records the user was sent a notice of, of ``kinds``
    (newer than ``since``), as a subquery: a record's policy lets whoever was told to look read it
    (the case, a call for help, a support request)."""
    notices = Notice.objects.filter(recipient=user, kind__in=list(kinds))
    if since is not None:
        notices = notices.filter(created_at__gte=since)
    return notices.annotate(record_id=Cast(KeyTextTransform(param, "params"), BigIntegerField())).values("record_id")


def was_notified(user: User, kinds, param: str, record_id: int) -> bool:
    """Whether the user was sent a notice of ``kinds`` about the record ``params[param] == record_id``."""
    return Notice.objects.filter(recipient=user, kind__in=list(kinds), **{f"params__{param}": record_id}).exists()


def reports_notified(user: User) -> QuerySet:
    """The reports the user was told to look at (an urgent report, an escalation): ``incidents.policies``."""
    return notified_ids(user, CASE_KINDS, "report")


def was_notified_of(user: User, report_id: int) -> bool:
    return was_notified(user, CASE_KINDS, "report", report_id)


def preferences(user: User) -> list[tuple[str, str, bool, bool]]:
    """(kind, label, by e-mail, fixed) for every kind; urgent kinds always go by e-mail too."""
    inbox_only = set(NoticePreference.objects.filter(user=user, by_email=False).values_list("kind", flat=True))
    return [
        (kind, str(Kind(kind).label), SPECS[kind].urgent or kind not in inbox_only, SPECS[kind].urgent)
        for kind in Kind.values
    ]
