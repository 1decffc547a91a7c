"""Who may do what with notices: a notice is its recipient's alone (anyone else gets 404)."""

from __future__ import annotations


def can_use_inbox(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user, notice) -> bool:
    return can_use_inbox(user) and notice.recipient_id == user.pk
