"""The audit trail: every create, save, submit, view, print and evidence download leaves an event
with who, what and from which address; the report's own page shows its history to its readers."""

from __future__ import annotations

import pytest

from incidents.lifecycle import Status
from incidents.models import EventAction, IncidentReport, ReportEvent
from tests.incidents.html import Page

ADDRESS = "192.0.2.44"


def test_creating_a_report_is_recorded(client, users, report_data):
    client.force_login(users["staff"])

    client.post("/reports/new/", report_data(action="save"), REMOTE_ADDR=ADDRESS)

    event = ReportEvent.objects.get()
    assert (event.report, event.actor, event.action, event.to_status, event.ip_address) == (
        IncidentReport.objects.get(), users["staff"], EventAction.CREATED, Status.DRAFT, ADDRESS,
    )


def test_saving_and_submitting_a_draft_are_recorded(client, users, report_data, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT)
    client.force_login(users["staff"])

    client.post(f"/reports/{draft.pk}/edit/", report_data(action="save", title="件名を直した", report=draft), REMOTE_ADDR=ADDRESS)
    client.post(f"/reports/{draft.pk}/edit/", report_data(action="submit", report=draft), REMOTE_ADDR="192.0.2.45")

    saved, saved_again, submitted = ReportEvent.objects.filter(report=draft)
    assert (saved.action, saved.actor, saved.ip_address) == (EventAction.SAVED, users["staff"], ADDRESS)
    assert "title" in saved.detail["changed"]
    assert (saved_again.action, saved_again.ip_address) == (EventAction.SAVED, "192.0.2.45")
    assert (submitted.action, submitted.from_status, submitted.to_status, submitted.actor, submitted.ip_address) == (
        EventAction.SUBMITTED, Status.DRAFT, Status.SUBMITTED, users["staff"], "192.0.2.45",
    )


def test_opening_a_draft_to_edit_is_a_recorded_view(client, users, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT)
    client.force_login(users["staff"])

    assert client.get(f"/reports/{draft.pk}/edit/", REMOTE_ADDR=ADDRESS).status_code == 200

    event = ReportEvent.objects.get(report=draft)
    assert (event.action, event.actor, event.ip_address) == (EventAction.VIEWED, users["staff"], ADDRESS)


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/reports/{report}/", EventAction.VIEWED),
        ("/reports/{report}/print/", EventAction.PRINTED),
        ("/reports/evidence/{attachment}/", EventAction.ATTACHMENT_DOWNLOADED),
    ],
    ids=["detail", "print", "evidence"],
)
def test_every_reading_is_recorded_with_reader_and_address(client, users, make_report, make_attachment, url, action):
    report = make_report(users["staff"])
    attachment = make_attachment(uploader=users["staff"], report=report)
    client.force_login(users["chief"])

    response = client.get(url.format(report=report.pk, attachment=attachment.pk), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    event = ReportEvent.objects.get(report=report)
    assert (event.actor, event.action, event.ip_address) == (users["chief"], action, ADDRESS)


def test_the_forwarded_address_of_the_proxy_is_the_one_recorded(client, users, make_report, settings):
    settings.KASUHARA_TRUST_X_FORWARDED_FOR = True  # behind the reverse proxy of docker-compose
    report = make_report(users["staff"])
    client.force_login(users["desk"])

    client.get(f"/reports/{report.pk}/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 172.18.0.1")

    assert ReportEvent.objects.get(report=report).ip_address == "203.0.113.7"


def test_without_a_proxy_a_forged_forwarded_address_is_ignored(client, users, make_report, settings):
    settings.KASUHARA_TRUST_X_FORWARDED_FOR = False
    report = make_report(users["staff"])
    client.force_login(users["desk"])

    client.get(f"/reports/{report.pk}/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert ReportEvent.objects.get(report=report).ip_address == "192.0.2.10"


def test_a_refused_look_leaves_no_reading_event(client, users, make_report):
    report = make_report(users["staff"])
    client.force_login(users["staff2"])

    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/print/").status_code == 404

    assert not ReportEvent.objects.filter(report=report).exists()


def test_the_report_page_shows_its_own_history(client, users, report_data):
    client.force_login(users["staff"])
    client.post("/reports/new/", report_data(), REMOTE_ADDR=ADDRESS)
    report = IncidentReport.objects.get()
    client.force_login(users["chief"])

    page = Page(client.get(f"/reports/{report.pk}/?history=all", REMOTE_ADDR="192.0.2.99").content)

    history = page.by_id("history")
    assert history is not None
    entries = [item.text for item in history.find_all("li")]
    assert len(entries) == 3
    assert "作成" in entries[0] and "窓口 花子" in entries[0] and ADDRESS in entries[0]
    assert "提出（下書き → 提出済み）" in entries[1] and "窓口 花子" in entries[1]
    assert "閲覧" in entries[2] and "市民 課長" in entries[2] and "192.0.2.99" in entries[2]
    assert all("令和" in entry for entry in entries)


def test_the_reporter_sees_the_history_of_their_own_draft(client, users, report_data):
    client.force_login(users["staff"])
    client.post("/reports/new/", report_data(action="save"), REMOTE_ADDR=ADDRESS)
    report = IncidentReport.objects.get()

    page = Page(client.get(f"/reports/{report.pk}/").content)

    actions = [item.find("strong").text for item in page.by_id("history").find_all("li")]
    assert actions == ["作成"]
    assert "閲覧 1 件は折りたたんでいます" in page.by_id("history-reads").text
