"""Fixtures and helpers of the 職員名簿 import tests (``tests/organization/test_roster*.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.roster import Roster, leavers, roster, to_bytes, transfer

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 3, 10, 10, 0, tzinfo=JST)

_BASE: dict[int, Roster] = {}


def base_roster(people: int = 2000) -> Roster:
    """The generated 2,000-person 名簿 (made once per process; callers copy the rows they change)."""
    if people not in _BASE:
        _BASE[people] = roster(people=people, seed=1)
    return _BASE[people]


def csv_bytes(made: Roster, **options) -> bytes:
    return to_bytes(made.rows, **options)


def snapshot() -> dict[str, list[tuple]]:
    """Every column of every 部, 課 and user, to compare before and after."""
    from organization.models import Department, Section, User

    return {
        "departments": list(Department.objects.order_by("pk").values_list()),
        "sections": list(Section.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list()),
    }


def make_report(reporter, *, title: str = "電話で「馬鹿野郎」と怒鳴られた"):
    """A submitted report of ``reporter`` in their 課 as it is now (its name stamped as 提出 does)."""
    from incidents.lifecycle import Status
    from incidents.models import Channel, IncidentReport

    return IncidentReport.objects.create(
        reporter=reporter, section=reporter.section, section_name=reporter.section.name, status=Status.SUBMITTED,
        title=title, occurred_start=START, occurred_end=START + timedelta(minutes=40), channel=Channel.PHONE,
        staff_count=1, counterpart_count=1, demand="担当者を替えること", conduct="「馬鹿野郎」と大声で怒鳴った。",
        ground_inappropriate_means=True, submitted_at=START + timedelta(hours=1),
    )


@pytest.fixture
def base():
    return base_roster()


@pytest.fixture
def moved(base):
    return transfer(base, seed=1)


@pytest.fixture
def gone(base):
    return leavers(base, seed=1)


@pytest.fixture
def imported(db, base):
    """The 2,000-person 名簿 applied (full roster)."""
    from organization import roster as importer

    return importer.apply_import(data=csv_bytes(base), actor=None, filename="名簿.csv")
