"""Who hears of a request for help, with the admin's default rules: a 法律相談依頼 reaches the 総務課長,
each later step the person who asked; a 庁舎管理 request reaches the 所属長 of the 課 that manages
the building (whichever 課 the admin flags), its answer the person who asked. A notice never leads
its recipient to a 404, and never carries the request's text."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core import mail

from notifications.kinds import Audience, Kind
from notifications.models import Notice, NoticeRule
from notifications.render import render
from organization.models import Section, User
from support import services
from tests.support.conftest import BACKGROUND, DETAILS

JST = ZoneInfo("Asia/Tokyo")


def received(kind: str) -> list[str]:
    return sorted(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_legal_request_reaches_the_general_affairs_chief_and_each_step_the_requester(users, make_legal, client):
    legal = make_legal(actor=users["chief"])

    assert received(Kind.LEGAL_REQUEST) == ["gachief"]
    notice = Notice.objects.get(kind=Kind.LEGAL_REQUEST)
    assert render(notice).subject == f"法律相談の依頼が届きました（No.{legal.report_id}）"
    assert render(notice).path == f"/support/legal/{legal.pk}/"
    assert BACKGROUND not in render(notice).body

    services.arrange_legal(request=legal, actor=users["gachief"], lawyer="山本 弁護士",
                           scheduled_at=datetime(2025, 7, 1, 10, 0, tzinfo=JST))
    services.hold_legal(request=legal, actor=users["chief"], held_on=date(2025, 7, 1))  # the requester's own step

    # The arrangement told the requester; their own step told nobody.
    assert received(Kind.LEGAL_REQUEST_UPDATED) == ["chief"]
    client.force_login(users["gachief"])
    assert client.get(render(notice).path).status_code == 200  # the notice does not lead to a 404
    assert client.get(f"/reports/{legal.report_id}/").status_code == 404  # nor does it open the case


def test_a_building_request_reaches_the_chief_of_the_section_that_manages_the_building(users, make_building, kanzai,
                                                                                          client):
    building = make_building()

    assert received(Kind.BUILDING_REQUEST) == ["kanzai"]  # not 市民課's chief who asked, not the 総務課長
    notice = Notice.objects.get(kind=Kind.BUILDING_REQUEST)
    assert render(notice).subject == "庁舎管理の依頼が届きました（本庁舎1階 市民課窓口）"
    assert DETAILS not in render(notice).body
    client.force_login(kanzai)
    assert client.get(render(notice).path).status_code == 200

    services.answer_building(request=building, actor=kanzai, answer="警備員1名を配置します。")

    assert received(Kind.BUILDING_REQUEST_ANSWERED) == ["chief"]


def test_the_admin_moves_the_building_to_another_section(users, make_building, kanzai):
    """Configurable: flag 財政課 instead of 契約管財課 and its 所属長 receives the next request."""
    finance = Section.objects.get(name="財政課")
    treasurer = User.objects.create(username="zaisei", display_name="財政 課長", section=finance, is_section_chief=True)
    Section.objects.filter(name="契約管財課").update(manages_building=False)
    Section.objects.filter(pk=finance.pk).update(manages_building=True)

    make_building()

    assert received(Kind.BUILDING_REQUEST) == [treasurer.username]


def test_a_recipient_the_admin_adds_can_open_what_they_are_told_of(users, make_legal, client):
    """The 総務部長 may be named for 法律相談依頼; the notice then opens the request (not the case)."""
    NoticeRule.objects.filter(kind=Kind.LEGAL_REQUEST).update(audiences=[Audience.GA_SECTION_CHIEF, Audience.GA_DIRECTOR])
    legal = make_legal()

    assert received(Kind.LEGAL_REQUEST) == ["gachief", "gadir"]
    client.force_login(users["gadir"])
    assert client.get(f"/support/legal/{legal.pk}/").status_code == 200
    assert client.get(f"/reports/{legal.report_id}/").status_code == 404


def test_the_request_is_e_mailed_after_commit(users, make_legal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_legal()

    assert [m.to for m in mail.outbox] == [[users["gachief"].email]]
    assert "法律相談の依頼が届きました" in mail.outbox[0].subject
