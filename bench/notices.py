"""The notices of issue 10 on the bench database: ``python -m bench.notices [--rounds R]``.

Fill the database first with 20,000 open cases of 100,000 (``python -m bench.generate --reports
100000 --seed 1 --open 20000 --reset``) and, for the query count at another size, a small one
(``DATABASE_URL=…/kasuhara_bench_small python -m bench.generate --reports 10000 --seed 1 --open 2000
--counterparts 2000 --consultations 1000 --reset``). Prints the machine, then:

- the escalation sweep as beat runs it (``notifications.tasks.sweep``: ``incidents.escalation.sweep``
  and ``committee.reminders.sweep``), R rounds of: the minimal page, a *first run* (nothing swept
  yet: it writes every notice due — the notices of the round before are deleted and the table
  vacuumed first, untimed, so each first run commits its inserts as the real one does), and a
  *steady-state run* right after it (nothing new due). Wall time, SQL statements
  (``CaptureQueriesContext``; Django lists BEGIN and COMMIT among them) and the ratio to the minimal
  page, each the median of the rounds. The sweep runs inside ``notifications.outbox.held()``: the
  notices it writes are not handed to the broker, so the figure is the sweep alone, not the
  deliveries an eager or a real broker would start. The generator makes no committee meetings or
  measures, so the committee reminders' statements run on empty tables: the work measured is the
  escalation of the reports waiting for 受付;
- the same sweep on the small database (a subprocess of this command with its ``DATABASE_URL``) and
  the number of statements the code sends whatever the data (``expected_queries``): the three must
  be equal;
- the delivery of 1,000 pending notices (``--notices``) by a real Celery worker: written with one
  ``bulk_create`` to the demo users that have e-mail addresses, a worker started as a subprocess
  (``celery -A kasuhara worker --pool prefork --concurrency 2``; its start-up is timed apart and not
  counted), Redis database 10 (``BENCH_BROKER_URL``) and a queue of this run's own, e-mail through
  Django's file backend into a temporary folder; enqueued as the product does
  (``notifications.outbox.enqueue``: tasks of 100), then timed until the last one is 送信済み (its
  ``sent_at``; the database is polled), 3 batches one after the other (``--delivery-rounds``), the
  median reported. The worker is stopped, the notices, e-mails and queue deleted.

Verdicts: a sweep under 2 s, a number of statements that does not grow with the cases, the 1,000
notices delivered in under 30 s.
"""

from __future__ import annotations

import os

#: The delivery's broker and a queue of this run's own. Set before Django and Celery read the
#: environment, so that this process enqueues where its worker listens, never eagerly. The sweep
#: never enqueues (it runs inside ``outbox.held()``).
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
QUEUE = f"bench-notices-{os.getpid()}"
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import harness  # noqa: E402 - configures Django first
from incidents import escalation  # noqa: E402
from incidents.lifecycle import OPEN, WAITING  # noqa: E402
from incidents.models import IncidentReport  # noqa: E402
from notifications import outbox, services, tasks  # noqa: E402
from notifications.kinds import Kind  # noqa: E402
from notifications.models import Notice, State  # noqa: E402
from notifications.rules import all_rules  # noqa: E402
from organization.calendar import business_deadline_cutoff, load_calendar  # noqa: E402
from organization.models import User  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SWEEP_TARGET_MS = 2000
DELIVERY_TARGET_S = 30
SMALL_DB = "kasuhara_bench_small"
#: The kinds the sweeps write: what a first run must find absent.
SWEPT_KINDS = [*escalation.LEVELS, Kind.MEETING_REMINDER, Kind.MEASURE_OVERDUE, Kind.MEASURE_OVERDUE_CHAIR,
               Kind.CARE_CHECKIN_DUE]
TYPES = ["暴言型", "長時間拘束型", "リピート型", "威嚇・脅迫型", "権威型"]


# -- the sweep -----------------------------------------------------------------------------------

