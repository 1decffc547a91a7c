"""Every view of a counterpart and every change is an audit event; linking and unlinking also show in
the report's own history. Drafts are never linked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from counterparts import services
from counterparts.models import Counterpart, CounterpartEvent
from incidents.lifecycle import Status
from incidents.models import ReportEvent
from tests.incidents.html import Page


def actions(counterpart) -> list[str]:
    return list(CounterpartEvent.objects.filter(counterpart=counterpart).order_by("at", "id").values_list("action", flat=True))


def test_every_view_is_recorded_with_who_and_where(client_as, users, make_counterpart):
    counterpart = make_counterpart(name="山田太郎")
    client_as("member").get(f"/counterparts/{counterpart.pk}/", REMOTE_ADDR="10.1.2.3")
    client_as("desk").get(f"/counterparts/{counterpart.pk}/")
    views = CounterpartEvent.objects.filter(counterpart=counterpart, action="viewed").order_by("id")
    assert [(e.actor, e.ip_address) for e in views] == [(users["member"], "10.1.2.3"), (users["desk"], "127.0.0.1")]


def test_a_refused_view_is_not_recorded_as_a_view(client_as, make_counterpart):
    counterpart = make_counterpart(name="山田太郎")
    assert client_as("staff").get(f"/counterparts/{counterpart.pk}/").status_code == 404
    assert actions(counterpart) == []


def test_link_from_the_link_page_records_on_both_sides(client_as, users, make_report, make_counterpart):
    counterpart = make_counterpart(name="山田太郎")
    report = make_report(users["staff"], counterpart_name="山田　太郎")
    client = client_as("desk")
    page = Page(client.get(f"/counterparts/link/{report.pk}/").content)
    suggestion = page.by_id("suggestions").find("tr", **{"data-counterpart": str(counterpart.pk)})
    assert suggestion is not None and "山田太郎" in suggestion.text
    response = client.post(f"/counterparts/link/{report.pk}/", {"counterpart": counterpart.pk}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert list(counterpart.links.values_list("report_id", flat=True)) == [report.pk]
    event = CounterpartEvent.objects.get(counterpart=counterpart, action="linked")
    assert (event.actor, event.ip_address, event.detail["report"]) == (users["desk"], "10.9.9.9", report.pk)
    report_event = ReportEvent.objects.get(report=report, action="counterpart_linked")
    assert (report_event.actor, report_event.detail["counterpart"]) == (users["desk"], counterpart.pk)
    # Linking the same report again changes nothing and records nothing new.
    client.post(f"/counterparts/link/{report.pk}/", {"counterpart": counterpart.pk})
    assert counterpart.links.count() == 1
    assert ReportEvent.objects.filter(report=report, action="counterpart_linked").count() == 1


def test_unlink_asks_for_a_reason_and_records_it_on_both_sides(client_as, users, make_report, make_counterpart, link):
    counterpart = make_counterpart(name="山田太郎")
    report = make_report(users["staff"])
    link(counterpart, report)
    client = client_as("desk")
    url = f"/counterparts/{counterpart.pk}/unlink/{report.pk}/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "理由を入力してください" in Page(refused.content).error_for("reason")
    assert counterpart.links.count() == 1
    assert client.post(url, {"reason": "別人と判明"}).status_code == 302
    assert not counterpart.links.exists()
    assert CounterpartEvent.objects.get(counterpart=counterpart, action="unlinked").detail["reason"] == "別人と判明"
    report_event = ReportEvent.objects.get(report=report, action="counterpart_unlinked")
    assert (report_event.actor, report_event.reason) == (users["desk"], "別人と判明")
    assert client.get(url).status_code == 404  # nothing left to unlink


def test_create_from_report_prefills_registers_and_links(client_as, users, make_report):
    report = make_report(
        users["staff"], counterpart_name="鈴木 一郎", counterpart_contact="港区芝1-2-3 TEL 03-1234-5678",
        counterpart_sex="male", counterpart_age_band="60s", counterpart_relation="申請者本人",
        counterpart_description="灰色の帽子",
    )
    client = client_as("desk")
    page = Page(client.get(f"/counterparts/new/{report.pk}/").content)
    data = {k: v[0] for k, v in page.form_data("counterpart-form").items()}
    assert (data["name"], data["phone"], data["address"]) == ("鈴木 一郎", "03-1234-5678", "港区芝1-2-3")
    assert (data["sex"], data["age_band"], data["relation"]) == ("male", "60s", "申請者本人")
    response = client.post(f"/counterparts/new/{report.pk}/", data)
    assert response.status_code == 302
    counterpart = Counterpart.objects.get()
    assert response["Location"] == f"/counterparts/{counterpart.pk}/"
    assert counterpart.description == "灰色の帽子"
    assert actions(counterpart) == ["created", "linked"]
    assert ReportEvent.objects.filter(report=report, action="counterpart_linked").exists()


def test_create_needs_something_to_match_on(client_as, users, make_report):
    report = make_report(users["staff"])
    response = client_as("desk").post(f"/counterparts/new/{report.pk}/", {"name": "", "phone": "", "address": ""})
    assert response.status_code == 400
    assert "少なくとも一つを入力" in response.content.decode()
    assert not Counterpart.objects.exists()


def test_drafts_cannot_be_linked(client_as, users, make_report, make_counterpart):
    counterpart = make_counterpart(name="山田太郎")
    draft = make_report(users["desk"], status=Status.DRAFT)  # the desk's own draft: readable to it
    client = client_as("desk")
    assert client.get(f"/counterparts/link/{draft.pk}/").status_code == 404
    assert client.post(f"/counterparts/link/{draft.pk}/", {"counterpart": counterpart.pk}).status_code == 404
    assert client.post(f"/counterparts/new/{draft.pk}/", {"name": "新規"}).status_code == 404
    with pytest.raises(ValidationError):
        services.link_report(actor=users["desk"], counterpart=counterpart, report=draft, ip_address=None)
    assert not counterpart.links.exists()
    assert not ReportEvent.objects.filter(report=draft, action="counterpart_linked").exists()


def test_edit_and_measures_are_recorded(client_as, users, make_counterpart):
    counterpart = make_counterpart(name="山田太郎")
    client = client_as("desk")
    client.post(f"/counterparts/{counterpart.pk}/edit/", {"name": "山田太郎", "phone": "0312345678"})
    edited = CounterpartEvent.objects.get(counterpart=counterpart, action="edited")
    assert edited.detail == {"fields": ["phone"]}
    today = timezone.localdate()
    client.post(f"/counterparts/{counterpart.pk}/measures/new/", {
        "kind": "warning_letter", "decided_by": "総務課長", "decided_on": today - timedelta(days=30),
        "starts_on": today - timedelta(days=30),
    })
    measure = counterpart.measures.get()
    client.post(f"/counterparts/{counterpart.pk}/measures/{measure.pk}/end/", {"ended_on": today, "reason": "完了"})
    assert actions(counterpart)[-2:] == ["measure_added", "measure_ended"]
    history = Page(client.get(f"/counterparts/{counterpart.pk}/").content).by_id("history").text
    assert "措置を終了" in history and "編集" in history
