"""The 職員名簿 import on PostgreSQL: ``python -m bench.roster_import``.

Runs on a database of its own (DATABASE_URL, default ``kasuhara_roster_bench``: created and migrated
when missing) because each run starts from an organisation without the 名簿's 部, 課 and people and
removes them again afterwards. Per run, through ``organization.roster`` as the command and the admin
call it (``bench.roster``'s generated file, 15 部 / 76 課, UTF-8 with BOM):

- read: the CSV parsed and checked (no query);
- first import, dry run (read + plan) and apply (read + plan + write + commit);
- re-import of the same file, dry run and apply (no change: the plan is empty, nothing is written
  but the ``RosterImport`` record);
- the transfer file applied (~10% move, a 課 renamed, two merged), then the same less 5% (leavers).

Prints the machine, the median and the slowest of ``--runs`` runs per step, the SQL statements of
one run of each step, and each median as a multiple of the minimal logged-in page measured in the
same run (``/bench/minimal/``, 30 requests). Targets of issue 13: 2,000 staff ≤ 10 s, re-import ≤ 5 s.
"""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kasuhara_roster_bench")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from bench import harness  # noqa: E402 - configures Django (bench.settings) first
from bench.roster import leavers, roster, to_bytes, transfer  # noqa: E402

FIRST_TARGET_S, REIMPORT_TARGET_S = 10.0, 5.0


def prepare() -> None:
    from django.core.management import call_command

    from bench.generate import ensure_database

    ensure_database(reset=False)
    call_command("migrate", interactive=False, verbosity=0)


def clear() -> None:
    """Remove what an import made (this database holds nothing else of value)."""
    from django.db import connection

    from organization.models import Department, RoleEvent, RosterImport, Section, User

    # The role events name the users; an audit table (an applied import too) refuses DELETE.
    with connection.cursor() as cursor:
        for table in (RosterImport._meta.db_table, RoleEvent._meta.db_table):
            cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql"
                           else f"DELETE FROM {table}")  # noqa: S608 (a model's table name)
    User.objects.exclude(employee_number="").delete()
    Section.objects.update(successor=None, current=None)
    Section.objects.exclude(code="").delete()
    Department.objects.exclude(code="").delete()


def minimal_client():
    from django.test import Client

    from organization.models import User

    user, _created = User.objects.get_or_create(username="bench-minimal", defaults={"display_name": "計測 用"})
    client = Client()
    client.force_login(user)
    return client


def timed(step: Callable[[], object]) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - began
    return seconds, len(captured.captured_queries), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.roster_import", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000, help="staff in the file (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="runs; the median is reported (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    prepare()
    from organization import roster as importer

    harness.print_machine()
    base = roster(people=args.people, seed=args.seed)
    moved = transfer(base, seed=args.seed)
    files = {
        "base": to_bytes(base.rows),
        "transfer": to_bytes(moved.rows),
        "leavers": to_bytes(leavers(moved, seed=args.seed).rows),  # April's file less 5%
    }
    print(f"     file: {args.people:,} staff, {len(base.sections)} 課, {len(files['base']):,} bytes (UTF-8 with BOM)")
    print()

    def dry(name: str) -> Callable[[], object]:
        return lambda: importer.plan_import(importer.read_roster(files[name], f"{name}.csv"))

    def apply(name: str) -> Callable[[], object]:
        return lambda: importer.apply_import(data=files[name], actor=None, filename=f"{name}.csv")

    steps = [
        ("read + check (no query)", lambda: importer.read_roster(files["base"], "base.csv")),
        ("first import: dry run", dry("base")),
        ("first import: apply", apply("base")),
        ("re-import: dry run", dry("base")),
        ("re-import: apply (no change)", apply("base")),
        ("transfer file: apply", apply("transfer")),
        ("leaver file: apply", apply("leavers")),
    ]
    times: dict[str, list[float]] = {label: [] for label, _s in steps}
    queries: dict[str, int] = {}
    summaries: dict[str, dict] = {}
    baselines = []
    client = minimal_client()
    for _run in range(max(1, args.runs)):
        clear()
        baselines.append(harness.measure(client, harness.MINIMAL_URL, 30, label="minimal page").median_ms)
        for label, step in steps:
            seconds, count, result = timed(step)
            times[label].append(seconds)
            queries[label] = count
            counts = getattr(result, "counts", None)
            if counts is not None:
                summaries[label] = counts
    clear()

    baseline_ms = statistics.median(baselines)
    width = max(len(label) for label in times)
    print(f"{'step':<{width}}  {'median ms':>9}  {'max ms':>8}  {'queries':>7}  {'× minimal':>9}  changes")
    for label, values in times.items():
        median_ms = statistics.median(values) * 1000
        changes = ", ".join(f"{k} {v}" for k, v in summaries.get(label, {}).items()) if label in summaries else ""
        if label in summaries and not summaries[label]:
            changes = "none"
        print(f"{label:<{width}}  {median_ms:>9.1f}  {max(values) * 1000:>8.1f}  {queries[label]:>7}  "
              f"{median_ms / baseline_ms:>8.0f}x  {changes}")
    print(f"{'minimal page':<{width}}  {baseline_ms:>9.2f}  {'':>8}  {'':>7}  {1:>8}x")
    print(f"     load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (at the end); runs: {args.runs}")
    print()
    first = statistics.median(times["first import: apply"])
    again = statistics.median(times["re-import: apply (no change)"])
    print(f"target first import of {args.people:,} staff ≤ {FIRST_TARGET_S:.0f} s → {first:.2f} s "
          f"{'ok' if first <= FIRST_TARGET_S else 'OVER'}")
    print(f"target re-import ≤ {REIMPORT_TARGET_S:.0f} s → {again:.2f} s {'ok' if again <= REIMPORT_TARGET_S else 'OVER'}")


if __name__ == "__main__":
    main()
