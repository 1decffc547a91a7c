"""Who hears of the care records (through ``notifications``): the 保健室 when a staff member's
consent to a referral starts (never before: a proposal, a refusal or a withdrawal reaches nobody);
the 相談窓口 when a check-in falls due (``care.sweeps``). A notice names the referral or the case
by its number only."""

from __future__ import annotations

from notifications.kinds import Kind
from notifications.outbox import fan_out

from .models import Referral


def referral_consented(*, referral: Referral, actor) -> list[int]:
    """Each start of a consent is one notice per 保健師 (a consent given again after a withdrawal
    tells them again; a change of the parts shared does not)."""
    rows = Referral.objects.filter(pk=referral.pk)
    return fan_out(Kind.CARE_REFERRAL, rows, key=f"{referral.pk}@{referral.consented_at.isoformat()}", actor=actor,
                   params={"referral": referral.pk})
