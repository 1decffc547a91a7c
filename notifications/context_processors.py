"""The unread count in every page's header (one cheap query, only for a signed-in user)."""

from django.conf import settings
from django.http import HttpRequest

from .selectors import unread_count


def inbox(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": unread_count(user), "inbox_poll_seconds": settings.KASUHARA_INBOX_POLL_SECONDS}
