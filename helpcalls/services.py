"""Writes of the call for help. Each function is keyword-only, runs in one transaction, checks the
actor, and leaves a ``HelpCallEvent`` behind; the notices are written in the same transaction.

A user's calls are rate-limited (``KASUHARA_HELP_CALL_INTERVAL_SECONDS`` between two calls,
``KASUHARA_HELP_CALLS_PER_HOUR`` in any hour), so a stuck button cannot flood a 課: the caller's row is
locked while the limit is checked, so two presses at once make one call. A refused press is recorded
on the call that is still standing and raises ``RateLimited`` with a Japanese message.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import User

from . import notices, policies
from .models import EventAction, HelpAnswer, HelpCall, HelpCallEvent

if TYPE_CHECKING:
    from manual.models import HarassmentType

PLACE_MAX = HelpCall._meta.get_field("place").max_length


class RateLimited(Exception):
    """A call refused by the rate limit: ``message`` for the caller, ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def record_event(*, call: HelpCall, actor: User | None, action: str, ip_address: str | None = None,
                 detail: dict | None = None) -> HelpCallEvent:
    return HelpCallEvent.objects.create(call=call, actor=actor, action=action, ip_address=ip_address,
                                        detail=detail or {})


def record_view(*, call: HelpCall, actor: User, ip_address: str | None) -> None:
    """Every view of a call's page is an audit event."""
    record_event(call=call, actor=actor, action=EventAction.VIEWED, ip_address=ip_address)


def default_place(user: User) -> str:
    """The place a call names when none is typed: the caller's 課."""
    return user.section.name if user.section_id else ""


def _refusal(recent: list[datetime], now: datetime) -> tuple[str, int] | None:
    """Why a call now is refused, given the caller's calls of the last hour (newest first), or None."""
    interval = settings.KASUHARA_HELP_CALL_INTERVAL_SECONDS
    per_hour = settings.KASUHARA_HELP_CALLS_PER_HOUR
    if recent and interval > 0 and now - recent[0] < timedelta(seconds=interval):
        wait = math.ceil(interval - (now - recent[0]).total_seconds())
        return (_("応援要請は %(interval)d 秒に1回までです。さきほどの要請は届いています。"
                  "あと %(wait)d 秒たってから、もう一度押してください。") % {"interval": interval, "wait": wait}, wait)
    if per_hour > 0 and len(recent) >= per_hour:
        free_at = recent[per_hour - 1] + timedelta(hours=1)
        wait = max(1, math.ceil((free_at - now).total_seconds()))
        return (_("応援要請は1時間に %(n)d 回までです。これまでの要請は届いています。"
                  "%(time)s 以降にもう一度押せます。急ぐときは電話や内線で連絡してください。")
                % {"n": per_hour, "time": f"{timezone.localtime(free_at):%H:%M}"}, wait)
    return None


def call_for_help(*, caller: User, place: str = "", harassment_type: HarassmentType | None = None,
                  ip_address: str | None = None, now: datetime | None = None) -> HelpCall:
    """Call the colleagues of the caller's 課 and its 所属長 (an urgent notice, by e-mail too)."""
    if not policies.can_call(caller):
        raise PermissionDenied
    place = " ".join((place or "").split()) or default_place(caller)
    if len(place) > PLACE_MAX:
        raise ValidationError(_("場所は %(n)d 文字以内で書いてください。") % {"n": PLACE_MAX})
    now = now or timezone.now()
    with transaction.atomic():
        # One caller's presses, one at a time (the row lock), so two at once make one call.
        list(User.objects.select_for_update().filter(pk=caller.pk).order_by().values_list("pk", flat=True))
        recent = list(HelpCall.objects.filter(caller=caller, created_at__gt=now - timedelta(hours=1))
                      .order_by("-created_at").values_list("pk", "created_at"))
        refusal = _refusal([at for _pk, at in recent], now)
        if refusal is None:
            call = HelpCall.objects.create(caller=caller, section_id=caller.section_id, place=place,
                                           harassment_type=harassment_type, created_at=now)
            record_event(call=call, actor=caller, action=EventAction.CALLED, ip_address=ip_address,
                         detail={"place": place, "type": harassment_type.code if harassment_type else ""})
            notices.called(call=call, actor=caller)
            return call
        message, wait = refusal
        # Kept (this transaction commits): the refused press is on the record of the standing call.
        record_event(call=HelpCall.objects.get(pk=recent[0][0]), actor=caller, action=EventAction.REFUSED,
                     ip_address=ip_address, detail={"place": place, "retry_after": wait})
    raise RateLimited(message, wait)


@transaction.atomic
def answer(*, call: HelpCall, responder: User, ip_address: str | None = None) -> tuple[HelpAnswer, bool]:
    """「向かいます」: recorded once per person (a second press returns the first answer, unchanged), and
    the caller is told. A closed or expired call is refused with a Japanese message."""
    call = HelpCall.objects.select_for_update().get(pk=call.pk)
    if not policies.can_answer(responder, call):
        raise PermissionDenied
    earlier = HelpAnswer.objects.filter(call=call, responder=responder).first()
    if earlier is not None:
        return earlier, False
    if not call.is_open():
        raise ValidationError(_("この応援要請はすでに終わっています（解決、または %(n)d 分が過ぎました）。")
                              % {"n": settings.KASUHARA_HELP_CALL_MINUTES})
    reply = HelpAnswer.objects.create(call=call, responder=responder)
    record_event(call=call, actor=responder, action=EventAction.ANSWERED, ip_address=ip_address)
    notices.answered(call=call, answer=reply)
    return reply, True


@transaction.atomic
def resolve(*, call: HelpCall, actor: User, ip_address: str | None = None) -> tuple[HelpCall, bool]:
    """解決: the call leaves every banner. Closing a closed call changes nothing."""
    call = HelpCall.objects.select_for_update().get(pk=call.pk)
    if not policies.can_resolve(actor, call):
        raise PermissionDenied
    if call.resolved_at is not None:
        return call, False
    call.resolved_at = timezone.now()
    call.resolved_by = actor
    call.save(update_fields=["resolved_at", "resolved_by"])
    record_event(call=call, actor=actor, action=EventAction.RESOLVED, ip_address=ip_address,
                 detail={"answers": call.answers.count()})
    return call, True
