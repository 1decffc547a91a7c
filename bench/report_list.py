"""The report list and the home page on the bench database: ``python -m bench.report_list``.

Fill the database first (``python -m bench.generate --reports 100000 --seed 1``). Prints the
machine, then one line per page: median and p90 over ``--n`` requests, SQL queries per request,
and the median as a multiple of the minimal logged-in page measured in the same run.
"""

from __future__ import annotations

import argparse

from bench import harness

#: (label, user, address)
PAGES = [
    ("visible desk", "desk", "/reports/?scope=visible"),
    ("visible desk page 2", "desk", "/reports/?scope=visible&page=2"),
    ("visible desk page 1000", "desk", "/reports/?scope=visible&page=1000"),
    ("visible desk page 2000", "desk", "/reports/?scope=visible&page=2000"),
    ("visible chief", "chief", "/reports/?scope=visible"),
    ("visible director", "director", "/reports/?scope=visible"),
    ("visible staff", "staff", "/reports/?scope=visible"),
    ("visible rare (worst case)", "rare", "/reports/?scope=visible"),
    ("mine staff", "staff", "/reports/"),
    ("home staff", "staff", "/"),
    ("home chief", "chief", "/"),
    ("home director", "director", "/"),
    ("home desk", "desk", "/"),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report_list", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    args = parser.parse_args(argv)

    harness.print_machine()
    from incidents.models import IncidentReport

    print(f"  reports: {IncidentReport.objects.count():,}")
    print()
    baseline = harness.measure(harness.client_for("desk"), harness.MINIMAL_URL, args.n, label="minimal page")
    results = [baseline]
    for label, username, url in PAGES:
        if args.only and args.only not in label:
            continue
        results.append(harness.measure(harness.client_for(username), url, args.n, label=label))
    harness.print_table(results, baseline)


if __name__ == "__main__":
    main()
