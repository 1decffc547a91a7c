"""The dashboard's numbers (/stats/): every figure for a period of a 年度, beside the same months
of the previous 年度, for a ``policies.Scope`` (the city, a 部 or a 課) and the filters chosen.

Which cases count: submitted ones (status not in ``incidents.lifecycle.UNSUBMITTED``), in the period
of their 発生日 (``occurred_start``; ``submitted_at`` when it is empty), in the scope and the filters.

The figures (each is one ``kasuhara.figures.Table``; the sentence under it on the page says the same):

- ``by_type``: cases by 態様. A case with two 態様 counts once in each, so the rows add up to more
  than the cases; a case with none is 「態様の選択なし」.
- ``by_department`` / ``by_section``: cases by today's 課 of the report, and its 部: a report
  keeps the 課 it was filed in, and when that 課 was abolished (merged or split) it counts under the
  課 that took over its work (``Section.current``). The scope and the 部・課 filters follow today's
  organisation the same way.
- ``by_month``: cases by the month of their 発生日 (a line chart).
- ``by_channel``: cases by 場所・手段. ``by_status``: by their state today. ``by_difficulty``: by the
  相談窓口's 難易度 (「未設定」 before it is rated).
- ``times``: business days (``organization.calendar``: weekends, national holidays and the city's
  closing days do not count; the day of submission does not count, the day of arrival does) from
  提出 to 受付 (``accepted_at``) and from 提出 to the committee's decision (the first decision of the
  case, not a correction, when finalised), as the median and the 90th percentile (linear
  interpolation between ranks, as PostgreSQL's ``percentile_cont``), and how many cases each covers.
- ``open_by_age``: the cases still open today (``lifecycle.OPEN``) by business days since 提出.
- ``summary``: cases; 警察通報 (``police_called``); total 対応時間 (occurred_end − occurred_start, in
  hours, cases with both times); work time lost (``work_minutes_lost``, in hours); mental-care
  requests (``wants_mental_care``); repeat counterparts (相手方 with 2 or more linked cases whose
  発生日 falls in the 12 months up to the period's end); consultations (相談 by their 発生日, or
  the day they were received when it is empty; the 態様 filter does not apply to them).
- ``measures``: the committee's measures decided in the period (decisions in force, cases in the
  scope): done, overdue (not done, past ``due_on`` today) and in progress.

Small counts: where the view covers one 課 or a 所属長's own 課 (``single_section``), a count from 1 to
``policies.min_cell() - 1`` is shown as 「3件未満」, and a time or a total made from that few cases
too. So that a hidden cell cannot be subtracted back out of a total, a column of a breakdown
(by 月, by 場所・手段, …) with exactly one hidden cell hides its next smallest count as well.

Queries: a number that does not depend on the data (``read``: 8 on PostgreSQL, 14 elsewhere; the
whole page 17 on PostgreSQL, as ``bench/stats.py`` counts it). Every query covers both 年度 at once
with a ``CASE`` on the period. On PostgreSQL the summary, the breakdowns and the times are one
query over the cases (GROUPING SETS, the business-day ages computed in it: a histogram comes back,
never one row per case); elsewhere (SQLite: the demo) they are one GROUP BY each, the times read
as (day, day, count) groups.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, DurationField, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Sum
from django.db.models import Value as V
from django.db.models.functions import Coalesce, ExtractMonth, TruncDate
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kasuhara.figures import Table, fiscal_year_bounds, fiscal_year_label, fiscal_year_of
from organization import calendar
from organization.calendar import BusinessCalendar

from . import changes, policies
from .policies import CITY, Scope

#: The months of a 年度 in order (April first).
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
#: Open cases by age: (lowest, highest or None) in business days since 提出.
AGE_BUCKETS = ((0, 2), (3, 5), (6, 10), (11, 20), (21, None))
THIS, PREVIOUS = 0, 1


# -- what is counted --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Months ``first``..``last`` (calendar months, both in ``MONTHS`` order) of the 年度 ``fiscal_year``."""

    fiscal_year: int
    first: int = 4
    last: int = 3

    @property
    def whole_year(self) -> bool:
        return self.first == 4 and self.last == 3

    def months(self) -> list[int]:
        return list(MONTHS[MONTHS.index(self.first):MONTHS.index(self.last) + 1])

    def _day(self, month: int) -> datetime.date:
        return datetime.date(self.fiscal_year + (month < 4), month, 1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware local datetimes."""
        start = self._day(self.first)
        last = self._day(self.last)
        end = datetime.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        zone = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), zone),
                timezone.make_aware(datetime.datetime.combine(end, datetime.time.min), zone))

    def end_date(self) -> datetime.date:
        return self.bounds()[1].date() - datetime.timedelta(days=1)

    def previous(self) -> Period:
        return replace(self, fiscal_year=self.fiscal_year - 1)

    @property
    def label(self) -> str:
        year = fiscal_year_label(self.fiscal_year)
        if self.whole_year:
            return year
        if self.first == self.last:
            return _("%(year)s %(month)s月") % {"year": year, "month": self.first}
        return _("%(year)s %(first)s月〜%(last)s月") % {"year": year, "first": self.first, "last": self.last}


@dataclass(frozen=True)
class Selection:
    """The period and the filters, already narrowed to what the user may see."""

    period: Period
    department_id: int | None = None
    section_id: int | None = None
    type_id: int | None = None
    channel: str = ""

    @classmethod
    def year(cls, fiscal_year: int) -> Selection:
        return cls(Period(fiscal_year))


def current_fiscal_year(today: datetime.date | None = None) -> int:
    return fiscal_year_of(today or timezone.localdate())


def single_section(scope: Scope, selection: Selection) -> bool:
    """The view covers one 課: its small counts are hidden."""
    return scope.single_section or selection.section_id is not None


# -- the queries ------------------------------------------------------------------------------------

def _event_at(prefix: str = ""):
    return Coalesce(f"{prefix}occurred_start", f"{prefix}submitted_at")


def _in(period: Period, name: str) -> Q:
    start, end = period.bounds()
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _which(period: Period, name: str):
    """THIS for a row in ``period``, PREVIOUS otherwise (the rows are already limited to both)."""
    return Case(*[_when(period, name)], default=V(PREVIOUS), output_field=IntegerField())


def _when(period: Period, name: str):
    from django.db.models import When

    return When(_in(period, name), then=V(THIS))


def in_scope(qs, scope: Scope, selection: Selection, section: str = "section"):
    """Rows whose 課 (at ``section``) is, today, in the scope and the 部・課 filters: by the 課 at the
    end of its successor chain (``Section.current``) and that 課's 部."""
    today_section, today_department = f"{section}__current_id", f"{section}__current__department_id"
    if not scope.whole_city:
        reach = Q(pk__in=[])
        if scope.sections:
            reach |= Q(**{f"{today_section}__in": sorted(scope.sections)})
        if scope.departments:
            reach |= Q(**{f"{today_department}__in": sorted(scope.departments)})
        qs = qs.filter(reach)
    if selection.department_id is not None:
        qs = qs.filter(**{today_department: selection.department_id})
    if selection.section_id is not None:
        qs = qs.filter(**{today_section: selection.section_id})
    return qs


def _filtered(qs, scope: Scope, selection: Selection, prefix: str = ""):
    """Cases (or rows pointing at cases through ``prefix``) of the scope and the filters."""
    from incidents.lifecycle import UNSUBMITTED
    from incidents.models import IncidentReport

    qs = qs.exclude(**{f"{prefix}status__in": sorted(UNSUBMITTED)})
    qs = in_scope(qs, scope, selection, f"{prefix}section")
    if selection.channel:
        qs = qs.filter(**{f"{prefix}channel": selection.channel})
    if selection.type_id is not None:
        through = IncidentReport.harassment_types.through
        qs = qs.filter(Exists(through.objects.filter(incidentreport_id=OuterRef(f"{prefix}pk" if prefix else "pk"),
                                                     harassmenttype_id=selection.type_id)))
    return qs


def cases(scope: Scope, selection: Selection):
    """The counted cases of both periods, each with ``event_at`` and ``period`` (THIS / PREVIOUS)."""
    from incidents.models import IncidentReport

    this, previous = selection.period, selection.period.previous()
    qs = _filtered(IncidentReport.objects.all(), scope, selection).annotate(event_at=_event_at())
    return (qs.filter(_in(this, "event_at") | _in(previous, "event_at"))
            .annotate(period=_which(this, "event_at")).order_by())


def _pairs(rows) -> dict[tuple, int]:
    return {tuple(row[:-1]): row[-1] for row in rows}


@dataclass
class Raw:
    """What the queries returned, keyed by (period, …)."""

    summary: dict[int, dict] = field(default_factory=dict)
    by_type: dict[tuple, int] = field(default_factory=dict)
    by_section: dict[tuple, int] = field(default_factory=dict)
    by_month: dict[tuple, int] = field(default_factory=dict)
    by_channel: dict[tuple, int] = field(default_factory=dict)
    by_state: dict[tuple, int] = field(default_factory=dict)
    accept_days: dict[int, list[int]] = field(default_factory=dict)
    decide_days: dict[int, list[int]] = field(default_factory=dict)
    open_days: dict[int, list[int]] = field(default_factory=dict)
    repeat: dict[int, int] = field(default_factory=dict)
    consultations: dict[int, int] = field(default_factory=dict)
    measures: dict[int, Counter] = field(default_factory=dict)


class Days:
    """Business days between local dates (``calendar.business_days_between``), from the per-year
    running counts the queue uses: two lookups and a sum over the years between."""

    def __init__(self, cal: BusinessCalendar):
        from incidents.queue import _business_days_through

        self.cal, self._through_year = cal, _business_days_through

    def _through(self, day: datetime.date) -> int:
        return self._through_year(self.cal, day.year)[day.toordinal() - datetime.date(day.year, 1, 1).toordinal()]

    def between(self, start: datetime.date, end: datetime.date) -> int:
        if end <= start:
            return 0
        return self._through(end) - self._through(start) + sum(
            self._through_year(self.cal, year)[-1] for year in range(start.year, end.year))


def _ages(rows, days: Days) -> dict[int, list[int]]:
    """{period: sorted business-day ages} from (period, start day, end day, how many) groups."""
    ages: dict[int, list[int]] = {THIS: [], PREVIOUS: []}
    for period, start, end, n in rows:
        if start is None or end is None:
            continue
        ages[period].extend([days.between(start, end)] * n)
    for values in ages.values():
        values.sort()
    return ages


def _timed():
    return Q(occurred_end__isnull=False, occurred_start__isnull=False, occurred_end__gte=F("occurred_start"))


def _duration():
    return ExpressionWrapper(F("occurred_end") - F("occurred_start"), output_field=DurationField())


def _read_breakdowns(qs, raw: Raw, days: Days, today: datetime.date) -> None:
    """The summary, the breakdowns, the times to acceptance and the open cases' ages: one GROUP BY
    each (any database)."""
    from incidents.lifecycle import OPEN

    timed = _timed()
    for row in qs.values("period").annotate(
            n=Count("*"), police=Count("id", filter=Q(police_called=True)),
            mental=Count("id", filter=Q(wants_mental_care=True)), lost=Sum("work_minutes_lost"),
            timed=Count("id", filter=timed), lost_n=Count("id", filter=Q(work_minutes_lost__gt=0)),
            duration=Sum(_duration(), filter=timed)):
        raw.summary[row["period"]] = row
    raw.by_section = _pairs(qs.values_list("period", "section__current_id").annotate(n=Count("*")))
    raw.by_month = _pairs(qs.annotate(month=ExtractMonth("event_at")).values_list("period", "month")
                          .annotate(n=Count("*")))
    raw.by_channel = _pairs(qs.values_list("period", "channel").annotate(n=Count("*")))
    raw.by_state = _pairs(qs.values_list("period", "status", "difficulty").annotate(n=Count("*")))
    raw.accept_days = _ages(qs.filter(accepted_at__isnull=False, submitted_at__isnull=False)
                            .values_list("period", TruncDate("submitted_at"), TruncDate("accepted_at"))
                            .annotate(n=Count("*")), days)
    raw.open_days = _ages(
        [(period, start, today, n) for period, start, n in
         qs.filter(status__in=sorted(OPEN), submitted_at__isnull=False)
         .values_list("period", TruncDate("submitted_at")).annotate(n=Count("*"))], days)


#: The grouping sets of ``_read_grouping_sets``, by the columns each groups on (after ``period``).
GROUPING_COLUMNS = ("today_section", "channel", "status", "difficulty", "month", "acc_lag", "open_age")
GROUPING_SETS = {
    "summary": (), "section": ("today_section",), "channel": ("channel",), "state": ("status", "difficulty"),
    "month": ("month",), "accept": ("acc_lag",), "open": ("open_age",),
}


def _grouping_mask(columns: tuple[str, ...]) -> int:
    """What PostgreSQL's GROUPING(...) over ``GROUPING_COLUMNS`` gives for a set (1 bits: not grouped)."""
    width = len(GROUPING_COLUMNS)
    return sum(1 << (width - 1 - i) for i, name in enumerate(GROUPING_COLUMNS) if name not in columns)


def _business_day_table(days: Days, first: datetime.date, last: datetime.date) -> list[int]:
    """``table[i]``: business days from ``first`` to ``first + i`` (what ``Days.between`` counts), for
    the database to look an age up by index instead of this module grouping by (day, day) pairs."""
    table, day = [], first
    while day <= last:
        table.append(days.between(first, day))
        day += datetime.timedelta(days=1)
    return table


def _read_grouping_sets(qs, raw: Raw, days: Days, today: datetime.date, selection: Selection) -> None:
    """What ``_read_breakdowns`` reads, in one query and one pass over the cases (PostgreSQL's
    GROUPING SETS): on 100,000 cases the separate GROUP BYs were most of the page's time. The
    business-day ages are computed in the query from a table of running business-day counts passed
    as an array (``_business_day_table``), so the times come back as a histogram (age, how many)
    instead of one group per (提出日, 受付日) pair. Days outside the table (a 提出日 over a year
    before the period, which real data does not have) are clamped to its ends."""
    from incidents.lifecycle import OPEN

    inner = qs.annotate(
        month=ExtractMonth("event_at"), sub_day=TruncDate("submitted_at"), acc_day=TruncDate("accepted_at"),
        is_open=Case(_when_open(OPEN), default=V(False)), timed=Case(_when_timed(), default=V(False)),
        duration=_duration(), today_section=F("section__current_id"),
    ).values("period", "today_section", "channel", "status", "difficulty", "month", "sub_day", "acc_day", "is_open",
             "police_called", "wants_mental_care", "work_minutes_lost", "timed", "duration")
    sql, params = inner.query.sql_with_params()
    first = selection.period.previous().bounds()[0].date() - datetime.timedelta(days=400)
    last = max(today, selection.period.end_date()) + datetime.timedelta(days=1)
    table = _business_day_table(days, first, last)

    def through(day: str) -> str:
        return f"bd[LEAST({len(table)}, GREATEST(1, {day} - first_day + 1))]"

    sets = ", ".join("(" + ", ".join(("period", *columns)) + ")" for columns in GROUPING_SETS.values())
    columns = ", ".join(GROUPING_COLUMNS)
    # The names are this module's constants and the values are parameters: nothing comes from input.
    query = (
        f"SELECT GROUPING({columns}), period, {columns}, "  # noqa: S608
        "COUNT(*), COUNT(*) FILTER (WHERE police_called), "
        "COUNT(*) FILTER (WHERE wants_mental_care), SUM(work_minutes_lost), "
        "COUNT(*) FILTER (WHERE work_minutes_lost > 0), COUNT(*) FILTER (WHERE timed), "
        "SUM(duration) FILTER (WHERE timed) FROM ("
        f"  SELECT c.*, CASE WHEN acc_day IS NOT NULL AND sub_day IS NOT NULL"
        f"    THEN GREATEST(0, {through('acc_day')} - {through('sub_day')}) END AS acc_lag,"
        f"  CASE WHEN is_open AND sub_day IS NOT NULL"
        f"    THEN GREATEST(0, {through('today')} - {through('sub_day')}) END AS open_age"
        f"  FROM ({sql}) AS c, (SELECT %s::int[] AS bd, %s::date AS first_day, %s::date AS today) AS k"
        f") AS cases GROUP BY GROUPING SETS ({sets})")
    masks = {_grouping_mask(columns): name for name, columns in GROUPING_SETS.items()}
    accept: dict[int, list[int]] = {THIS: [], PREVIOUS: []}
    open_ages: dict[int, list[int]] = {THIS: [], PREVIOUS: []}
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # The planner expects a group per case (it cannot know the sets have a few hundred groups
        # in all) and would sort the rows once per set; with room for a hash table it makes one pass.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(query, (*params, table, first, today))
        rows = cursor.fetchall()
    for mask, period, section_id, channel, status, difficulty, month, acc_lag, open_age, n, police, \
            mental, lost, lost_n, timed, duration in rows:
        kind = masks[mask]
        if kind == "summary":
            raw.summary[period] = {"period": period, "n": n, "police": police, "mental": mental, "lost": lost,
                                   "lost_n": lost_n, "timed": timed, "duration": duration}
        elif kind == "section":
            raw.by_section[(period, section_id)] = n
        elif kind == "channel":
            raw.by_channel[(period, channel)] = n
        elif kind == "state":
            raw.by_state[(period, status, difficulty)] = n
        elif kind == "month":
            raw.by_month[(period, int(month))] = n
        elif kind == "accept" and acc_lag is not None:
            accept[period].extend([acc_lag] * n)
        elif kind == "open" and open_age is not None:
            open_ages[period].extend([open_age] * n)
    for ages in (*accept.values(), *open_ages.values()):
        ages.sort()
    raw.accept_days, raw.open_days = accept, open_ages


def _when_open(statuses):
    from django.db.models import When

    return When(status__in=sorted(statuses), then=V(True))


def _when_timed():
    from django.db.models import When

    return When(_timed(), then=V(True))


def read(scope: Scope, selection: Selection, *, today: datetime.date | None = None,
         cal: BusinessCalendar | None = None, portable: bool = False) -> Raw:
    """Every query of the dashboard (their number does not depend on the data). ``portable``: the
    breakdowns as one GROUP BY each even on PostgreSQL (the tests compare both ways)."""
    from committee.models import Measure
    from consultations.models import Consultation
    from counterparts.models import CounterpartLink

    today = today or timezone.localdate()
    days = Days(cal if cal is not None else calendar.load_calendar())
    qs = cases(scope, selection)
    raw = Raw()
    if connection.vendor == "postgresql" and not portable:
        _read_grouping_sets(qs, raw, days, today, selection)
    else:
        _read_breakdowns(qs, raw, days, today)
    raw.by_type = _pairs(qs.values_list("period", "harassment_types").annotate(n=Count("*")))
    decided = Q(decisions__finalised_at__isnull=False, decisions__supersedes__isnull=True)
    raw.decide_days = _ages(qs.filter(decided, submitted_at__isnull=False)
                            .values_list("period", TruncDate("submitted_at"), TruncDate("decisions__finalised_at"))
                            .annotate(n=Count("id")), days)

    # Repeat counterparts: 2+ linked cases in the 12 months up to each period's end.
    from incidents.models import IncidentReport

    for key, period in ((THIS, selection.period), (PREVIOUS, selection.period.previous())):
        end = period.bounds()[1]
        start = end.replace(year=end.year - 1)
        linked = (_filtered(IncidentReport.objects.all(), scope, replace(selection, period=period))
                  .annotate(event_at=_event_at()).filter(event_at__gte=start, event_at__lt=end).values("pk"))
        raw.repeat[key] = (CounterpartLink.objects.filter(report__in=linked).values("counterpart")
                           .annotate(n=Count("report", distinct=True)).filter(n__gte=2).order_by().count())

    # Consultations (相談): by 発生日, or the day received; the 態様 filter does not apply.
    this, previous = selection.period, selection.period.previous()
    consult = in_scope(Consultation.objects.all(), scope, selection)
    if selection.channel:
        consult = consult.filter(channel=selection.channel)
    counted = {}
    for key, period in ((THIS, this), (PREVIOUS, previous)):
        start, end = period.bounds()
        counted[f"p{key}"] = Count("id", filter=Q(occurred_on__gte=start.date(), occurred_on__lt=end.date())
                                   | Q(occurred_on__isnull=True, created_at__gte=start, created_at__lt=end))
    totals = consult.aggregate(**counted)
    raw.consultations = {THIS: totals["p0"], PREVIOUS: totals["p1"]}

    # The committee's measures decided in each period, on cases of the scope.
    measures = _filtered(Measure.objects.all(), scope, selection, prefix="decision__report__").filter(
        Q(_in(this, "decision__finalised_at") | _in(previous, "decision__finalised_at")),
        decision__superseded_by__isnull=True)
    raw.measures = {THIS: Counter(), PREVIOUS: Counter()}
    for period, done, overdue, n in (
            measures.annotate(period=_which(this, "decision__finalised_at")).values_list("period").annotate(
                done=Count("id", filter=Q(done_at__isnull=False)),
                overdue=Count("id", filter=Q(done_at__isnull=True, due_on__lt=today)), n=Count("id")).order_by()):
        raw.measures[period].update(done=done, overdue=overdue, in_progress=n - done - overdue)
    return raw


# -- the tables -------------------------------------------------------------------------------------

def percentile(values: list[int], q: float) -> float | None:
    """Linear interpolation between the closest ranks of sorted ``values`` (``percentile_cont``)."""
    if not values:
        return None
    position = (len(values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return round(values[low] + (values[high] - values[low]) * (position - low), 1)


@dataclass
class Lookups:
    """Names of the 部, 課 and 態様 (one query each, shared with the filter form). ``sections``:
    today's 課 — those at the end of a successor chain (an abolished 課 with a successor counts
    under it, so it has no row; one abolished without a successor keeps its row, marked 「（廃止）」,
    for its old cases); ``active``: the ids of those that exist (the filter offers only these)."""

    sections: list[tuple[int, str, int, str]]  # (id, 課, 部 id, 部)
    types: list[tuple[int, str]]
    active: frozenset[int] = frozenset()

    @property
    def departments(self) -> list[tuple[int, str]]:
        seen: dict[int, str] = {}
        for _pk, _name, department_id, department in self.sections:
            seen.setdefault(department_id, department)
        return list(seen.items())


def read_lookups() -> Lookups:
    from manual.models import HarassmentType
    from organization.models import Section

    sections, active = [], set()
    for pk, name, department_id, department, is_active in (
            Section.objects.filter(current_id=F("id")).order_by("department__order", "department__name", "order", "name")
            .values_list("id", "name", "department_id", "department__name", "is_active")):
        if is_active:
            active.add(pk)
        else:
            name = _("%(section)s（廃止）") % {"section": name}
        sections.append((pk, name, department_id, department))
    return Lookups(sections=sections, types=list(HarassmentType.objects.order_by("number").values_list("id", "name")),
                   active=frozenset(active))


def sections_in(scope: Scope, sections: list[tuple[int, str, int, str]]) -> list[tuple[int, str, int, str]]:
    """The (today's) 課 of ``sections`` a scope covers."""
    if scope.whole_city:
        return list(sections)
    return [s for s in sections if s[0] in scope.sections or s[2] in scope.departments]


class Masker:
    """Hides counts from 1 to ``min_cell - 1`` where the view covers one 課."""

    def __init__(self, active: bool):
        self.active, self.limit = active, policies.min_cell()
        self.text = _("%(n)s件未満") % {"n": self.limit}

    def small(self, n: int | None) -> bool:
        return bool(self.active and n and 0 < n < self.limit)

    def count(self, n: int) -> int | str:
        return self.text if self.small(n) else n

    def column(self, counts: list[int]) -> list[int | str]:
        """A breakdown's column: the small counts hidden, and a second one when only one is (else the
        total elsewhere on the page would give it back)."""
        cells: list[int | str] = [self.count(n) for n in counts]
        hidden = [i for i, cell in enumerate(cells) if isinstance(cell, str)]
        if len(hidden) == 1:
            rest = sorted((n, i) for i, n in enumerate(counts) if n and i not in hidden)
            if rest:
                cells[rest[0][1]] = self.text
        return cells

    def of(self, value, n: int):
        """A time or total made of ``n`` cases."""
        return self.text if self.small(n) else value


def _two(rows: list[tuple[str, list[int]]], mask: Masker) -> list[tuple[str, list]]:
    """Rows of (label, [this, previous]) with each column masked as a whole."""
    if not rows:
        return []
    columns = [mask.column([cells[i] for _label, cells in rows]) for i in range(2)]
    return [(label, [columns[0][k], columns[1][k]]) for k, (label, _cells) in enumerate(rows)]


def _hours(value: datetime.timedelta | int | float | None, minutes: bool = False) -> float:
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(value / 60, 1) if minutes else round(value / 3_600_000_000, 1)  # SQLite: microseconds


def build_tables(raw: Raw, scope: Scope, selection: Selection, lookups: Lookups) -> list[Table]:
    from incidents.lifecycle import Status
    from incidents.models import Channel, Difficulty

    mask = Masker(single_section(scope, selection))
    this, previous = selection.period, selection.period.previous()
    headers = [this.label, previous.label]

    def pair(data: dict[tuple, int], key) -> list[int]:
        return [data.get((THIS, key), 0), data.get((PREVIOUS, key), 0)]

    def table(key, caption, rows, note, *, chart=None, row_header="", unit=None, masked=True) -> Table:
        return Table(key=key, caption=caption, headers=headers, rows=_two(rows, mask) if masked else rows,
                     unit=_("件") if unit is None else unit, chart=chart, compare=chart is not None, note=note, row_header=row_header)

    tables = []
    type_rows = [(name, pair(raw.by_type, pk)) for pk, name in lookups.types]
    if any(raw.by_type.get((p, None)) for p in (THIS, PREVIOUS)):
        type_rows.append((_("態様の選択なし"), pair(raw.by_type, None)))
    tables.append(table("by_type", _("態様別の件数"), type_rows, _(
        "連絡票に選ばれた態様ごとの件数。2つ以上の態様が選ばれた事案はそれぞれに数えるため、合計は事案の件数より多くなります。"),
        chart="bar", row_header=_("態様")))

    shown = [s for s in sections_in(scope, lookups.sections)
             if (selection.department_id is None or s[2] == selection.department_id)
             and (selection.section_id is None or s[0] == selection.section_id)]
    by_department: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    names = {}
    for pk, _name, department_id, department in shown:
        names[department_id] = department
        for i, n in enumerate(pair(raw.by_section, pk)):
            by_department[department_id][i] += n
    tables.append(table("by_department", _("部別の件数"), [(names[d], by_department[d]) for d in names],
                        _("連絡票を出した職員の所属する部ごとの件数（いまの組織で数えます：廃止した課の事案は、事務を引き継いだ課の部に入ります）。"),
                        row_header=_("部")))
    section_rows = [(f"{name}", pair(raw.by_section, pk)) for pk, name, _d, _dn in shown
                    if any(pair(raw.by_section, pk))]
    tables.append(table("by_section", _("課別の件数"), section_rows,
                        _("連絡票を出した職員の所属する課ごとの件数（事案のない課は省いています）。"
                          "いまの組織で数えます：統合・分割で廃止した課の事案は、事務を引き継いだ課に入ります。"),
                        chart="bar", row_header=_("課")))
    tables.append(table("by_month", _("月別の件数"),
                        [(_("%(m)s月") % {"m": m}, pair(raw.by_month, m)) for m in this.months()],
                        _("発生日（なければ提出日）の月ごとの件数。"), chart="line", row_header=_("月")))
    tables.append(table("by_channel", _("場所・手段別の件数"),
                        [(label, pair(raw.by_channel, value)) for value, label in
                         [*Channel.choices, ("", _("未記入"))] if value or any(pair(raw.by_channel, ""))],
                        _("連絡票の「場所・手段」ごとの件数。"), row_header=_("場所・手段")))
    state_counts: dict[tuple, int] = Counter()
    difficulty_counts: dict[tuple, int] = Counter()
    for (period, status, difficulty), n in raw.by_state.items():
        state_counts[(period, status)] += n
        difficulty_counts[(period, difficulty)] += n
    tables.append(table("by_status", _("状態別の件数"),
                        [(label, pair(state_counts, value)) for value, label in Status.choices
                         if any(pair(state_counts, value))],
                        _("いまの状態ごとの件数（期間内に発生した事案の、今日の状態）。"), row_header=_("状態")))
    tables.append(table("by_difficulty", _("難易度別の件数"),
                        [(label, pair(difficulty_counts, value))
                         for value, label in [*Difficulty.choices, ("", _("未設定"))]],
                        _("相談窓口が付けた難易度ごとの件数（受付前の事案は「未設定」）。"), row_header=_("難易度")))

    def time_rows(label: str, ages: dict[int, list[int]]) -> list[tuple[str, list]]:
        n = [len(ages[THIS]), len(ages[PREVIOUS])]
        return [
            (_("%(what)s（中央値）") % {"what": label},
             [mask.of(percentile(ages[p], 0.5), n[p]) for p in (THIS, PREVIOUS)]),
            (_("%(what)s（90パーセンタイル）") % {"what": label},
             [mask.of(percentile(ages[p], 0.9), n[p]) for p in (THIS, PREVIOUS)]),
            (_("%(what)s（対象の件数）") % {"what": label}, [mask.count(x) for x in n]),
        ]

    tables.append(table("times", _("受付・決定までの営業日数"),
                        time_rows(_("提出から受付まで"), raw.accept_days)
                        + time_rows(_("提出から対策委員会の決定まで"), raw.decide_days),
                        _("提出日の翌営業日から数えた営業日数（土日・祝日・市の休日を除く）。中央値と、9割の事案が収まる日数（90パーセンタイル）。"),
                        unit=_("営業日"), row_header=_("項目"), masked=False))
    age_rows = []
    for low, high in AGE_BUCKETS:
        label = (_("%(low)s〜%(high)s営業日") % {"low": low, "high": high} if high is not None
                 else _("%(low)s営業日以上") % {"low": low})
        age_rows.append((label, [sum(1 for age in raw.open_days[p] if age >= low and (high is None or age <= high))
                                 for p in (THIS, PREVIOUS)]))
    tables.append(table("open_by_age", _("対応中の事案（提出からの営業日数別）"), age_rows,
                        _("期間内に発生し、今日まだ完了していない事案を、提出から今日までの営業日数で分けた件数。"),
                        row_header=_("経過")))

    def summary(p: int, name: str) -> int:
        return (raw.summary.get(p) or {}).get(name) or 0

    def summary_hours(p: int, name: str, n_name: str, minutes: bool = False):
        return mask.of(_hours((raw.summary.get(p) or {}).get(name), minutes), summary(p, n_name))

    tables.append(table("summary", _("主な数値"), [
        (_("事案の件数"), [mask.count(summary(p, "n")) for p in (THIS, PREVIOUS)]),
        (_("警察に通報した件数"), [mask.count(summary(p, "police")) for p in (THIS, PREVIOUS)]),
        (_("対応時間の合計（時間）"), [summary_hours(p, "duration", "timed") for p in (THIS, PREVIOUS)]),
        (_("業務への影響の合計（時間）"), [summary_hours(p, "lost", "lost_n", True) for p in (THIS, PREVIOUS)]),
        (_("メンタルヘルスのフォローの希望"), [mask.count(summary(p, "mental")) for p in (THIS, PREVIOUS)]),
        (_("繰り返しの相手方（12か月に2件以上）"), [mask.count(raw.repeat.get(p, 0)) for p in (THIS, PREVIOUS)]),
        (_("相談の件数"), [mask.count(raw.consultations.get(p, 0)) for p in (THIS, PREVIOUS)]),
    ], _("対応時間は発生日時の開始から終了まで（両方が記入された事案）。業務への影響は連絡票の「業務に影響した時間」の合計。"
         "繰り返しの相手方は、期間の終わりまでの12か月に2件以上の事案に紐付いた相手方の数。相談は発生日（なければ受付日）で数え、態様の条件は使いません。"),
        row_header=_("項目"), unit="", masked=False))
    tables.append(table("measures", _("対策委員会の措置（完了・期限超過）"), [
        (_("完了"), [raw.measures[p]["done"] for p in (THIS, PREVIOUS)]),
        (_("期限超過"), [raw.measures[p]["overdue"] for p in (THIS, PREVIOUS)]),
        (_("実施中"), [raw.measures[p]["in_progress"] for p in (THIS, PREVIOUS)]),
    ], _("期間内に確定した対策委員会の決定（訂正後のもの）の措置。期限超過は、未完了で期限を過ぎたもの（今日現在）。"),
        row_header=_("状態")))
    return tables


logger = logging.getLogger(__name__)

#: How long a result is kept (it is never stale: its key holds the data's fingerprint). A day: the
#: key holds today's date too.
CACHE_SECONDS = 24 * 60 * 60


def read_cached(scope: Scope, selection: Selection, *, today: datetime.date | None = None) -> Raw:
    """``read``, kept in the cache under the data's fingerprint (``stats/changes.py``): while no
    table the dashboard reads is written, the same view is answered without reading the cases; a
    committed write changes the fingerprint, and so the key. One query (the fingerprint) on a hit."""
    today = today or timezone.localdate()
    stamp = changes.fingerprint()
    if stamp is None:
        return read(scope, selection, today=today)
    key = "stats:raw:" + hashlib.sha256(
        repr((stamp, today.isoformat(), scope.key, selection, get_language())).encode()).hexdigest()
    try:
        raw = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is only a shortcut: any failure of it means "read"
        logger.warning("stats: the cache could not be read; counting the cases", exc_info=True)
        return read(scope, selection, today=today)
    if raw is None:
        raw = read(scope, selection, today=today)
        try:
            cache.set(key, raw, CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - as above
            logger.warning("stats: the cache could not be written", exc_info=True)
    return raw


def dashboard_tables(scope: Scope, selection: Selection, *, today: datetime.date | None = None,
                     lookups: Lookups | None = None) -> list[Table]:
    lookups = lookups or read_lookups()
    return build_tables(read_cached(scope, selection, today=today), scope, selection, lookups)


def year_tables(fiscal_year: int, *, scope: Scope = CITY, today: datetime.date | None = None) -> list[Table]:
    """The whole dashboard's tables for one 年度 (April–March) beside the previous 年度: what the
    annual report stores (cells are plain ints, floats and strings)."""
    return dashboard_tables(scope, Selection.year(fiscal_year), today=today)


def year_bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    return fiscal_year_bounds(fiscal_year)
