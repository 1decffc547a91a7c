"""Who hears of a 相談 (through ``notifications``): a new one reaches the 相談窓口, and the author's
所属長 only when the author chose to share it (a private consultation reaches nobody else); an
answer reaches the author."""

from __future__ import annotations

from django.db.models import F

from notifications.kinds import Kind
from notifications.outbox import fan_out, null_int, section_columns

from .models import Consultation


def created(*, consultation: Consultation, actor) -> list[int]:
    shared = consultation.share_with_supervisors
    rows = Consultation.objects.filter(pk=consultation.pk).annotate(
        **(section_columns() if shared else {"n_section": null_int(), "n_department": null_int()}),
    )
    return fan_out(Kind.CONSULTATION_CREATED, rows, key=str(consultation.pk), actor=actor,
                   params={"consultation": consultation.pk})


def answered(*, consultation: Consultation, actor) -> list[int]:
    rows = Consultation.objects.filter(pk=consultation.pk).annotate(n_person=F("author_id"))
    return fan_out(Kind.CONSULTATION_ANSWERED, rows, key=f"{consultation.pk}@{consultation.answered_at.isoformat()}",
                   actor=actor, params={"consultation": consultation.pk})
