"""The dashboard's numbers are kept under the data's fingerprint (stats/changes.py): an unchanged
database answers without reading the cases, and any committed write shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import changes, selectors
from stats.policies import CITY
from stats.selectors import Selection
from tests.helpers import require_or_fail

from .conftest import TODAY, at, cells


@pytest.fixture
def postgres():
    require_or_fail(connection.vendor == "postgresql", "PostgreSQL")


def city():
    return selectors.dashboard_tables(CITY, Selection.year(2025), today=TODAY)


def test_every_table_the_dashboard_reads_has_the_trigger(postgres, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                       "WHERE trigger_name = 'stats_data_changed'")
        assert {row[0] for row in cursor.fetchall()} == set(changes.TRACKED)


def test_an_unchanged_database_answers_without_reading_the_cases(postgres, stats_data):
    first = city()
    with CaptureQueriesContext(connection) as queries:
        again = city()
    assert again == first
    assert len(queries.captured_queries) == 3  # the fingerprint, the names of the 部・課 and 態様


def test_a_new_case_shows_at_once(postgres, stats_data, users, types):
    from incidents.models import IncidentReport

    assert cells(city(), "summary")["事案の件数"] == [9, 5]
    report = IncidentReport.objects.create(reporter=users["staff"], section=users["staff"].section, status="closed",
                                           occurred_start=at("2025-08-01"), submitted_at=at("2025-08-01"))
    report.harassment_types.set([types["violence"]])
    tables = city()
    assert cells(tables, "summary")["事案の件数"] == [10, 5]
    assert cells(tables, "by_type")["暴力型"][0] == 2


def test_a_change_to_a_case_shows_at_once_and_so_does_a_closing_day(postgres, stats_data):
    from organization.models import ClosingDay

    before = cells(city(), "summary")["警察に通報した件数"]
    case = stats_data["cases"]["c2"]
    type(case).objects.filter(pk=case.pk).update(police_called=True)  # a bulk update: no signal, still seen
    assert cells(city(), "summary")["警察に通報した件数"] == [before[0] + 1, before[1]]
    accept = cells(city(), "times")["提出から受付まで（中央値）"]
    ClosingDay.objects.create(date=at("2025-04-11").date(), name="市の休日")  # between c1's 提出 and 受付
    assert cells(city(), "times")["提出から受付まで（中央値）"] != accept


def test_compaction_never_brings_back_an_earlier_fingerprint(postgres, stats_data):
    seen = changes.fingerprint()
    changes.compact()
    after = changes.fingerprint()
    assert after != seen and after[0] == 1
    changes.compact()
    assert changes.fingerprint() not in (seen, after)


@pytest.fixture
def redis_cache(settings):
    """The cache in the real Redis (as production's CACHE_URL), a database of the tests' own."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14").ping()
        up = True
    except redis.exceptions.ConnectionError:
        up = False
    require_or_fail(up, "Redis at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/14"}}
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def test_in_redis_what_one_process_computed_serves_another(postgres, stats_data, redis_cache):
    first = city()
    # Another web process: nothing of this one's memory, the same Redis.
    from django.core.cache import caches

    caches["default"].close()
    with CaptureQueriesContext(connection) as queries:
        assert city() == first
    assert len(queries.captured_queries) == 3


def test_a_cache_that_is_down_only_costs_time(postgres, stats_data, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    assert cells(city(), "summary")["事案の件数"] == [9, 5]  # counted, not a server error
    assert "the cache could not be read" in caplog.text
