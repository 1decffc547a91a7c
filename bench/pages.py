"""The pages around a case on the bench database: ``python -m bench.pages``.

相手方 (the counterpart with 50 reports, the list, the link page of a report), the home page of every
role, a report's case page, and 相談 for the 相談窓口 and for a 職員. Fill the database first
(``python -m bench.generate --reports 100000 --seed 1``: 20,000 counterparts, 10,000 consultations).

Prints the machine and the load, then one line per page: median and p90 over ``--n`` requests, SQL
queries per request, and the median as a multiple of the minimal logged-in page measured in the
same run; then a verdict per page against the target: median ≤ 100 ms, and a number of queries that
does not grow with the rows (the 50-report counterpart is compared with a 1-report one, the report
measured has counterparts, 経過 and 対応職員; the lists are paginated).
"""

from __future__ import annotations

import argparse

from django.db.models import Count

from bench import harness

TARGET_MS = 100


def _subjects() -> dict[str, int]:
    """The rows the addresses point at: the counterpart with 50 reports, one with 1, and a report
    filed by ``staff`` (市民課, so its 所属長 is ``chief``) that has a counterpart when one exists."""
    from bench.generate import BIG_COUNTERPART_REPORTS
    from counterparts.models import Counterpart, CounterpartLink
    from incidents.lifecycle import Status
    from incidents.models import IncidentReport

    counted = Counterpart.objects.annotate(n=Count("links")).order_by("id")
    big = counted.filter(n=BIG_COUNTERPART_REPORTS).values_list("id", flat=True).first()
    small = counted.filter(n=1).values_list("id", flat=True).first()
    if big is None or small is None:
        raise SystemExit("no counterpart with 50 reports: run python -m bench.generate --reports 100000 first")
    staff_reports = IncidentReport.objects.filter(reporter__username="staff").exclude(status=Status.DRAFT)
    linked = CounterpartLink.objects.filter(report__in=staff_reports).order_by("-report_id")
    report = linked.values_list("report_id", flat=True).first() or staff_reports.order_by("-id").values_list(
        "id", flat=True
    ).first()
    if report is None:
        raise SystemExit("staff has no submitted report")
    return {"big": big, "small": small, "report": report}


def pages(subjects: dict[str, int], usernames: set[str]) -> list[tuple[str, str, str, str | None]]:
    """(label, user, address, the label whose query count this one must equal, if any)."""
    big, small, report = subjects["big"], subjects["small"], subjects["report"]
    result = [
        ("counterpart 50 reports desk", "desk", f"/counterparts/{big}/", "counterpart 1 report desk"),
        ("counterpart 1 report desk", "desk", f"/counterparts/{small}/", None),
        ("counterpart list desk", "desk", "/counterparts/", None),
        ("counterpart list desk page 500", "desk", "/counterparts/?page=500", "counterpart list desk"),
        ("counterpart link report desk", "desk", f"/counterparts/link/{report}/", None),
    ]
    for role in ("staff", "chief", "director", "desk", "chair", "member", "admin", "gadir"):
        if role in usernames:
            result.append((f"home {role}", role, "/", None))
    for role in ("desk", "chief", "staff"):
        result.append((f"case report {role}", role, f"/reports/{report}/", None))
    result += [
        ("consultations desk", "desk", "/consultations/", None),
        ("consultations desk page 100", "desk", "/consultations/?page=100", "consultations desk"),
        ("consultations staff", "staff", "/consultations/", None),
    ]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="timed requests per page (default 30, at least 30)")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    args = parser.parse_args(argv)
    n = max(args.n, 30)

    from consultations.models import Consultation
    from counterparts.models import Counterpart, CounterpartLink
    from incidents.models import IncidentReport
    from organization.models import User

    harness.print_machine()
    print(f"  reports: {IncidentReport.objects.count():,}, counterparts: {Counterpart.objects.count():,}, "
          f"links: {CounterpartLink.objects.count():,}, consultations: {Consultation.objects.count():,}")
    subjects = _subjects()
    print(f"  counterpart (50 reports) #{subjects['big']}, counterpart (1 report) #{subjects['small']}, "
          f"report No.{subjects['report']} (by staff)")
    print()
    usernames = set(User.objects.values_list("username", flat=True))
    baseline = harness.measure(harness.client_for("desk"), harness.MINIMAL_URL, n, label="minimal page")
    results = [baseline]
    same_as: dict[str, str | None] = {}
    for label, username, url, reference in pages(subjects, usernames):
        if args.only and args.only not in label:
            continue
        results.append(harness.measure(harness.client_for(username), url, n, label=label))
        same_as[label] = reference
    harness.print_table(results, baseline)
    print()
    by_label = {r.label: r for r in results}
    over = 0
    for r in results[1:]:
        verdicts = [f"median {r.median_ms:.1f} ms ≤ {TARGET_MS}: " + ("ok" if r.median_ms <= TARGET_MS else "OVER")]
        reference = by_label.get(same_as[r.label] or "")
        if reference is not None:
            verdicts.append(f"queries {r.queries} vs {reference.queries} ({reference.label}): "
                            + ("ok" if r.queries == reference.queries else "GROWS"))
        bad = any(v.endswith(("OVER", "GROWS")) for v in verdicts)
        over += bad
        print(f"{'OVER' if bad else 'ok  '}  {r.label}: " + "; ".join(verdicts))
    print()
    print(f"{len(results) - 1 - over} of {len(results) - 1} pages within the target")


if __name__ == "__main__":
    main()
