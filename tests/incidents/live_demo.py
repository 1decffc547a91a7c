"""A live record of the demo's ``staff`` for the accessibility check (``tests/e2e/pages.py``): made
the first time it is asked for, through the live recorder's own service, as the browser would send
it — a 暴言型 incident of 25 minutes an hour ago, ended and not yet made into a report."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

#: The demo record's id (made by "the browser").
RECORD = uuid.UUID("5f0c7a52-1d1e-4c38-9b71-2e8f3a6d4c10")
TAPS = (("judged", 0), ("warning", 3), ("recording", 4), ("warning", 8), ("exit_request", 12),
        ("exit_request", 16), ("note", 18), ("exit_request", 20), ("police", 22), ("ended", 25))


def record_id() -> str:
    from incidents import live, live_services
    from incidents.models import LiveRecord
    from organization.models import User

    staff = User.objects.get(username="staff")
    if not LiveRecord.objects.filter(owner=staff, client_id=RECORD).exists():
        start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
        ops = [live.StepOp(id=uuid.uuid4(), kind=kind, at=start + timedelta(minutes=minutes),
                           note="相手がカウンターを強く叩いた" if kind == "note" else "")
               for kind, minutes in TAPS]
        live_services.sync(owner=staff, request=live.SyncRequest(record=RECORD, type_code="verbal_abuse", ops=ops))
    return str(RECORD)
