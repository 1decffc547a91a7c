"""Who may read the audit trail: the 監査 role only (the 管理者 too only if they hold it)."""

from __future__ import annotations

from organization.models import User


def may_audit(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_auditor", False))
