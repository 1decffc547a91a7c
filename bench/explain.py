"""EXPLAIN ANALYZE of the report queries one page sends: ``python -m bench.explain desk``.

    python -m bench.explain desk                                # /reports/?scope=visible as desk
    python -m bench.explain chief --url "/reports/?scope=visible&page=50"
    python -m bench.explain staff --url / --all                 # every query, not only the reports'

Requests the page once as the user, captures its SQL, and runs each query on the reports table
again under ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

from __future__ import annotations

import argparse

from django.db import connection

from bench import harness


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.split("\n")[0])
    parser.add_argument("user", help="username, e.g. desk, chief, director, staff")
    parser.add_argument("--url", default="/reports/?scope=visible")
    parser.add_argument("--all", action="store_true", help="explain every SELECT, not only the reports'")
    args = parser.parse_args(argv)

    queries = harness.captured_queries(harness.client_for(args.user), args.url)
    with connection.cursor() as cursor:
        for number, sql in enumerate(queries, 1):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if not args.all and "incidents_incidentreport" not in sql:
                continue
            print(f"-- query {number} of {len(queries)}")
            print(sql)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n".join(row[0] for row in cursor.fetchall()))
            print()


if __name__ == "__main__":
    main()
