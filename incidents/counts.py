"""How many reports there are per 状態 × 難易度, read from the count table PostgreSQL keeps.

Counting the 相談窓口's queue (every submitted report: ~98,000 in ten years of a large city) is an
index scan over every row on each page load. PostgreSQL instead keeps ``ReportCount`` (per 状態 ×
難易度) with statement triggers on the report table (migration ``0009_reportcount``): an INSERT,
UPDATE, DELETE or COPY of reports adds, in the same transaction, one row of +k or −k for each key
whose number of reports it changed. So the sum over the table is exact for whoever reads it, at
once and across processes: a transaction sees its own changes and every committed one, as it
would by counting the reports. The triggers only insert rows (never update one), so two writers
never wait for each other and cannot deadlock over a count; ``compact`` folds the rows of each
key into one (hourly, ``incidents.tasks.compact_report_counts``), which changes no sum; ``recount``
counts the reports again, for after reports were written with the triggers off.

Only the 相談窓口's queue is counted here: every report but the unsubmitted ones
(``policies.queue_reports``), optionally of some 難易度 (``incidents/queue.py`` decides when). On
SQLite there is no trigger (``maintained()`` is False) and the queue counts the reports.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction

from .lifecycle import UNSUBMITTED


def maintained() -> bool:
    """Whether the count table is kept by the database (PostgreSQL, from migration 0009 on)."""
    return connection.vendor == "postgresql"


#: The submitted reports' counts, of some 難易度 when given (NULL: any): a few dozen rows.
SUBMITTED_COUNTS = """
SELECT status, difficulty, sum(n) FROM incidents_reportcount
WHERE status <> ALL(%(unsubmitted)s) AND (%(difficulties)s::text[] IS NULL OR difficulty = ANY(%(difficulties)s))
GROUP BY status, difficulty HAVING sum(n) <> 0
"""


def submitted_counts(*, difficulties: Collection[str] = ()) -> list[tuple[str, str, int]]:
    """(状態, 難易度, how many) of the submitted reports — the 相談窓口's queue — optionally only of
    some 難易度, in one query over a few dozen rows. Keys without reports are left out. (Plain SQL,
    as the triggers: the table is PostgreSQL's alone, and the ORM would spend longer writing this
    query than the database answering it.)"""
    with connection.cursor() as cursor:
        cursor.execute(SUBMITTED_COUNTS, {"unsubmitted": sorted(UNSUBMITTED), "difficulties": sorted(difficulties) or None})
        return [(status, difficulty, int(total)) for status, difficulty, total in cursor.fetchall()]


COMPACT = """
WITH folded AS (DELETE FROM incidents_reportcount RETURNING status, difficulty, n)
INSERT INTO incidents_reportcount (status, difficulty, n)
SELECT status, difficulty, sum(n) FROM folded GROUP BY 1, 2 HAVING sum(n) <> 0
"""


def compact() -> int:
    """Fold the rows of each key into one (and drop keys that sum to 0); returns the rows left.

    One statement: it deletes the rows its snapshot sees and inserts their sums, so a count written
    meanwhile by another transaction (not in the snapshot) stays as it is, and a second compaction
    running at the same time skips the rows the first deleted: every sum stays the same."""
    if not maintained():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(COMPACT)
        return cursor.rowcount


def recount() -> int:
    """Count the reports again into the table (after reports were written with the triggers off,
    e.g. a data-only restore with ``--disable-triggers``); returns the rows written. Writers of
    reports wait meanwhile (a SHARE lock until the end of the transaction), so nothing is missed."""
    if not maintained():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE incidents_incidentreport IN SHARE MODE")
        cursor.execute("DELETE FROM incidents_reportcount")
        cursor.execute(
            "INSERT INTO incidents_reportcount (status, difficulty, n) "
            "SELECT status, difficulty, count(*) FROM incidents_incidentreport GROUP BY 1, 2"
        )
        return cursor.rowcount
