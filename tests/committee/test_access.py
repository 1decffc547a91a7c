"""Who may open the committee's pages, per demo role: meetings, decisions and measures answer 200
or 404 (never 403), and a meeting a member is not invited to leaks nothing, not even its title."""

from __future__ import annotations

import pytest

from committee import services
from committee.models import Judged
from incidents.lifecycle import Status

ROLES = ["staff", "staff2", "chief", "chief2", "desk", "chair", "member", "admin"]
Y, N = 200, 404

PAGES = ["list", "invited", "not_invited", "decision", "hidden_decision", "measure", "new_meeting",
         "edit_meeting", "correct", "letters", "minutes", "hidden_minutes", "board"]
# fmt: off
TABLE = {
    #          list invited not_invited decision hidden_decision measure new_meeting edit correct letters minutes hidden_minutes board
    "staff":  (N,   N,      N,          N,       N,              N,      N,          N,   N,      N,      N,      N,             Y),
    "staff2": (N,   N,      N,          N,       N,              N,      N,          N,   N,      N,      N,      N,             Y),
    "chief":  (N,   N,      N,          N,       N,              N,      N,          N,   N,      N,      N,      N,             Y),
    "chief2": (N,   N,      N,          N,       N,              Y,      N,          N,   N,      N,      N,      N,             Y),   # owns the measure (福祉課長)
    "desk":   (Y,   Y,      Y,          Y,       Y,              Y,      Y,          Y,   N,      Y,      Y,      Y,             Y),
    "chair":  (Y,   Y,      Y,          Y,       Y,              Y,      Y,          Y,   Y,      N,      Y,      Y,             Y),
    "member": (Y,   Y,      N,          Y,       N,              Y,      N,          N,   N,      N,      Y,      N,             Y),
    "admin":  (N,   N,      N,          N,       N,              N,      N,          N,   N,      N,      N,      N,             Y),
}
# fmt: on
CASES = [(role, page, TABLE[role][i]) for role in ROLES for i, page in enumerate(PAGES)]
SECRET_TITLE = "非公開の臨時会"


@pytest.fixture
def world(users, make_report, make_meeting, measure, voter):
    invited = make_meeting(attended={"chair": True, "member": True},
                           cases=[make_report(users["staff2"], status=Status.REFERRED, title="付議された件")])
    other = voter("iin9")
    hidden = make_meeting(members={"chair": "chair", other: "member"}, attended={"chair": True, "iin9": True},
                          title=SECRET_TITLE,
                          cases=[make_report(users["staff2"], status=Status.REFERRED, title="別の会議の件")])
    decisions = {}
    for name, meeting in (("invited", invited), ("hidden", hidden)):
        decisions[name] = services.finalise_decision(actor=users["chair"], decision=services.save_draft(
            actor=users["chair"], item=meeting.items.get(), judged=Judged.YES, policy="警告する", by_consensus=True,
            measures=[measure("staff_care", owner=users["chief2"])]))
    return {
        "list": "/committee/",
        "invited": f"/committee/meetings/{invited.pk}/",
        "not_invited": f"/committee/meetings/{hidden.pk}/",
        "decision": f"/committee/decisions/{decisions['invited'].pk}/",
        "hidden_decision": f"/committee/decisions/{decisions['hidden'].pk}/",
        "measure": f"/committee/measures/{decisions['invited'].measures.get().pk}/",
        "new_meeting": "/committee/meetings/new/",
        "edit_meeting": f"/committee/meetings/{invited.pk}/edit/",
        "correct": f"/committee/decisions/{decisions['invited'].pk}/correct/",
        "letters": f"/committee/decisions/{decisions['invited'].pk}/letters/",
        "minutes": f"/committee/meetings/{invited.pk}/minutes/",
        "hidden_minutes": f"/committee/meetings/{hidden.pk}/minutes/",
        "board": "/board/",
    }


@pytest.mark.parametrize(("role", "page", "expected"), CASES, ids=[f"{r}-{p}" for r, p, _ in CASES])
def test_who_may_open_which_committee_page(client_as, world, role, page, expected):
    response = client_as(role).get(world[page])

    assert response.status_code == expected, f"{role} opening {page}"
    if expected == 404:
        assert SECRET_TITLE not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_no_page_names_a_meeting_the_viewer_may_not_open(client_as, world, role):
    client = client_as(role)
    may_open = TABLE[role][PAGES.index("not_invited")] == Y
    for page in ("list", "invited", "decision", "measure"):
        content = client.get(world[page]).content.decode()
        if not may_open:
            assert SECRET_TITLE not in content, f"{role} on {page}"
            assert world["not_invited"] not in content, f"{role} on {page}"
        elif page == "list":
            assert SECRET_TITLE in content


def test_a_member_sees_the_case_only_while_on_the_agenda_and_after_deciding_it(client_as, users, make_report,
                                                                                 make_meeting, measure, voter):
    report = make_report(users["staff2"], status=Status.REFERRED, title="議題の件")
    member = client_as("member")
    assert member.get(f"/reports/{report.pk}/").status_code == 404

    meeting = make_meeting(members={"chair": "chair", "member": "member", voter("iin8"): "member"}, cases=[report])
    assert member.get(f"/reports/{report.pk}/").status_code == 200

    # Decided at a meeting member did not attend: no longer theirs to read.
    services.record_attendance(actor=users["desk"], meeting=meeting,
                               attended={i.pk: i.user != users["member"] for i in meeting.invitations.all()})
    services.finalise_decision(actor=users["chair"], decision=services.save_draft(
        actor=users["chair"], item=meeting.items.get(), judged=Judged.YES, policy="警告", by_consensus=True,
        measures=[measure(owner=users["desk"])]))
    assert member.get(f"/reports/{report.pk}/").status_code == 404
    assert client_as("chair").get(f"/reports/{report.pk}/").status_code == 200
