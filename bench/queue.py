"""The 相談窓口's queue (/queue/) on the bench database: ``python -m bench.queue``.

Fill the database first (``python -m bench.generate --reports 100000 --seed 1``). Prints the
machine, then one line per page: median and p90 over ``--n`` requests, SQL queries per request,
and the median as a multiple of the minimal logged-in page measured in the same run. With
``--rounds R`` the minimal page and the pages are measured R times in turn and every figure is the
median over the rounds (each ratio taken within its round): on a shared machine whose load comes
and goes, one pass can catch the minimal page quiet and a page busy.
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import quote

from bench import harness

TWO = quote("暴言")
THREE = quote("土下座")

#: (label, user, address, target ms or None)
PAGES = [
    ("queue desk (受付待ち)", "desk", "/queue/", 50),
    ("queue desk two filters", "desk", "/queue/?tab=all&channel=phone&difficulty=hard", None),
    ("queue desk search 2 chars 暴言", "desk", f"/queue/?tab=all&q={TWO}", 300),
    ("queue desk search 3 chars 土下座", "desk", f"/queue/?tab=all&q={THREE}", None),
    ("queue desk page 1000 (すべて)", "desk", "/queue/?tab=all&page=1000", 150),
    ("queue desk urgent first", "desk", "/queue/?tab=waiting&sort=urgent", None),
    ("queue chief (市民課)", "chief", "/queue/", 100),
    ("queue director (部, 困難)", "director", "/queue/", 100),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.queue", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="timed requests per page and round (default 30)")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure the minimal page and the pages this many times in turn; each ratio is the "
                             "median of the rounds' ratios (fairer when the machine's load changes; default 1)")
    args = parser.parse_args(argv)

    harness.print_machine()
    from incidents.models import IncidentReport

    print(f"  reports: {IncidentReport.objects.count():,}")
    print()
    pages = [(label, username, url) for label, username, url, _target in PAGES if not args.only or args.only in label]
    targets = {label: target for label, _username, _url, target in PAGES}
    results, ratios = harness.measure_rounds(pages, args.n, max(1, args.rounds))
    harness.print_ratio_table(results, ratios)
    print(f"     load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (at the end)")
    print()
    for r in results[1:]:
        target = targets[r.label]
        if target is not None:
            verdict = "ok" if r.median_ms <= target else "OVER"
            print(f"target {r.label}: ≤ {target} ms → {r.median_ms:.1f} ms {verdict}")
    default = next((r for r in results if r.label.startswith("queue desk (")), None)
    if default:
        ratio = ratios[default.label]
        print(f"target default view ≤ 12x minimal → {ratio:.1f}x {'ok' if ratio <= 12 else 'OVER'}")


if __name__ == "__main__":
    main()
