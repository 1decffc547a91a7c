"""The business-day calendar (organization/calendar.py): weekends, Japanese public holidays
(jpholiday), the city's 年末年始 loaded by a migration, and closing days the admin adds or removes.
Dates are local (Asia/Tokyo); the start day never counts, the end day does."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organization.calendar import (
    add_business_days,
    business_age,
    business_days_between,
    business_deadline_cutoff,
    closed_days,
    is_business_day,
    load_calendar,
)
from organization.models import ClosingDay

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
UTC = datetime.UTC
date = datetime.date


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in Japan."""
    return datetime.datetime(y, m, d, hour, minute, tzinfo=JST)


def test_the_migration_loads_the_year_end_closing_days():
    recurring = set(ClosingDay.objects.filter(date__isnull=True).values_list("month", "day", "name"))
    assert recurring == {(12, 29, "年末年始"), (12, 30, "年末年始"), (12, 31, "年末年始"),
                         (1, 1, "年末年始"), (1, 2, "年末年始"), (1, 3, "年末年始")}


def test_weekends_do_not_count():
    assert is_business_day(date(2026, 11, 13))  # Friday
    assert not is_business_day(date(2026, 11, 14))  # Saturday
    assert not is_business_day(date(2026, 11, 15))  # Sunday
    assert add_business_days(at(2026, 11, 13), 1) == date(2026, 11, 16)
    assert business_days_between(at(2026, 11, 13), at(2026, 11, 15, 18)) == 0
    assert business_days_between(at(2026, 11, 13), at(2026, 11, 16, 8)) == 1


@pytest.mark.parametrize(
    ("day", "name"),
    [(date(2026, 9, 21), "敬老の日"), (date(2026, 9, 22), "国民の休日"), (date(2026, 9, 23), "秋分の日"),
     (date(2027, 1, 11), "成人の日"), (date(2026, 7, 20), "海の日")],
)
def test_japanese_public_holidays_do_not_count(day, name):
    assert day.weekday() < 5, f"{day} ({name}) is a weekday"
    assert not is_business_day(day)
    assert is_business_day(day + datetime.timedelta(days=7))  # the same weekday a week later counts


def test_the_september_holidays_leave_one_business_day_in_a_week():
    # Fri 09-18 → Sat, Sun, 敬老の日, 国民の休日, 秋分の日 → Thu 09-24 is the first business day.
    assert add_business_days(at(2026, 9, 18), 1) == date(2026, 9, 24)
    assert business_days_between(at(2026, 9, 18), at(2026, 9, 24)) == 1
    assert closed_days(date(2026, 9, 19), date(2026, 9, 24)) == [
        date(2026, 9, 19), date(2026, 9, 20), date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23)]


def test_friday_before_a_monday_holiday():
    submitted = at(2026, 7, 17, 16)  # Friday; Monday 07-20 is 海の日
    assert add_business_days(submitted, 1) == date(2026, 7, 21)
    assert add_business_days(submitted, 2) == date(2026, 7, 22)
    assert business_age(submitted, now=at(2026, 7, 20, 23, 59)) == 0
    assert business_age(submitted, now=at(2026, 7, 21, 9)) == 1
    assert business_age(submitted, now=at(2026, 7, 22, 9)) == 2


def test_the_year_end_closing_days_do_not_count():
    submitted = at(2026, 12, 28, 17)  # Monday, the last working day of 2026
    assert add_business_days(submitted, 1) == date(2027, 1, 4)
    assert business_age(submitted, now=at(2027, 1, 3, 23, 59)) == 0
    assert business_age(submitted, now=at(2027, 1, 4, 8, 30)) == 1
    assert closed_days(date(2026, 12, 28), date(2027, 1, 4)) == [
        date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31),
        date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]


def test_a_closing_day_the_admin_adds_stops_counting():
    # Monday 2026-11-02 sits between the weekend and 文化の日 (Tuesday 11-03).
    assert add_business_days(at(2026, 10, 30), 1) == date(2026, 11, 2)
    ClosingDay.objects.create(name="市の休日", date=date(2026, 11, 2))
    assert not is_business_day(date(2026, 11, 2))
    assert add_business_days(at(2026, 10, 30), 1) == date(2026, 11, 4)
    assert is_business_day(date(2027, 11, 2)), "a one-off day does not recur"


def test_a_recurring_closing_day_the_admin_deletes_counts_again():
    assert add_business_days(at(2026, 12, 28), 1) == date(2027, 1, 4)
    ClosingDay.objects.filter(month=12, day=29).delete()
    assert is_business_day(date(2026, 12, 29))
    assert is_business_day(date(2027, 12, 29))
    assert add_business_days(at(2026, 12, 28), 1) == date(2026, 12, 29)


