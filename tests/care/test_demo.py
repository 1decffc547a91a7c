"""The demo shows care at work: a 保健師 (``nurse``), one referral ``staff`` consented to, and one
check-in that is due (in the 相談窓口's queue and お知らせ); running the loader twice changes nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from care.models import CareEvent, CheckIn, Referral
from notifications.kinds import Kind
from notifications.models import Notice
from organization.models import User


def test_the_demo_has_a_consented_referral_and_a_due_check_in(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)

    nurse = User.objects.get(username="nurse")
    assert nurse.is_health_office and nurse.section.name == "人事課"
    referral = Referral.objects.get()
    assert referral.state == "consented" and referral.person.username == "staff"
    due = CheckIn.objects.filter(due_on__lte=timezone.localdate(), done_at__isnull=True)
    assert due.count() == 1
    assert Notice.objects.filter(kind=Kind.CARE_REFERRAL, recipient=nurse).count() == 1
    assert Notice.objects.filter(kind=Kind.CARE_CHECKIN_DUE, params__checkin=due.get().pk).exists()

    client = Client()
    client.force_login(User.objects.get(username="desk"))
    assert f"/care/checkins/{due.get().pk}/" in client.get("/queue/").content.decode()

    counts = (Referral.objects.count(), CheckIn.objects.count(), CareEvent.objects.count())
    call_command("load_demo", stdout=None)
    assert (Referral.objects.count(), CheckIn.objects.count(), CareEvent.objects.count()) == counts
