"""The demo has a request of each kind, made through the services: a 法律相談依頼 whose date and lawyer
are set, and a 庁舎管理 request that 契約管財課 (the demo's building 課) has still to answer."""

from __future__ import annotations

from django.core.management import call_command

from notifications.kinds import Kind
from notifications.models import Notice
from support.models import BuildingRequest, BuildingState, LegalRequest, LegalState, SupportEvent


def test_the_demo_has_a_request_of_each_kind_and_running_it_twice_changes_nothing(db, settings, client):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)

    legal = LegalRequest.objects.get()
    assert (legal.report.title, legal.state, legal.requested_by.username) == ("書類を投げつけられた", LegalState.ARRANGED, "desk")
    building = BuildingRequest.objects.get()
    assert (building.report.title, building.state, building.requested_by.username) == (
        "窓口での長時間の居座り", BuildingState.REQUESTED, "chief")
    assert Notice.objects.filter(kind=Kind.BUILDING_REQUEST, recipient__username="kanzai").exists()
    assert Notice.objects.filter(kind=Kind.LEGAL_REQUEST, recipient__username="gachief").exists()

    counts = (LegalRequest.objects.count(), BuildingRequest.objects.count(), SupportEvent.objects.count())
    call_command("load_demo", stdout=None)
    assert (LegalRequest.objects.count(), BuildingRequest.objects.count(), SupportEvent.objects.count()) == counts

    assert client.post("/accounts/login/", {"username": "kanzai", "password": "kasuhara-demo"}).status_code == 302
    assert client.get(f"/support/building/{building.pk}/").status_code == 200
