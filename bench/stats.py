"""The dashboard (/stats/) on the bench database: ``python -m bench.stats``.

Fill the database first (``python -m bench.generate --reports 100000 --seed 1``; migrate it after a
pull). Prints the machine, then one line per page: median and p90 over ``--n`` requests, SQL
queries per request, and the median as a multiple of the minimal logged-in page measured in the
same run (``--rounds``: as in ``bench.queue``). The target of the issue: the desk's dashboard for a
whole 年度 ≤ 150 ms, with a number of queries that does not depend on the data size — run it on
``kasuhara_bench`` (100,000 cases) and ``kasuhara_bench_small`` (10,000) and compare the column.

The pages are measured as people meet them: the numbers kept under the data's fingerprint
(``stats/changes.py``) while nothing was written. The "after a change" lines measure the other
case, each request right after a committed write to a table the dashboard reads (a statement that
changes no row still changes the fingerprint), so every request reads the cases again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench import harness


def pages() -> list[tuple[str, str, str, int | None]]:
    from django.utils import timezone

    from kasuhara.figures import fiscal_year_of

    last = fiscal_year_of(timezone.localdate()) - 1  # the last whole 年度 of the data
    return [
        (f"stats desk 年度 {last} (whole city)", "desk", f"/stats/?year={last}", 150),
        ("stats desk current 年度", "desk", "/stats/", 150),
        (f"stats desk {last} 4–9月 窓口", "desk", f"/stats/?year={last}&month_from=4&month_to=9&channel=counter", None),
        (f"stats chief {last} (市民課)", "chief", f"/stats/?year={last}", None),
        (f"stats director {last} (部)", "director", f"/stats/?year={last}", None),
    ]


def measure_after_change(username: str, url: str, n: int) -> tuple[float, float, int]:
    """Median and p90 (ms) of ``n`` requests each made right after a write that changes the
    dashboard's fingerprint, and the queries of one such request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def touch() -> None:
        with connection.cursor() as cursor:  # autocommit: committed at once
            cursor.execute("UPDATE organization_closingday SET month = month WHERE false")

    client = harness.client_for(username)
    touch()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)
    times = []
    for _ in range(n):
        touch()
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[min(n - 1, int(round(0.9 * (n - 1))))], queries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="timed requests per page and round (default 20)")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    parser.add_argument("--rounds", type=int, default=1, help="as in bench.queue (default 1)")
    args = parser.parse_args(argv)

    harness.print_machine()
    from django.db import connection

    from incidents.models import IncidentReport

    print(f"  database: {connection.settings_dict['NAME']}, reports: {IncidentReport.objects.count():,}")
    print()
    listed = pages()
    chosen = [(label, user, url) for label, user, url, _t in listed if not args.only or args.only in label]
    targets = {label: target for label, _u, _url, target in listed}
    results, ratios = harness.measure_rounds(chosen, args.n, max(1, args.rounds))
    harness.print_ratio_table(results, ratios)
    print(f"     load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (at the end)")
    print()
    print()
    print("after a change (each request right after a write to a table the dashboard reads):")
    for label, user, url in chosen:
        median, p90, queries = measure_after_change(user, url, max(5, args.n // 2))
        print(f"  {label}: median {median:.1f} ms, p90 {p90:.1f} ms, {queries} queries")
    print()
    for r in results[1:]:
        target = targets.get(r.label)
        if target is not None:
            print(f"target {r.label}: ≤ {target} ms → {r.median_ms:.1f} ms {'ok' if r.median_ms <= target else 'OVER'}"
                  f" ({r.queries} queries)")


if __name__ == "__main__":
    main()
