"""Who may call for help, read a call, answer it and close it: the one place that decides.

- Anyone active who belongs to a 課 may call; the call goes to that 課.
- A call is read by its caller, by the members of its 課 and by whoever a notice of it was sent to
  (the admin may add the 部長 or the 相談窓口 to the rule): a notice never leads to a 404. Anyone
  else gets 404 and sees no banner.
- Anyone who may read an open call answers 「向かいます」, except its caller.
- The caller, or the 所属長 of the call's 課, closes it (解決).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from notifications.kinds import Kind
from notifications.selectors import was_notified

from .models import HelpCall

if TYPE_CHECKING:
    from organization.models import User


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_call(user: User) -> bool:
    return _active(user) and user.section_id is not None


def was_notified_of(user: User, call: HelpCall) -> bool:
    return was_notified(user, [Kind.HELP_CALL], "call", call.pk)


def can_view(user: User, call: HelpCall) -> bool:
    if not _active(user):
        return False
    if call.caller_id == user.pk or (user.section_id is not None and user.section_id == call.section_id):
        return True
    return was_notified_of(user, call)


def can_answer(user: User, call: HelpCall) -> bool:
    """Whether the page offers 「向かいます」 (an expired or closed call is refused by the service)."""
    return call.caller_id != user.pk and can_view(user, call)


def can_resolve(user: User, call: HelpCall) -> bool:
    if not _active(user):
        return False
    return call.caller_id == user.pk or call.section_id in user.chief_sections


def get_call_for_user(user: User, pk: int) -> HelpCall:
    """The call with ``pk`` if the user may read it; else 404 (whether or not it exists)."""
    call = HelpCall.objects.select_related("caller", "section__department", "harassment_type", "resolved_by") \
        .filter(pk=pk).first()
    if call is None or not can_view(user, call):
        raise Http404
    return call