def test_dates_are_local_to_japan():
    # 14:30 UTC on Thursday is 23:30 Thursday in Japan; 15:30 UTC is already Friday 00:30.
    thursday_night = datetime.datetime(2026, 7, 16, 14, 30, tzinfo=UTC)
    friday_morning = datetime.datetime(2026, 7, 16, 15, 30, tzinfo=UTC)
    assert add_business_days(thursday_night, 1) == date(2026, 7, 17)
    assert add_business_days(friday_morning, 1) == date(2026, 7, 21)
    assert business_age(thursday_night, now=datetime.datetime(2026, 7, 16, 15, 30, tzinfo=UTC)) == 1
    with pytest.raises(ValueError):
        add_business_days(datetime.datetime(2026, 7, 16, 10), 1)  # naive: no local date


def test_an_end_before_the_start_is_zero_and_n_must_not_be_negative():
    assert business_days_between(at(2026, 11, 16), at(2026, 11, 10)) == 0
    assert business_days_between(at(2026, 11, 16, 9), at(2026, 11, 16, 18)) == 0
    assert add_business_days(at(2026, 11, 14), 0) == date(2026, 11, 14)
    with pytest.raises(ValueError):
        add_business_days(at(2026, 11, 16), -1)
    with pytest.raises(ValueError):
        business_deadline_cutoff(at(2026, 11, 16), -1)


def test_add_business_days_is_the_inverse_of_business_days_between():
    calendar = load_calendar()
    for offset in range(0, 40, 3):
        start = at(2026, 12, 1) + datetime.timedelta(days=offset)
        for n in range(6):
            end = add_business_days(start, n, calendar)
            assert business_days_between(start, end, calendar) == n
            assert n == 0 or business_days_between(start, end - datetime.timedelta(days=1), calendar) == n - 1


def test_deadline_cutoff_example():
    cutoff = business_deadline_cutoff(at(2026, 7, 21, 10), 2)  # Tuesday after 海の日
    assert cutoff == datetime.datetime(2026, 7, 17, 0, 0, tzinfo=JST)
    assert business_age(cutoff - datetime.timedelta(seconds=1), now=at(2026, 7, 21, 10)) == 2
    assert business_age(cutoff, now=at(2026, 7, 21, 10)) == 1
    assert business_deadline_cutoff(at(2026, 7, 21, 10), 0) == datetime.datetime(2026, 7, 22, tzinfo=JST)


@pytest.mark.parametrize("now", [at(2026, 7, 21, 10), at(2027, 1, 5, 9), at(2026, 9, 24, 23, 59), at(2026, 11, 15)])
def test_deadline_cutoff_splits_submissions_exactly_by_age(now):
    calendar = load_calendar()
    submissions = [now - datetime.timedelta(hours=h) for h in range(0, 24 * 30, 5)]
    for n in range(6):
        cutoff = business_deadline_cutoff(now, n, calendar)
        assert cutoff.astimezone(JST).time() == datetime.time(0, 0)
        for submitted in submissions:
            assert (submitted < cutoff) == (business_age(submitted, now, calendar) >= n), (n, submitted)


def test_queries_do_not_grow_with_the_span(django_assert_num_queries):
    start = at(2026, 7, 17)
    with django_assert_num_queries(1):
        assert business_days_between(start, at(2026, 7, 22)) == 2
    with django_assert_num_queries(1):
        assert business_days_between(start, at(2029, 7, 17)) > 700
    with django_assert_num_queries(1):
        assert add_business_days(start, 500) > date(2028, 7, 1)
    with django_assert_num_queries(1):
        business_deadline_cutoff(at(2029, 7, 17), 500)
    calendar = load_calendar()
    with django_assert_num_queries(0):
        ages = [business_age(start + datetime.timedelta(days=d), at(2027, 7, 17), calendar) for d in range(50)]
    assert ages[0] > ages[-1] > 0


def test_a_closing_day_is_either_a_date_or_a_month_and_day():
    with pytest.raises(ValidationError):
        ClosingDay(name="両方", date=date(2026, 11, 2), month=11, day=2).full_clean()
    with pytest.raises(ValidationError):
        ClosingDay(name="月だけ", month=8).full_clean()
    with pytest.raises(ValidationError, match="その月にない日"):
        ClosingDay(name="ない日", month=2, day=30).full_clean()
    ClosingDay(name="うるう日", month=2, day=29).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosingDay.objects.create(name="どちらもなし")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosingDay.objects.create(name="重複", month=12, day=29)


def test_the_admin_lists_and_adds_closing_days(client_as):
    admin = client_as("admin")
    page = admin.get("/admin/organization/closingday/")
    assert page.status_code == 200
    assert "毎年12月29日" in page.content.decode()
    response = admin.post("/admin/organization/closingday/add/", {"name": "市の休日", "date": "2026-11-02"})
    assert response.status_code == 302
    assert not is_business_day(date(2026, 11, 2))
    refused = admin.post("/admin/organization/closingday/add/",
                         {"name": "両方", "date": "2026-11-05", "month": "11", "day": "5"})
    assert refused.status_code == 200
    assert "どちらか一方だけ" in refused.content.decode()
    assert not ClosingDay.objects.filter(name="両方").exists()
