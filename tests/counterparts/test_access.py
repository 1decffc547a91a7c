"""Who may open which counterpart page (counterparts/policies.py), as one table.

Only the 相談窓口 and the 対策委員会 read the register; only the 相談窓口 links and registers. Everyone
else gets 404 on every address, the list included, and never sees a counterpart's name.
"""

from __future__ import annotations

import pytest

from counterparts import policies, selectors
from counterparts.models import Counterpart

ROLES = ["staff", "staff2", "chief", "director", "desk", "chair", "member", "admin"]
PAGES = ["list", "detail", "link", "create"]

Y, N = 200, 404
# fmt: off
TABLE = {
    #            list detail link create
    "staff":    (N,   N,     N,   N),
    "staff2":   (N,   N,     N,   N),
    "chief":    (N,   N,     N,   N),
    "director": (N,   N,     N,   N),
    "desk":     (Y,   Y,     Y,   Y),
    "chair":    (Y,   Y,     N,   N),
    "member":   (Y,   Y,     N,   N),
    "admin":    (N,   N,     N,   N),
}
# fmt: on
CASES = [(role, page, TABLE[role][i]) for role in ROLES for i, page in enumerate(PAGES)]
NAME = "相手方 秘匿太郎"


@pytest.fixture
def setting(users, make_report, make_counterpart, link):
    # A report of staff (so staff, chief and director may read the report itself).
    report = make_report(users["staff"], counterpart_name=NAME)
    counterpart = make_counterpart(name=NAME, phone="090-1111-2222")
    link(counterpart, make_report(users["staff"], counterpart_name=NAME))
    return {"report": report, "counterpart": counterpart}


def url_of(page: str, setting: dict) -> str:
    return {
        "list": "/counterparts/",
        "detail": f"/counterparts/{setting['counterpart'].pk}/",
        "link": f"/counterparts/link/{setting['report'].pk}/",
        "create": f"/counterparts/new/{setting['report'].pk}/",
    }[page]


@pytest.mark.parametrize(("role", "page", "expected"), CASES)
def test_access_table(client_as, setting, role, page, expected):
    response = client_as(role).get(url_of(page, setting))
    assert response.status_code == expected
    if expected == N:
        assert NAME not in response.content.decode()
    elif page in ("list", "detail"):
        assert NAME in response.content.decode()


@pytest.mark.parametrize("role", ["chair", "member", "staff", "chief"])
def test_only_the_desk_writes(client_as, setting, users, role):
    counterpart = setting["counterpart"]
    client = client_as(role)
    for url in (
        f"/counterparts/{counterpart.pk}/edit/",
        f"/counterparts/{counterpart.pk}/measures/new/",
        f"/counterparts/{counterpart.pk}/unlink/{counterpart.links.get().report_id}/",
        f"/counterparts/link/{setting['report'].pk}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "書き換え", "counterpart": counterpart.pk, "reason": "x"}).status_code == 404
    assert Counterpart.objects.get(pk=counterpart.pk).name == NAME
    assert counterpart.links.count() == 1
    assert not counterpart.measures.exists()


def test_committee_sees_no_write_buttons(client_as, setting):
    html = client_as("member").get(url_of("detail", setting)).content.decode()
    assert "措置を追加" not in html
    assert "紐付けを解除" not in html
    assert "相手方の情報を編集" not in html


def test_unknown_counterpart_is_404_for_the_desk(client_as, setting):
    assert client_as("desk").get("/counterparts/999999/").status_code == 404


def test_signed_out_visitor_is_sent_to_login(client, setting):
    response = client.get(url_of("detail", setting))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_for_report_is_empty_for_those_who_may_not_see(users, setting, role):
    report = setting["counterpart"].links.get().report
    found = selectors.for_report(users[role], report)
    assert bool(found) == policies.can_see_counterparts(users[role])
    assert bool(found) == (TABLE[role][0] == Y)


def test_admin_reads_the_register_and_cannot_rewrite_the_audit_trail(client_as, setting):
    client = client_as("admin")
    changelist = client.get("/admin/counterparts/counterpart/", {"q": "相手方秘匿太郎"})
    assert changelist.status_code == 200 and NAME in changelist.content.decode()
    assert client.get(f"/admin/counterparts/counterpart/{setting['counterpart'].pk}/change/").status_code == 200
    event = setting["counterpart"].events.first()
    assert client.get("/admin/counterparts/counterpartevent/").status_code == 200
    assert client.post(f"/admin/counterparts/counterpartevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_committee_reads_a_counterpart_without_the_titles_of_reports_it_may_not_open(
    client_as, users, make_report, make_counterpart, link
):
    from incidents.lifecycle import Status

    counterpart = make_counterpart(name="山田 太郎")
    hidden = make_report(users["staff"], title="委員会の読めない報告")
    referred = make_report(users["staff2"], status=Status.REFERRED, title="付議された報告")
    # A committee member reads a referred case while it is on the agenda of a meeting they are invited to.
    from django.utils import timezone

    from committee.models import AgendaItem, Invitation, Meeting

    meeting = Meeting.objects.create(starts_at=timezone.now(), created_by=users["desk"])
    Invitation.objects.create(meeting=meeting, user=users["member"], role="member")
    AgendaItem.objects.create(meeting=meeting, report=referred, added_by=users["desk"])
    link(counterpart, hidden)
    link(counterpart, referred)

    member_page = client_as("member").get(f"/counterparts/{counterpart.pk}/").content.decode()
    desk_page = client_as("desk").get(f"/counterparts/{counterpart.pk}/").content.decode()

    assert "委員会の読めない報告" not in member_page and "（閲覧する権限のない報告）" in member_page
    assert "付議された報告" in member_page
    assert "委員会の読めない報告" in desk_page and "付議された報告" in desk_page
