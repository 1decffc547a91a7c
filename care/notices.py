"""Who hears of the care records (through ``notifications``): the staff member when the 相談窓口
proposes a referral (the notice leads to their own consent page); the 保健室 when a staff member's
consent starts (never before: a proposal, a refusal or a withdrawal reaches no 保健師); the
相談窓口 when the staff member answers (consents, declines, withdraws), and when a check-in falls
due (``care.sweeps``). A notice names the referral or the case by its number only."""

from __future__ import annotations

from django.db.models import F

from notifications.kinds import Kind
from notifications.outbox import fan_out

from .models import Referral


def referral_consented(*, referral: Referral, actor) -> list[int]:
    """Each start of a consent is one notice per 保健師 (a consent given again after a withdrawal
    tells them again; a change of the parts shared does not)."""
    rows = Referral.objects.filter(pk=referral.pk)
    return fan_out(Kind.CARE_REFERRAL, rows, key=f"{referral.pk}@{referral.consented_at.isoformat()}", actor=actor,
                   params={"referral": referral.pk})


def referral_proposed(*, referral: Referral, actor) -> list[int]:
    rows = Referral.objects.filter(pk=referral.pk).annotate(n_person=F("person_id"))
    return fan_out(Kind.CARE_REFERRAL_PROPOSED, rows, key=str(referral.pk), actor=actor,
                   params={"referral": referral.pk})


def referral_answered(*, referral: Referral, actor, answer: str, at) -> list[int]:
    """One notice per answer (consented, declined, withdrawn) at the moment it was given."""
    rows = Referral.objects.filter(pk=referral.pk)
    return fan_out(Kind.CARE_REFERRAL_ANSWERED, rows, key=f"{referral.pk}:{answer}@{at.isoformat()}",
                   actor=actor, params={"referral": referral.pk, "answer": answer})