def expected_queries() -> tuple[int, str]:
    """What the code sends per sweep whatever the number of cases: each sweep function is one
    transaction (BEGIN, COMMIT) reading the closing days and the rules once, then one
    ``INSERT … SELECT`` per step whose rule is on (``fan_out`` sends nothing for a rule that is off
    or names nobody). Read from the same rules the sweep reads."""
    rules = all_rules()

    def on(kind, needs_days=False):
        rule = rules[kind]
        return int(rule.enabled and bool(rule.audiences) and (bool(rule.days) or not needs_days))

    levels = sum(on(kind, needs_days=True) for kind in escalation.LEVELS)
    committee = on(Kind.MEETING_REMINDER) + on(Kind.MEASURE_OVERDUE) + on(Kind.MEASURE_OVERDUE_CHAIR, needs_days=True)
    # The care sweep (care.sweeps) reads its one rule and inserts, in its own transaction.
    care = on(Kind.CARE_CHECKIN_DUE)
    calendar_sweeps = len(settings.KASUHARA_NOTICE_SWEEPS) - 1
    total = 4 * calendar_sweeps + levels + committee + (3 + care)
    return total, (f"{calendar_sweeps} sweeps × (BEGIN + closing days + rules + COMMIT) + {levels} levels "
                   f"+ {committee} committee steps + care (BEGIN + rule + {care} insert + COMMIT) = {total}")


def sweep_once() -> tuple[float, int, int]:
    """One sweep as beat runs it, its notices held back from the broker: (ms, statements, written)."""
    with outbox.held(), CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        written = tasks.sweep()
        elapsed = (time.perf_counter() - began) * 1000
    return elapsed, len(captured.captured_queries), sum(written.values())


def forget_swept(since_id: int) -> None:
    """Delete the notices the sweeps wrote after ``since_id`` and vacuum the table (untimed), so the
    next first run finds what the first one found."""
    Notice.objects.filter(pk__gt=since_id, kind__in=SWEPT_KINDS).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Notice._meta.db_table)}")


def data_line() -> dict:
    """The cases the sweep looks at: open, waiting for 受付, and waiting past each level's days."""
    rules, calendar, now = all_rules(), load_calendar(), timezone.now()
    waiting = IncidentReport.objects.filter(status__in=WAITING)
    days = [rules[kind].days for kind in escalation.LEVELS if rules[kind].days]
    return {
        "reports": IncidentReport.objects.count(),
        "open": IncidentReport.objects.filter(status__in=OPEN).count(),
        "waiting": waiting.count(),
        "overdue": {n: waiting.filter(submitted_at__lt=business_deadline_cutoff(now, n, calendar)).count()
                    for n in days},
    }


def describe(measured: dict) -> str:
    d = measured["data"]
    past = " / ".join(f"{n:,}" for n in d["overdue"].values())
    days = "/".join(str(n) for n in d["overdue"])
    return (f"  {measured['database']}: reports {d['reports']:,}, open {d['open']:,}, waiting for 受付 "
            f"{d['waiting']:,} (past {days} business days: {past})")


def measure_sweep(rounds: int, n: int) -> dict:
    """R rounds of minimal page, first run, steady-state run; the figures of each and the ratios
    (each taken within its round, as ``harness.measure_rounds`` does)."""
    since = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
    leftover = Notice.objects.filter(kind__in=SWEPT_KINDS).count()
    if leftover:  # an interrupted run left its notices: the first run would not be one
        print(f"  note: deleting {leftover:,} notices an earlier sweep left in {connection.settings_dict['NAME']}")
        Notice.objects.filter(kind__in=SWEPT_KINDS).delete()
    runs: dict[str, list[float]] = {"minimal page": [], "first": [], "steady": []}
    ratios: dict[str, list[float]] = {"first": [], "steady": []}
    queries: dict[str, set[int]] = {"first": set(), "steady": set()}  # a set: any change shows
    written: dict[str, set[int]] = {"first": set(), "steady": set()}
    minimal_queries = 0
    try:
        for _ in range(rounds):
            baseline = harness.measure(harness.client_for("desk"), harness.MINIMAL_URL, n, label="minimal page")
            runs["minimal page"].append(baseline.median_ms)
            minimal_queries = baseline.queries
            forget_swept(since)
            for which in ("first", "steady"):
                ms, count, made = sweep_once()
                runs[which].append(ms)
                ratios[which].append(ms / baseline.median_ms)
                queries[which].add(count)
                written[which].add(made)
    finally:
        forget_swept(since)

    def p90(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]

    queries["minimal page"] = {minimal_queries}
    return {
        "database": connection.settings_dict["NAME"],
        "data": data_line(),
        "rounds": rounds,
        "figures": {which: {"median_ms": statistics.median(values), "p90_ms": p90(values),
                            "queries": max(queries[which]), "queries_seen": sorted(queries[which]),
                            "written": sorted(written.get(which, set())),
                            "ratio": statistics.median(ratios[which]) if which in ratios else 1.0}
                    for which, values in runs.items()},
    }


