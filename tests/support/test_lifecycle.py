"""The two small state tables of the requests (support/models.py): every step the seeds describe in
its order, each recorded as an event; every other move refused with a Japanese message, changing
nothing; a page sent twice makes one request."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from support import services
from support.models import (
    BUILDING_MOVES,
    LEGAL_MOVES,
    BuildingRequest,
    BuildingState,
    LegalRequest,
    LegalState,
    SupportEvent,
)
from tests.incidents.conftest import pdf_bytes

JST = ZoneInfo("Asia/Tokyo")
WHEN = datetime(2025, 7, 1, 10, 0, tzinfo=JST)


def _pdf():
    return SimpleUploadedFile("法律相談報告書.pdf", pdf_bytes(), content_type="application/pdf")


def legal_move(name: str, request: LegalRequest, actor):
    calls = {
        "arrange": lambda: services.arrange_legal(request=request, actor=actor, scheduled_at=WHEN, lawyer="山本 弁護士"),
        "hold": lambda: services.hold_legal(request=request, actor=actor, held_on=date(2025, 7, 1)),
        "report": lambda: services.attach_legal_report(request=request, actor=actor, upload=_pdf()),
        "withdraw": lambda: services.withdraw_legal(request=request, actor=actor, reason="相手方が謝罪したため"),
    }
    return calls[name]()


def test_a_legal_request_goes_from_requested_to_its_report_and_each_step_is_an_event(users, make_legal):
    legal = make_legal()
    gachief, desk = users["gachief"], users["desk"]

    legal = services.arrange_legal(request=legal, actor=gachief, scheduled_at=WHEN, lawyer="山本 弁護士",
                                   venue="第2会議室")
    # A new date or lawyer may be set again while it is arranged.
    legal = services.arrange_legal(request=legal, actor=gachief, scheduled_at=WHEN.replace(day=2), lawyer="田中 弁護士")
    legal = services.hold_legal(request=legal, actor=desk, held_on=date(2025, 7, 2))
    legal = services.attach_legal_report(request=legal, actor=desk, upload=_pdf(), summary="出入禁止は可能との見解")

    legal.refresh_from_db()
    assert legal.state == LegalState.REPORTED
    assert (legal.lawyer, legal.held_on, legal.report_summary) == ("田中 弁護士", date(2025, 7, 2), "出入禁止は可能との見解")
    steps = list(SupportEvent.objects.filter(legal_request=legal).values_list("action", "from_state", "to_state"))
    assert steps == [
        ("legal_requested", "", "requested"),
        ("legal_arranged", "requested", "arranged"),
        ("legal_arranged", "arranged", "arranged"),
        ("legal_held", "arranged", "held"),
        ("legal_reported", "held", "reported"),
    ]
    assert set(SupportEvent.objects.filter(legal_request=legal).values_list("report_id", flat=True)) == {legal.report_id}


#: Every (state, move) the table does not allow.
WRONG_LEGAL = [(state, move) for state in LegalState.values for move in LEGAL_MOVES
               if state not in LEGAL_MOVES[move][0]]


@pytest.mark.parametrize(("state", "move"), WRONG_LEGAL, ids=[f"{s}-{m}" for s, m in WRONG_LEGAL])
def test_a_legal_move_from_the_wrong_state_is_refused_and_changes_nothing(users, make_legal, state, move):
    legal = make_legal()
    LegalRequest.objects.filter(pk=legal.pk).update(state=state)
    events = SupportEvent.objects.count()

    with pytest.raises(services.WrongState) as refused:
        legal_move(move, legal, users["desk"])

    assert "の依頼には「" in refused.value.messages[0] and "を記録できません" in refused.value.messages[0]
    legal.refresh_from_db()
    assert legal.state == state
    assert not legal.report_file
    assert SupportEvent.objects.count() == events


@pytest.mark.parametrize(("move", "role"), [("arrange", "chief"), ("arrange", "staff"), ("hold", "staff"),
                                            ("withdraw", "chief2"), ("report", "director")])
def test_only_the_general_affairs_section_arranges_and_only_it_or_the_requester_moves_on(users, make_legal, move, role):
    legal = make_legal(actor=users["chief"])  # asked by the 所属長 of the case's 課
    if move in ("hold", "report"):
        services.arrange_legal(request=legal, actor=users["gachief"], scheduled_at=WHEN, lawyer="山本 弁護士")
    if move == "report":
        services.hold_legal(request=legal, actor=users["chief"], held_on=date(2025, 7, 1))
    legal.refresh_from_db()
    before = legal.state

    with pytest.raises(PermissionDenied):
        legal_move(move, legal, users[role])

    legal.refresh_from_db()
    assert legal.state == before


def test_the_requester_records_the_consultation_and_attaches_its_report(users, make_legal):
    """Minato: the requesting 課 holds the consultation and hands its report to the 文書係."""
    legal = make_legal(actor=users["chief"])
    services.arrange_legal(request=legal, actor=users["gachief"], scheduled_at=WHEN, lawyer="山本 弁護士")

    services.hold_legal(request=legal, actor=users["chief"], held_on=date(2025, 7, 1))
    services.attach_legal_report(request=legal, actor=users["chief"], upload=_pdf())

    legal.refresh_from_db()
    assert (legal.state, legal.reported_by) == (LegalState.REPORTED, users["chief"])


def test_a_building_request_is_answered_once(users, make_building, kanzai):
    building = make_building()

    services.answer_building(request=building, actor=kanzai, answer="月曜10時から警備員1名を配置します。")
    with pytest.raises(services.WrongState):
        services.answer_building(request=building, actor=kanzai, answer="二度目の回答")
    with pytest.raises(services.WrongState):
        services.withdraw_building(request=building, actor=users["chief"], reason="不要になった")

    building.refresh_from_db()
    assert (building.state, building.answer, building.answered_by) == (
        BuildingState.ANSWERED, "月曜10時から警備員1名を配置します。", kanzai)
    assert list(building.events.values_list("action", flat=True)) == ["building_requested", "building_answered"]


WRONG_BUILDING = [(state, move) for state in BuildingState.values for move in BUILDING_MOVES
                  if state not in BUILDING_MOVES[move][0]]


@pytest.mark.parametrize(("state", "move"), WRONG_BUILDING, ids=[f"{s}-{m}" for s, m in WRONG_BUILDING])
def test_a_building_move_from_the_wrong_state_is_refused(users, make_building, kanzai, state, move):
    building = make_building()
    BuildingRequest.objects.filter(pk=building.pk).update(state=state)

    with pytest.raises(services.WrongState):
        if move == "answer":
            services.answer_building(request=building, actor=kanzai, answer="回答")
        else:
            services.withdraw_building(request=building, actor=users["chief"], reason="理由")

    building.refresh_from_db()
    assert (building.state, building.answer, building.withdrawn_reason) == (state, "", "")


def test_only_the_building_sections_chief_answers(users, make_building, kanzai):
    building = make_building()
    for role in ("chief", "desk", "gachief", "director"):
        with pytest.raises(PermissionDenied):
            services.answer_building(request=building, actor=users[role], answer="回答")
    building.refresh_from_db()
    assert building.state == BuildingState.REQUESTED


def test_the_same_page_sent_twice_makes_one_request(users, make_legal, make_building):
    token = uuid.uuid4()
    first = make_legal(form_token=token)
    second = make_legal(form_token=token)
    assert first.pk == second.pk and LegalRequest.objects.count() == 1

    building_token = uuid.uuid4()
    assert make_building(form_token=building_token).pk == make_building(form_token=building_token).pk
    assert BuildingRequest.objects.count() == 1
    assert SupportEvent.objects.filter(action__in=["legal_requested", "building_requested"]).count() == 2


def test_without_a_section_that_manages_the_building_the_request_is_refused_with_a_reason(users, case):
    with pytest.raises(ValidationError) as refused:
        services.request_building(actor=users["chief"], report=case, place="窓口", guard=True, details="状況")

    assert "庁舎を管理する課が設定されていない" in refused.value.messages[0]
    assert not BuildingRequest.objects.exists()


@pytest.mark.parametrize("role", ["staff", "chief2", "director", "gachief", "chair"])
def test_only_the_desk_or_the_cases_chief_may_ask(users, case, building_section, role):
    with pytest.raises(PermissionDenied):
        services.request_legal(actor=users[role], report=case, background="a", planned_response="b", legal_issues="c")
    with pytest.raises(PermissionDenied):
        services.request_building(actor=users[role], report=case, place="窓口", guard=True, details="状況")
    assert not LegalRequest.objects.exists() and not BuildingRequest.objects.exists()


def test_a_draft_cannot_have_requests(users, make_report, building_section):
    from incidents.lifecycle import Status

    draft = make_report(users["staff"], status=Status.DRAFT)
    with pytest.raises(PermissionDenied):
        services.request_legal(actor=users["desk"], report=draft, background="a", planned_response="b",
                               legal_issues="c")
