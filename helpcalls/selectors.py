"""Reads of the call for help: the open calls a user's banner shows, and a call's page."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from notifications.kinds import Kind
from notifications.selectors import notified_ids

from .models import EventAction, HelpAnswer, HelpCall, open_since

if TYPE_CHECKING:
    from organization.models import User

#: At most this many calls are shown in the banner (the newest).
BANNER_LIMIT = 3


def _answers() -> Prefetch:
    return Prefetch("answers", queryset=HelpAnswer.objects.select_related("responder"))


def banner_calls(user: User, *, now: datetime | None = None) -> tuple[list[HelpCall], list[HelpCall]]:
    """(calls to answer, the user's own calls): the open calls the user was sent a notice of, and
    the user's own open calls, newest first, with their answers. One query for the calls (the
    notices are a subquery over the user's newest notices) and one for their answers."""
    since = open_since(now)
    notified = notified_ids(user, [Kind.HELP_CALL], "call", since=since)
    calls = list(
        HelpCall.objects.filter(resolved_at__isnull=True, created_at__gte=since)
        .filter(Q(caller=user) | Q(pk__in=notified))
        .select_related("caller", "section", "harassment_type")
        .prefetch_related(_answers())
        .order_by("-created_at", "-id")[:20]
    )
    incoming = [c for c in calls if c.caller_id != user.pk][:BANNER_LIMIT]
    mine = [c for c in calls if c.caller_id == user.pk][:BANNER_LIMIT]
    return incoming, mine


def answers(call: HelpCall) -> QuerySet[HelpAnswer]:
    return call.answers.select_related("responder")


def history(call: HelpCall) -> tuple[list, int]:
    """The call's changes (made, refused presses, answers, 解決) and how many views were recorded."""
    events = list(call.events.exclude(action=EventAction.VIEWED).select_related("actor"))
    return events, call.events.filter(action=EventAction.VIEWED).count()
