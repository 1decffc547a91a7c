"""Fixtures of the notices tests: the incidents tests' reports and services, and a way to read
what the outbox holds."""

from __future__ import annotations

import pytest

from tests.committee.conftest import make_meeting  # noqa: F401
from tests.incidents.conftest import committed_db, make_report, postgres, redis_broker_url  # noqa: F401


@pytest.fixture
def notices():
    """``notices(kind=…)``: (recipient username, kind, urgent) of every notice, in a stable order."""
    from notifications.models import Notice

    def read(**filters):
        rows = Notice.objects.filter(**filters).order_by("kind", "recipient__username", "key")
        return [(n.recipient.username, n.kind, n.urgent) for n in rows.select_related("recipient")]

    return read
