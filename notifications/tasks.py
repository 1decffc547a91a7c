"""Celery tasks: deliver notices, re-enqueue the ones whose task was lost, and run the sweeps that
find due escalations and reminders (every few minutes under beat; see ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from . import services
from .services import Delivery

log = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.deliver_notices", acks_late=True)
def deliver_notices(ids: list[int]) -> dict[str, int]:
    """Deliver each notice once (``services.deliver_batch`` claims them first). A notice that failed and
    may be retried is sent to the broker again with its back-off as countdown; if that fails too,
    ``requeue_pending`` finds it."""
    from .outbox import enqueue_later

    counts: dict[str, int] = {}
    for notice_id, result in services.deliver_batch(ids).items():
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if result.outcome == Delivery.RETRY:
            enqueue_later(notice_id, result.retry_in)
    return counts


@shared_task(name="notifications.tasks.requeue_pending")
def requeue_pending() -> int:
    """Send again to the broker the notices nobody has delivered: written while the broker was down,
    or claimed by a worker that died. Two runs at once send nothing twice (the claim decides)."""
    from .outbox import enqueue

    ids = services.due_for_requeue()
    if ids:
        enqueue(ids)
    return len(ids)


@shared_task(name="notifications.tasks.sweep")
def sweep() -> dict[str, int]:
    """Run every sweep of ``KASUHARA_NOTICE_SWEEPS`` (unaccepted reports, meeting reminders, overdue
    measures); each writes its notices with set-based inserts and is safe to run twice at once."""
    written = {}
    for path in settings.KASUHARA_NOTICE_SWEEPS:
        written[path] = import_string(path)()
    return written
