"""The one write of the audit viewer: recording that an auditor searched or exported."""

from __future__ import annotations

from organization.models import User

from .models import AuditViewEvent


def record_view(*, actor: User, action: str, filters: dict, row_count: int,
                ip_address: str | None = None) -> AuditViewEvent:
    return AuditViewEvent.objects.create(actor=actor, action=action, detail={"filters": filters},
                                         row_count=row_count, ip_address=ip_address)
