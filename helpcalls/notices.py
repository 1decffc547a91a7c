"""The notices a call causes (through ``notifications``): 【至急】応援要請 to the 課's colleagues and its
所属長 (the admin's rule; urgent, so by e-mail too), and 「向かいます」 back to the caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from notifications.kinds import Kind
from notifications.outbox import fan_out, section_columns

from .models import HelpCall

if TYPE_CHECKING:
    from organization.models import User

    from .models import HelpAnswer


def call_rows(call_id: int):
    """The call as ``fan_out``'s rows: its 課 (colleagues, 所属長), its 部 (部長) and its caller."""
    return HelpCall.objects.filter(pk=call_id).annotate(
        **section_columns(), n_person=F("caller_id"),
    )


def called(*, call: HelpCall, actor: User) -> list[int]:
    params = {"call": call.pk, "place": call.place, "types": call.harassment_type.name if call.harassment_type else ""}
    return fan_out(Kind.HELP_CALL, call_rows(call.pk), key=str(call.pk), params=params, actor=actor)


def answered(*, call: HelpCall, answer: HelpAnswer) -> list[int]:
    params = {"call": call.pk, "place": call.place, "responder": str(answer.responder)}
    return fan_out(Kind.HELP_ANSWERED, call_rows(call.pk), key=f"{call.pk}:{answer.responder_id}", params=params,
                   actor=answer.responder)
