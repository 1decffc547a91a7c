"""The home page shows each role what it needs first."""

from __future__ import annotations

from incidents.lifecycle import Status


def test_staff_home_offers_the_ten_types_for_an_incident_and_their_own_reports(client, users, make_report):
    make_report(users["staff"], status=Status.DRAFT, title="書きかけの件")
    make_report(users["staff"], title="提出した件")
    make_report(users["staff2"], title="他の課の件")
    client.force_login(users["staff"])

    html = client.get("/").content.decode()

    assert html.count('href="/manual/types/') == 10
    assert 'href="/manual/types/verbal_abuse/live/"' in html
    assert "書きかけの件" in html and "提出した件" in html
    assert "他の課の件" not in html
    assert 'href="/admin/"' not in html


def test_a_chief_sees_the_submitted_reports_of_their_section(client, users, make_report):
    make_report(users["staff"], title="市民課の件")
    make_report(users["staff"], status=Status.DRAFT, title="市民課の下書き")
    make_report(users["staff2"], title="福祉課の件")
    client.force_login(users["chief"])

    html = client.get("/").content.decode()

    assert "課内の連絡票" in html
    assert "市民課の件" in html
    assert "市民課の下書き" not in html and "福祉課の件" not in html


def test_the_desk_sees_every_submitted_report_and_the_admin_the_admin_link(client, users, make_report):
    make_report(users["staff"], title="市民課の件")
    make_report(users["staff2"], title="福祉課の件")

    client.force_login(users["desk"])
    html = client.get("/").content.decode()
    assert "提出された連絡票" in html and "市民課の件" in html and "福祉課の件" in html

    client.force_login(users["admin"])
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert "市民課の件" not in html  # an admin reads no report by being admin
