"""When the dashboard's numbers may have changed, known without counting anything.

The dashboard reads some 70,000 cases for a whole 年度 and its previous one (about 0.5 s on the
100,000-case data set, two cores); its numbers change only when one of the tables it reads is
written. So PostgreSQL keeps a change log (``DataChange``, migration ``stats.0002``): a statement
trigger on each table in ``TRACKED`` inserts one row per writing statement, in the writer's own
transaction, and the log's (count, highest id) is the **fingerprint** of the data as a reader's
snapshot sees it. ``selectors.read`` keeps its result under that fingerprint (with the scope, the
filters, today and the small-count threshold): an unchanged database answers from the cache, and
any committed write makes a new fingerprint, so nothing stale is ever shown, in any process —
the cache needs no message to be emptied, only keys that change.

Why (count, highest id) and not the highest id alone: ids come from a sequence, so a transaction
holding id 10 may commit after another's id 11 — the highest id stays 11, but the count grows.
``compact`` (hourly, ``stats.tasks.compact_changes``) deletes the rows its snapshot sees and
inserts one new row in the same transaction: the highest id is then new, so a fingerprint after a
compaction never equals one before it. The triggers only insert, so writers never wait for each
other. On SQLite (the demo) there is no trigger: ``fingerprint`` is None and nothing is cached.
"""

from __future__ import annotations

from django.db import connection, transaction

#: The tables the dashboard's numbers are read from (the migration puts a trigger on each).
TRACKED = (
    "incidents_incidentreport",
    "incidents_incidentreport_harassment_types",
    "counterparts_counterpartlink",
    "consultations_consultation",
    "committee_decision",
    "committee_measure",
    "organization_closingday",
)


def maintained() -> bool:
    return connection.vendor == "postgresql"


def fingerprint() -> tuple[int, int] | None:
    """(rows, highest id) of the change log as this transaction sees it; None where not kept."""
    if not maintained():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM stats_datachange")
        count, highest = cursor.fetchone()
    return int(count), int(highest)


def compact() -> int:
    """Fold the log into one new row (see the module's docstring); returns the rows deleted."""
    if not maintained():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_datachange")
        deleted = cursor.rowcount
        cursor.execute("INSERT INTO stats_datachange DEFAULT VALUES")
    return deleted
