"""Measures are tracked to completion: the committee page lists open ones with owner and due date,
overdue first (「期限超過」); the owner's home page shows theirs; owners mark them done with a note."""

from __future__ import annotations

import pytest

from committee import selectors, services
from committee.models import CommitteeEvent, Judged
from incidents.lifecycle import Status
from tests.incidents.html import Page


@pytest.fixture
def decided(users, make_report, make_meeting, measure):
    report = make_report(users["staff2"], status=Status.REFERRED, title="措置のある件")
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[report])
    decision = services.save_draft(
        actor=users["chair"], item=meeting.items.get(), judged=Judged.YES, policy="警告する", by_consensus=True,
        measures=[
            measure("staff_care", owner=users["chief2"], due_in=10, detail="職員との面談"),
            measure("warning_letter", owner_section=users["chief2"].section, due_in=-3, detail="警告書を送る"),
            measure("monitoring", owner=users["desk"], due_in=30),
        ],
    )
    return services.finalise_decision(actor=users["chair"], decision=decision)


def test_the_committee_page_lists_open_measures_overdue_first(client_as, decided):
    page = Page(client_as("chair").get("/committee/").content)

    section = page.find("section", **{"aria-labelledby": "measures-heading"})
    rows = [[cell.text for cell in row.iter() if cell.tag in ("th", "td")] for row in section.find_all("tr")[1:]]
    assert [r[0] for r in rows] == ["文書による警告警告書を送る", "職員のケア職員との面談", "継続監視"]
    assert rows[0][4] == "期限超過" and rows[1][4] == "期限内"
    assert rows[0][2] == "健康福祉部 福祉課" and rows[1][2] == "福祉 課長"


def test_the_owners_home_page_shows_their_measures_and_others_do_not_see_them(client_as, users, decided):
    home = client_as("chief2").get("/").content.decode()
    assert "担当する対策委員会の措置" in home
    assert "文書による警告" in home and "期限超過" in home and "職員のケア" in home
    assert "担当する対策委員会の措置" not in client_as("chief").get("/").content.decode()
    assert [r.measure.type.code for r in selectors.my_open_measures(users["desk"])] == ["monitoring"]


def test_an_owner_marks_a_measure_done_with_a_note(client_as, users, decided):
    measure = decided.measures.get(type__code="warning_letter")
    chief2 = client_as("chief2")

    refused = chief2.post(f"/committee/measures/{measure.pk}/", {"note": ""})
    done = chief2.post(f"/committee/measures/{measure.pk}/", {"note": "6月1日に警告書を郵送した"})

    assert refused.status_code == 400
    assert done.status_code == 302
    measure.refresh_from_db()
    assert (measure.done_by, measure.done_note) == (users["chief2"], "6月1日に警告書を郵送した")
    assert CommitteeEvent.objects.filter(action="measure_done", detail__measure=measure.pk).count() == 1
    assert "文書による警告" not in client_as("chief2").get("/").content.decode()
    # Someone who does not own it may not even open it.
    other = decided.measures.get(type__code="monitoring")
    assert client_as("chief2").get(f"/committee/measures/{other.pk}/").status_code == 404
    assert client_as("staff").post(f"/committee/measures/{measure.pk}/", {"note": "x"}).status_code == 404
