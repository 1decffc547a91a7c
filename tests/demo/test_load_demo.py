"""`make run` shows a living product: the demo loader fills every state of the lifecycle, a repeat
counterpart, consultations and notes, through the real services — and running it twice changes
nothing; it refuses to run where the demo is switched off."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from consultations.models import Consultation
from counterparts.models import Counterpart
from incidents.lifecycle import Status
from incidents.models import CaseNote, IncidentReport, ReportEvent


def test_the_demo_has_a_case_in_every_state_and_a_living_queue(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)

    # Every state but 削除済み: a discarded draft is nobody's to see, so the demo has none.
    assert set(IncidentReport.objects.values_list("status", flat=True)) == set(Status.values) - {Status.DISCARDED}
    repeat = Counterpart.objects.get(name="山田 太郎")
    assert repeat.links.count() == 3
    assert Consultation.objects.count() == 2
    assert CaseNote.objects.exists()
    # Every state was reached through moves, so the history says how.
    referred = IncidentReport.objects.get(status=Status.REFERRED)
    assert list(ReportEvent.objects.filter(report=referred).exclude(to_status="").values_list("to_status", flat=True)) == [
        "draft", "submitted", "confirmed", "accepted", "in_progress", "referred"]
    assert IncidentReport.objects.exclude(search_text="").count() == IncidentReport.objects.count()

    counts = (IncidentReport.objects.count(), ReportEvent.objects.count(), Counterpart.objects.count(),
              Consultation.objects.count())
    call_command("load_demo", stdout=None)
    assert (IncidentReport.objects.count(), ReportEvent.objects.count(), Counterpart.objects.count(),
            Consultation.objects.count()) == counts


def test_the_demo_loader_refuses_to_run_when_the_demo_is_off(db, settings):
    settings.KASUHARA_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not IncidentReport.objects.exists()
