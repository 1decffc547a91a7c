"""Reads of counterpart records, always through the policy, each page in a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents.models import IncidentReport

from . import policies
from .models import (
    Counterpart,
    CounterpartEvent,
    CounterpartLink,
    Measure,
    active_measures_q,
    address_key,
    name_key,
    phone_key,
    split_contact,
)

if TYPE_CHECKING:
    from organization.models import User

#: How many suggestions the link page offers.
SUGGESTION_LIMIT = 10
#: How many audit events the counterpart page shows (newest first; the admin has them all).
HISTORY_LIMIT = 20

#: The day a linked report counts from: the incident, else its submission, else its creation.
REPORT_DATE = Coalesce("report__occurred_start", "report__submitted_at", "report__created_at")


def report_date(report: IncidentReport) -> datetime.datetime:
    return report.occurred_start or report.submitted_at or report.created_at


def repeat_window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """Local midnight of the same day twelve months ago (28 Feb for 29 Feb)."""
    today = timezone.localdate(now or timezone.now())
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:
        start = today.replace(year=today.year - 1, day=28)
    return datetime.datetime.combine(start, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _recent_links_q(since: datetime.datetime) -> Q:
    return Q(links__report__occurred_start__gte=since) | Q(
        links__report__occurred_start__isnull=True, links__report__submitted_at__gte=since
    ) | Q(
        links__report__occurred_start__isnull=True,
        links__report__submitted_at__isnull=True,
        links__report__created_at__gte=since,
    )


def _with_counts(queryset: QuerySet[Counterpart], now: datetime.datetime | None = None) -> QuerySet[Counterpart]:
    """``report_count`` (all linked reports), ``recent_count`` (last 12 months) and ``has_active_measure``."""
    today = timezone.localdate(now or timezone.now())
    return queryset.annotate(
        report_count=Count("links", distinct=True),
        recent_count=Count("links", filter=_recent_links_q(repeat_window_start(now)), distinct=True),
        has_active_measure=Exists(
            Measure.objects.filter(active_measures_q(today), counterpart=OuterRef("pk"))
        ),
    )


def visible_counterparts(user: User) -> QuerySet[Counterpart]:
    if not policies.can_see_counterparts(user):
        return Counterpart.objects.none()
    return Counterpart.objects.all()


def search(user: User, query: str = "") -> QuerySet[Counterpart]:
    """The list page: every counterpart the user may see whose name, phone or address contains the
    folded query (spaces, dashes and full/half width ignored), in name order. Paginate this plain
    queryset, then give the page to ``with_counts`` (so the counts are computed for one page only)."""
    counterparts = visible_counterparts(user)
    condition = _search_q(query)
    if condition is not None:
        counterparts = counterparts.filter(condition)
    return counterparts.order_by("name_key", "id")


def with_counts(page: QuerySet[Counterpart]) -> list[Counterpart]:
    """The counterparts of one (sliced) page with ``report_count``, ``recent_count`` and
    ``has_active_measure``, in one query."""
    return list(_with_counts(Counterpart.objects.filter(pk__in=page.values("pk"))).order_by("name_key", "id"))


def _search_q(query: str) -> Q | None:
    name, phone, address = name_key(query), phone_key(query), address_key(query)
    if not name:
        return None
    condition = Q(name_key__contains=name) | Q(address_key__contains=address)
    if len(phone) >= 3:
        condition |= Q(phone_key__contains=phone)
    return condition


def suggestions(report: IncidentReport, *, exclude_linked: bool = True) -> list[Counterpart]:
    """Counterparts that may be the report's 相手方, best first: the same phone number, then the same
    name, then the same address (each folded; one indexed query). Each carries ``match`` (phone,
    name or address)."""
    phone_text, address_text = split_contact(report.counterpart_contact)
    phone, name, address = phone_key(phone_text), name_key(report.counterpart_name), address_key(address_text)
    ranks = []
    if len(phone) >= 6:
        ranks.append((Q(phone_key=phone), "phone"))
    if name:
        ranks.append((Q(name_key=name), "name"))
    if address:
        ranks.append((Q(address_key=address), "address"))
    if not ranks:
        return []
    condition = Q()
    for q, _ in ranks:
        condition |= q
    queryset = Counterpart.objects.filter(condition)
    if exclude_linked:
        queryset = queryset.exclude(links__report=report)
    queryset = _with_counts(queryset).annotate(
        rank=Case(*(When(q, then=Value(i)) for i, (q, _) in enumerate(ranks)), output_field=IntegerField())
    )
    labels = [label for _, label in ranks]
    found = list(queryset.order_by("rank", "name_key", "id")[:SUGGESTION_LIMIT])
    for counterpart in found:
        counterpart.match = labels[counterpart.rank]
    return found


def counterpart_page(counterpart: Counterpart) -> Counterpart:
    """The counterpart with its linked reports (態様, reporter's 課), measures and latest events, in a
    fixed number of queries. Adds ``recent_count``, ``report_count``, ``active_measures``,
    ``other_measures``, ``letters_sent`` and ``history``."""
    links = CounterpartLink.objects.select_related("report__section", "linked_by").prefetch_related(
        "report__harassment_types"
    ).order_by("-linked_at", "-id")
    measures = Measure.objects.select_related("handler", "recorded_by", "ended_by").order_by("-starts_on", "-id")
    page = Counterpart.objects.prefetch_related(
        Prefetch("links", queryset=links), Prefetch("measures", queryset=measures)
    ).select_related("created_by").get(pk=counterpart.pk)
    reports = sorted((link for link in page.links.all()), key=lambda link: report_date(link.report), reverse=True)
    page.linked = reports
    since = repeat_window_start()
    page.report_count = len(reports)
    page.recent_count = sum(1 for link in reports if report_date(link.report) >= since)
    today = timezone.localdate()
    all_measures = list(page.measures.all())
    page.active_measures = [m for m in all_measures if m.state_on(today) != "ended"]
    page.other_measures = [m for m in all_measures if m.state_on(today) == "ended"]
    # The letters the committee's decisions sent to this counterpart (issued ones only).
    page.letters_sent = list(
        counterpart.letters.filter(issued_at__isnull=False).select_related("issued_by").order_by("-issued_at", "-id")
    )
    page.history = list(
        CounterpartEvent.objects.filter(counterpart=counterpart).select_related("actor").order_by("-at", "-id")[
            :HISTORY_LIMIT
        ]
    )
    return page


def for_report(user: User, report: IncidentReport) -> list[Counterpart]:
    """The counterparts linked to ``report``, for its page: ``recent_count``, ``report_count`` and
    ``active_measures`` (in force today) on each. Empty for users who may not see counterparts."""
    if not policies.can_see_counterparts(user):
        return []
    today = timezone.localdate()
    active = Measure.objects.filter(active_measures_q(today)).select_related("handler").order_by("-starts_on", "-id")
    return list(
        # ``IN (subquery)``, not a join: a join on ``links`` would make the counts count only this report.
        _with_counts(Counterpart.objects.filter(pk__in=CounterpartLink.objects.filter(report=report).values("counterpart")))
        .prefetch_related(Prefetch("measures", queryset=active, to_attr="active_measures"))
        .order_by("name_key", "id")
    )


def linked_to_report(report: IncidentReport) -> QuerySet[Counterpart]:
    return Counterpart.objects.filter(links__report=report).order_by("name_key", "id")


def repeat_count(counterpart: Counterpart, *, now: datetime.datetime | None = None) -> int:
    """Linked reports whose incident lies in the last twelve months."""
    return recent_links_count(counterpart, since=repeat_window_start(now))


def recent_links_count(
    counterpart: Counterpart, days: int = 90, *, since: datetime.datetime | None = None
) -> int:
    """Linked reports whose incident (else submission) lies in the last ``days`` days (or ``since``)."""
    since = since or timezone.now() - datetime.timedelta(days=days)
    return (
        CounterpartLink.objects.filter(counterpart=counterpart)
        .annotate(day=REPORT_DATE)
        .filter(day__gte=since)
        .count()
    )



def readable_report_ids(user, counterpart: Counterpart) -> set[int]:
    """Of the counterpart's reports, those the user may open (the report policy decides): only
    their titles are shown and linked; the others show their date, 態様 and 課 alone."""
    from incidents.policies import visible_reports

    ids = [link.report_id for link in counterpart.linked]
    return set(visible_reports(user).filter(pk__in=ids).values_list("pk", flat=True))
