from __future__ import annotations

from celery import shared_task

from . import changes


@shared_task(name="stats.tasks.compact_changes")
def compact_changes() -> int:
    """Fold the dashboard's change log into one row (``stats/changes.py``)."""
    return changes.compact()
