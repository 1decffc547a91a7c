"""Fixtures of the support tests: the incidents fixtures (people, reports), the 課 that manages the
building with its 所属長, and requests made the way the pages make them."""

from __future__ import annotations

import pytest

from tests.incidents.conftest import colleague, make_report, neighbour  # noqa: F401

BACKGROUND = "窓口で申請書類の束を職員に投げつけ、「ふざけるな」と怒鳴った。以前にも電話で長時間の要求がある。"
PLANNED = "文書で警告し、次に同様の行為があれば出入禁止とする。"
ISSUES = "出入禁止を庁舎管理規則に基づいて命じる場合の範囲と期間はどうすべきか。"
DETAILS = "退去を3回求めても応じない。次の来庁時に警備員の立会いを求めたい。"


@pytest.fixture
def building_section(users):
    """契約管財課 (総務部), flagged as the 課 that manages the building."""
    from organization.models import Section

    section = Section.objects.get(name="契約管財課")
    section.manages_building = True
    section.save(update_fields=["manages_building"])
    return section


@pytest.fixture
def kanzai(building_section):
    """The 所属長 of 契約管財課: answers 庁舎管理 requests."""
    from organization.models import User

    return User.objects.create(username="kanzai", display_name="契約管財 課長", section=building_section,
                               is_section_chief=True, email="kanzai@example.lg.jp")


@pytest.fixture
def case(users, make_report):  # noqa: F811 (the imported fixture)
    """A submitted case of 市民課 (reported by ``staff``; its 所属長 is ``chief``)."""
    return make_report(users["staff"], place="本庁舎1階 市民課窓口")


@pytest.fixture
def make_legal(users, case):
    """``make_legal(actor=desk, report=case)``: a 法律相談依頼 through the service."""
    from support import services

    def make(actor=None, report=None, **fields):
        values = {"background": BACKGROUND, "planned_response": PLANNED, "legal_issues": ISSUES, **fields}
        return services.request_legal(actor=actor or users["desk"], report=report or case, **values)

    return make


@pytest.fixture
def make_building(users, case, building_section):
    """``make_building(actor=chief, report=case)``: a 庁舎管理 request through the service."""
    from support import services

    def make(actor=None, report=None, **fields):
        values = {"place": "本庁舎1階 市民課窓口", "guard": True, "exit_order": True, "details": DETAILS, **fields}
        return services.request_building(actor=actor or users["chief"], report=report or case, **values)

    return make
