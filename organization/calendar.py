"""The business-day calendar: the one place that says which days count, used for every "age".

A business day is a weekday (Mon–Fri) that is neither a Japanese public holiday (``jpholiday``,
振替休日 and 国民の休日 included) nor one of the city's ``ClosingDay`` rows (the 年末年始 29 Dec –
3 Jan as recurring rows, plus one-off days such as a 市の休日; admins edit both).

All dates are local dates (``TIME_ZONE``, Asia/Tokyo): a datetime is first turned into its local
date, so a report filed at 23:59 on a Friday belongs to that Friday.

Cost: each call reads the closing days with one query, whatever the span. Code that computes many
ages at once (a list page, a sweep) loads the calendar once with ``load_calendar()`` and passes it
as ``calendar=``; then no further query is made. There is deliberately no cross-request cache:
with several web and Celery processes an admin's edit would not reach the others' local caches.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

import jpholiday
from django.utils import timezone

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=32)
def _national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(day for day, _name in jpholiday.year_holidays(year))


@dataclass(frozen=True)
class BusinessCalendar:
    """The city's closing days, loaded once; the national holidays come from ``jpholiday``."""

    dates: frozenset[datetime.date] = frozenset()
    recurring: frozenset[tuple[int, int]] = frozenset()  # (month, day)

    def is_business_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() < 5
            and (day.month, day.day) not in self.recurring
            and day not in self.dates
            and day not in _national_holidays(day.year)
        )


def load_calendar() -> BusinessCalendar:
    """Read the city's closing days (one query)."""
    from .models import ClosingDay

    dates, recurring = set(), set()
    for date, month, day in ClosingDay.objects.values_list("date", "month", "day"):
        if date is not None:
            dates.add(date)
        else:
            recurring.add((month, day))
    return BusinessCalendar(frozenset(dates), frozenset(recurring))


def local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """The local calendar date of an aware datetime; a date is returned unchanged."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def is_business_day(day: datetime.date, calendar: BusinessCalendar | None = None) -> bool:
    """True on a weekday that is neither a national holiday nor a city closing day."""
    return (calendar if calendar is not None else load_calendar()).is_business_day(day)


def add_business_days(
    start: datetime.date | datetime.datetime, n: int, calendar: BusinessCalendar | None = None
) -> datetime.date:
    """The n-th business day after ``start``'s local date (the start day itself never counts).

    ``n == 0`` gives the start's local date. Example: Friday 2026-07-17 with Monday 2026-07-20
    海の日: n=1 → Tuesday 2026-07-21, n=2 → Wednesday 2026-07-22.
    Inverse of ``business_days_between``: ``business_days_between(s, add_business_days(s, n)) == n``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    calendar = calendar if calendar is not None else load_calendar()
    day = local_date(start)
    while n:
        day += ONE_DAY
        if calendar.is_business_day(day):
            n -= 1
    return day


def business_days_between(
    start: datetime.date | datetime.datetime,
    end: datetime.date | datetime.datetime,
    calendar: BusinessCalendar | None = None,
) -> int:
    """The number of business days d with ``local(start) < d <= local(end)``; 0 if end is not later.

    The start day never counts, the end day does. Submitted Friday 2026-07-17, Monday 2026-07-20 a
    holiday: on Friday and over the weekend and on Monday 0, on Tuesday 1, on Wednesday 2.
    """
    calendar = calendar if calendar is not None else load_calendar()
    day, last = local_date(start), local_date(end)
    count = 0
    while day < last:
        day += ONE_DAY
        count += calendar.is_business_day(day)
    return count


def business_age(
    submitted_at: datetime.datetime,
    now: datetime.datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> int:
    """A submission's age in business days: ``business_days_between(submitted_at, now)``."""
    return business_days_between(submitted_at, now or timezone.now(), calendar)


def business_deadline_cutoff(
    now: datetime.datetime, n: int, calendar: BusinessCalendar | None = None
) -> datetime.datetime:
    """The local midnight that splits submissions by age, for set-based queries:

        submitted_at < cutoff  ⇔  business_age(submitted_at, now) >= n

    so ``Report.objects.filter(submitted_at__lt=business_deadline_cutoff(now, 3))`` finds the
    reports at least 3 business days old. It is the latest midnight for which this holds (any
    earlier one would miss reports that are old enough).

    Example: now Tuesday 2026-07-21 (Monday 2026-07-20 海の日), n=2 → Friday 2026-07-17 00:00 JST:
    a report of Thursday 07-16 is 2 business days old (Fri, Tue), one of Friday 07-17 only 1 (Tue).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    calendar = calendar if calendar is not None else load_calendar()
    # Walk back from today until n business days lie in (day, today]; day is then the last
    # submission date that is old enough.
    day, counted = local_date(now), 0
    while counted < n:
        counted += calendar.is_business_day(day)
        day -= ONE_DAY
    midnight = datetime.datetime.combine(day + ONE_DAY, datetime.time.min)
    return timezone.make_aware(midnight, timezone.get_current_timezone())


def closed_days(
    first: datetime.date, last: datetime.date, calendar: BusinessCalendar | None = None
) -> list[datetime.date]:
    """Every non-business day from ``first`` to ``last`` inclusive, in order (weekends included)."""
    calendar = calendar if calendar is not None else load_calendar()
    days = []
    day = first
    while day <= last:
        if not calendar.is_business_day(day):
            days.append(day)
        day += ONE_DAY
    return days