def explain_sweep() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every ``INSERT … SELECT`` a first run sends, each in a
    transaction rolled back (nothing is kept)."""
    since = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
    forget_swept(since)

    class Rollback(Exception):
        pass

    statements: list[str] = []
    try:
        with transaction.atomic(), outbox.held(), CaptureQueriesContext(connection) as captured:
            tasks.sweep()
            statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
            raise Rollback
    except Rollback:
        pass
    for number, sql in enumerate(statements, 1):
        print(f"-- INSERT … SELECT {number} of {len(statements)}")
        print(sql)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("\n".join(row[0] for row in cursor.fetchall()))
                raise Rollback
        except Rollback:
            pass
        print()


def database_url(name: str) -> str:
    """This connection's server and user, with database ``name``, as a ``DATABASE_URL``."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(name, safe='')}"


def database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def measure_sweep_elsewhere(name: str, rounds: int, n: int) -> dict | None:
    """The same measurement on database ``name``, by this command in a subprocess."""
    if not database_exists(name):
        print(f"  note: no database {name}; fill it with: DATABASE_URL={database_url(name)} .venv/bin/python -m "
              "bench.generate --reports 10000 --seed 1 --open 2000 --counterparts 2000 --consultations 1000 --reset")
        return None
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "bench.notices", "--sweep-only", "--json", "--rounds", str(rounds), "--n", str(n)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    if done.returncode or line is None:
        print(f"  note: the sweep on {name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return None
    return json.loads(line)


# -- the delivery -----------------------------------------------------------------------------------

class Worker:
    """``celery -A kasuhara worker`` on the bench database as a subprocess of its own process group;
    ``ready`` is set when it logs that it is ready to take tasks."""

    def __init__(self, mailbox: Path, concurrency: int) -> None:
        self.ready = threading.Event()
        self.lines: list[str] = []
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "EMAIL_URL": f"filemail:///{mailbox}",  # an absolute path takes a fourth slash
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        self.started = time.perf_counter()
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "celery", "-A", "kasuhara", "--quiet", "worker", "--pool", "prefork",
             "--concurrency", str(concurrency), "-Q", QUEUE, "-n", f"{QUEUE}@%h", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.ready_after: float | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if not self.ready.is_set() and line.rstrip().endswith(" ready."):
                self.ready_after = time.perf_counter() - self.started
                self.ready.set()

    def wait_ready(self, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.lines[-30:])
                raise SystemExit(f"the celery worker is not ready (exit {self.process.poll()}):\n{tail}")
        return self.ready_after or 0.0

    def stop(self) -> None:
        """Warm shutdown; the process group (its prefork children) if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def pending_notices(count: int, token: str) -> list[int]:
    """``count`` pending 提出 notices, due now, spread over the open reports and the users with an
    e-mail address (the demo users), written with one ``bulk_create``."""
    recipients = list(User.objects.filter(is_active=True).exclude(email="").order_by("pk"))
    if not recipients:
        raise SystemExit("no user has an e-mail address: run python -m bench.generate first")
    reports = list(IncidentReport.objects.filter(status__in=OPEN).order_by("-pk").values_list("pk", flat=True)[:count])
    now = timezone.now()
    notices = [
        Notice(recipient=recipients[i % len(recipients)], kind=Kind.REPORT_SUBMITTED, key=f"bench-{token}-{i}",
               params={"report": reports[i % len(reports)], "types": TYPES[i % len(TYPES)]},
               created_at=now, next_attempt_at=now, state=State.PENDING)
        for i in range(count)
    ]
    return [notice.pk for notice in Notice.objects.bulk_create(notices)]


def queries_per_notice(token: str) -> int:
    """The statements one delivery sends (in this process, e-mail to memory), on a notice of its own."""
    [notice_id] = pending_notices(1, f"{token}-q")
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
                CaptureQueriesContext(connection) as captured:
            outcome = services.deliver(notice_id)
        if outcome.outcome != services.Delivery.SENT:
            raise SystemExit(f"a delivery in this process gave {outcome.outcome}")
        return len(captured.captured_queries)
    finally:
        Notice.objects.filter(pk=notice_id).delete()


def e_mails(mailbox: Path) -> int:
    """How many messages the file backend wrote (each carries ``X-Kasuhara-Notice``)."""
    return sum(path.read_bytes().count(b"\nX-Kasuhara-Notice: ") for path in mailbox.glob("*.log"))


def forget_queue() -> None:
    """Delete this run's queue (and its binding) from the broker."""
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    keys = list(client.scan_iter(match=f"*{QUEUE}*"))
    if keys:
        client.delete(*keys)


def deliver_once(worker: Worker, count: int, token: str, timeout: float, ids: list[int]) -> dict:
    """Write ``count`` pending notices (their ids appended to ``ids``, for the clean-up), enqueue them
    as the product does, and poll until the worker has sent them all."""
    ids += pending_notices(count, token)
    mine = Notice.objects.filter(pk__in=ids[-count:])
    began_wall, began = time.time(), time.perf_counter()
    if not outbox.enqueue(ids[-count:]):
        raise SystemExit(f"the broker {BROKER_URL} refused the tasks")
    enqueued = time.perf_counter() - began
    sent = 0
    while time.perf_counter() - began < timeout:
        sent = mine.filter(state=State.SENT).count()
        if sent == count or worker.process.poll() is not None:
            break
        time.sleep(0.1)
    last = mine.aggregate(m=Max("sent_at"))["m"]
    return {
        "enqueue_s": enqueued, "polled_s": time.perf_counter() - began,
        "states": dict(Counter(mine.values_list("state", flat=True))),
        "all_sent_s": (last.timestamp() - began_wall) if last is not None and sent == count else None,
    }


def measure_delivery(count: int, concurrency: int, rounds: int, timeout: float) -> dict:
    """One worker, ``rounds`` batches of ``count`` notices one after the other; the figures of each."""
    token = f"{os.getpid()}-{int(time.time())}"
    per_notice = queries_per_notice(token)
    mailbox = Path(tempfile.mkdtemp(prefix="kasuhara-bench-mail-"))
    ids: list[int] = []
    worker = Worker(mailbox, concurrency)
    try:
        startup = worker.wait_ready(60)
        runs = []
        for number in range(rounds):
            runs.append(deliver_once(worker, count, f"{token}-{number}", timeout, ids))
            if runs[-1]["all_sent_s"] is None:
                break
        return {"count": count, "concurrency": concurrency, "startup_s": startup, "runs": runs,
                "e_mails": e_mails(mailbox), "queries_per_notice": per_notice}
    finally:
        worker.stop()
        Notice.objects.filter(pk__in=ids).delete()
        shutil.rmtree(mailbox, ignore_errors=True)
        forget_queue()


# -- the table ---------------------------------------------------------------------------------------

def sweep_rows(measured: dict, label: str) -> list[tuple[harness.Result, float]]:
    """The first and steady-state runs as table lines, with their ratios to the minimal page."""
    figures = measured["figures"]
    def written(which: str) -> str:
        return "/".join(f"{n:,}" for n in figures[which]["written"])

    rows = []
    for which, text in (("first", f"sweep {label}, first run ({written('first')} notices)"),
                        ("steady", f"sweep {label}, steady state ({written('steady')} notices)")):
        f = figures[which]
        rows.append((harness.Result(text, "", f["median_ms"], f["p90_ms"], f["queries"], 200, measured["rounds"]),
                     f["ratio"]))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.notices", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of minimal page, first and steady-state sweep (default 5); figures are medians")
    parser.add_argument("--n", type=int, default=30, help="timed requests of the minimal page per round (default 30)")
    parser.add_argument("--notices", type=int, default=1000, help="notices delivered by the worker (default 1000)")
    parser.add_argument("--delivery-rounds", type=int, default=3,
                        help="batches delivered one after the other by the same worker (default 3); figure: median")
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's prefork children (default 2)")
    parser.add_argument("--small-db", default=SMALL_DB,
                        help=f"the database of the same sweep at another size (default {SMALL_DB}; '' to skip)")
    parser.add_argument("--sweep-only", action="store_true", help="measure the sweep only")
    parser.add_argument("--json", action="store_true", help="print the sweep's figures as one JSON line")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the first run's INSERT … SELECTs and stop")
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds)

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"this benchmark writes and deletes notices; refusing for {name!r} (not a bench database)")
    if args.explain:
        explain_sweep()
        return
    if args.json:
        print(json.dumps(measure_sweep(rounds, args.n)))
        return

    harness.print_machine()
    big = measure_sweep(rounds, args.n)
    d = big["data"]
    print(describe(big))
    small = measure_sweep_elsewhere(args.small_db, rounds, args.n) if args.small_db else None
    if small:
        print(describe(small))
    delivery = None if args.sweep_only else measure_delivery(args.notices, args.concurrency,
                                                             max(1, args.delivery_rounds), timeout=120)
    print()

    minimal = big["figures"]["minimal page"]
    baseline = harness.Result("minimal page", harness.MINIMAL_URL, minimal["median_ms"], minimal["p90_ms"],
                              minimal["queries"], 200, rounds * args.n)
    rows = [(baseline, 1.0), *sweep_rows(big, f"{d['reports'] // 1000}k")]
    if small:
        rows += sweep_rows(small, f"{small['data']['reports'] // 1000}k")
    harness.print_ratio_table([r for r, _ in rows], {r.label: ratio for r, ratio in rows})
    print(f"     (sweeps: medians of {rounds} rounds, p90 of the rounds; ratios within each round. The sweep runs "
          "inside outbox.held(): nothing is enqueued)")
    if delivery:
        print()
        print(f"delivery of {delivery['count']:,} pending notices by a real worker (prefork, concurrency "
              f"{delivery['concurrency']}, broker {BROKER_URL}, e-mail: Django's file backend)")
        runs = delivery["runs"]
        took = [r["all_sent_s"] for r in runs if r["all_sent_s"] is not None]
        lines = [("worker start-up (not counted)", f"{delivery['startup_s']:>8.2f} s"),
                 (f"enqueue ({-(-delivery['count'] // 100)} tasks of ≤ 100)",
                  f"{statistics.median(r['enqueue_s'] for r in runs):>8.2f} s")]
        if len(took) == len(runs):
            rate = delivery["count"] / statistics.median(took)
            lines.append((f"all {delivery['count']:,} sent (last sent_at)", f"{statistics.median(took):>8.2f} s  "
                          f"({rate:,.0f} notices/s; median of {len(runs)}, each: "
                          f"{', '.join(f'{t:.1f}' for t in took)} s)"))
        else:
            lines.append((f"NOT all sent after {runs[-1]['polled_s']:.1f} s", str(runs[-1]["states"])))
        lines += [("e-mails written", f"{delivery['e_mails']:>8,}"),
                  ("queries per notice", f"{delivery['queries_per_notice']:>8}    (one delivery in this process)")]
        for label, value in lines:
            print(f"  {label:<32}{value}")
    print(f"     load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (at the end)")
    print()
    over = 0
    for which, label in (("first", "first run"), ("steady", "steady state")):
        f = big["figures"][which]
        ok = f["median_ms"] < SWEEP_TARGET_MS
        over += not ok
        print(f"target sweep {label} < {SWEEP_TARGET_MS / 1000:.0f} s → {f['median_ms']:.0f} ms "
              f"(slowest {max(f['p90_ms'], f['median_ms']):.0f} ms) {'ok' if ok else 'OVER'}")
    expected, formula = expected_queries()
    seen = {f"{d['reports']:,} reports": big["figures"][w]["queries_seen"] for w in ("first", "steady")}
    counts = {q for w in ("first", "steady") for q in big["figures"][w]["queries_seen"]}
    if small:
        counts |= {q for w in ("first", "steady") for q in small["figures"][w]["queries_seen"]}
        seen[f"{small['data']['reports']:,} reports"] = small["figures"]["first"]["queries_seen"]
    ok = counts == {expected}
    over += not ok
    print(f"target sweep queries constant: {', '.join(f'{k} {v}' for k, v in seen.items())}; "
          f"from the code: {formula} → {'ok' if ok else 'GROWS'}")
    if delivery:
        runs = delivery["runs"]
        took = [r["all_sent_s"] for r in runs]
        done = None not in took
        ok = done and statistics.median(took) < DELIVERY_TARGET_S and delivery["e_mails"] == delivery["count"] * len(runs)
        over += not ok
        shown = (f"{statistics.median(took):.1f} s (slowest {max(took):.1f} s), {delivery['e_mails']:,} e-mails for "
                 f"{delivery['count'] * len(runs):,} notices" if done else "not all sent")
        print(f"target delivery of {delivery['count']:,} notices < {DELIVERY_TARGET_S} s → {shown} "
              f"{'ok' if ok else 'OVER'}")
    if over:
        sys.exit(1)


if __name__ == "__main__":
    main()
