"""Fixtures of the care tests: the incidents fixtures (people, reports), a report that records
mental harm, and a referral in any state, made through the services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.incidents.conftest import colleague, make_report, neighbour  # noqa: F401

JST = ZoneInfo("Asia/Tokyo")
CONDUCT = "「殺されたいのか」と言いカウンターを叩いた（言動の記録）"
HARM = "動悸が続き、夜に眠れない（被害の内容の記録）"
MESSAGE = "保健師との面談をおすすめします（相談窓口からの紹介文）"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


@pytest.fixture
def harmed_report(users, make_report):  # noqa: F811 (the imported fixture)
    """``harmed(**fields)``: a submitted report of ``staff`` that records mental harm."""

    def make(**fields):
        values = {"harm_mental": True, "harm_detail": HARM, "conduct": CONDUCT}
        values.update(fields)
        return make_report(users["staff"], **values)

    return make


@pytest.fixture
def make_referral(users, harmed_report):
    """``make(state, chief=False, **share)``: a referral of ``staff`` proposed by ``desk`` and brought
    to ``state`` by ``staff`` through the services (consented: sharing the 言動 unless told otherwise)."""
    from care import services

    def make(state="proposed", *, chief=False, report=None, **share):
        report = report or harmed_report()
        referral = services.propose_referral(report=report, actor=users["desk"], message=MESSAGE)
        if state in ("consented", "withdrawn"):
            referral = services.consent(referral=referral, actor=users["staff"], share=share or {"share_conduct": True},
                                        share_with_chief=chief, contact="内線1234")
        if state == "withdrawn":
            referral = services.withdraw(referral=referral, actor=users["staff"])
        if state == "declined":
            referral = services.decline(referral=referral, actor=users["staff"])
        return referral

    return make


@pytest.fixture
def nurse(users):
    return users["nurse"]
