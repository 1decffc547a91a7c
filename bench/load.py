"""Staff filing complete reports against gunicorn on PostgreSQL: ``python -m bench.load``.

Issue 14's load test. The bench

- prepares its own database (``DATABASE_URL``, default ``kasuhara_load_bench``: the reports it files
  would skew the other benchmarks' 100,000), recreated on every run unless ``--reuse``: migrated, the
  shared generator's organisation (40 課, ~410 people with the demo password) and ``--reports``
  reports (5,000);
- starts gunicorn with the options of ``docker-compose.yml``'s ``web`` service (workers, worker
  class, threads, access log: read from the file, so the bench follows what the product ships;
  ``--workers`` / ``--threads`` / ``--worker-class`` override them for a comparison) on the bench
  settings (DEBUG off) and a Redis broker database of its own (notices are queued as in
  production; nobody consumes them);
- signs ``--users`` staff members in through the real login form (each its own cookies), then
  each of them, for ``--seconds``, opens ``/reports/new/``, reads the form as a browser would
  (every field with its default, the CSRF token, the form token) and posts a complete 暴言型
  report with 提出, then follows the redirect to the report's page and checks it says
  「連絡票を提出しました」;
- measures the minimal logged-in page on the same server before the load (the ratio) and once a
  second during it;
- afterwards checks in the database that every report the clients saw succeed is stored, submitted,
  with exactly one 提出 event (``ReportEvent.action == "submitted"``), and that no report of the run
  lacks one or was stored twice.

An error is any answer other than 2xx/3xx, a submit that does not redirect to a report page (the
form again), a page without the success message, or a broken connection.

``--profile N``: instead of the load, N submits in-process through ``django.test.Client`` under
cProfile (the form GET and POST of one user), printed by cumulative time and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import http.client
import io
import json
import os
import pstats
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kasuhara_load_bench")
os.environ.setdefault("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")
# In-process (--profile) as in the server: notices are queued on Redis, not sent during the request.
os.environ.setdefault("CELERY_BROKER_URL", os.environ["BENCH_BROKER_URL"])
os.environ.setdefault("CACHE_URL", os.environ["BENCH_CACHE_URL"])

from bench import harness  # noqa: E402 - sets Django up on the bench settings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "kasuhara-demo"
TITLE_PREFIX = "負荷試験"


# -- the server ------------------------------------------------------------------------------------

def compose_web_options() -> list[str]:
    """The gunicorn options of docker-compose.yml's ``web`` service, without ``--bind``."""
    text = (ROOT / "docker-compose.yml").read_text()
    web = text[text.index("\n  web:"):]
    line = next(line for line in web.splitlines() if line.strip().startswith("command:"))
    command = json.loads(line.split("command:", 1)[1].strip())
    if command[0] != "gunicorn":
        raise SystemExit(f"docker-compose.yml's web command is not gunicorn: {command}")
    options, skip = [], False
    for arg in command[2:]:  # after "gunicorn kasuhara.wsgi:application"
        if skip:
            skip = False
        elif arg in ("--bind", "-b"):
            skip = True  # the bench binds a free local port
        else:
            options.append(arg)
    return options


def _set_option(options: list[str], name: str, value: str | None) -> list[str]:
    if value is None:
        return options
    out, skip = [], False
    for arg in options:
        if skip:
            skip = False
            continue
        if arg == name:
            skip = True
            continue
        out.append(arg)
    return [*out, name, value]


def _option(options: list[str], name: str, default: str) -> str:
    return options[options.index(name) + 1] if name in options else default


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, options: list[str], log: Path):
        self.port = _free_port()
        self.options = options
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT),
            "CELERY_BROKER_URL": os.environ["BENCH_BROKER_URL"], "CACHE_URL": os.environ["BENCH_CACHE_URL"],
        }
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "kasuhara.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", *options],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start (see {log})")
            try:
                status, _, _ = request(self.port, "GET", "/healthz", {})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# -- HTTP as a browser does it ----------------------------------------------------------------------

def request(port: int, method: str, path: str, cookies: dict[str, str], body: bytes | None = None,
            content_type: str | None = None, timeout: float = 120) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it after each answer);
    the cookies the answer sets are put into ``cookies``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Host": "localhost", "Referer": f"http://localhost{path}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content
    finally:
        connection.close()


class FormReader(HTMLParser):
    """The fields of the first form whose ``action`` is empty or the page itself, with the values a
    browser would post untouched (text, hidden, checked boxes, selected or first options,
    textareas); ``choices`` maps checkbox/radio names to their values and labels' ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self.checkable: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.checkable.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.fields.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                self.fields.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.setdefault(self._textarea, []).append("".join(self._text).lstrip("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def read_form(page: bytes) -> FormReader:
    reader = FormReader()
    reader.feed(page.decode("utf-8"))
    return reader


def login(port: int, username: str) -> dict[str, str]:
    """Signs in through the login form; returns the cookies (session, CSRF)."""
    cookies: dict[str, str] = {}
    status, _, page = request(port, "GET", "/accounts/login/", cookies)
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    token = read_form(page).fields["csrfmiddlewaretoken"][0]
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"})
    status, headers, _ = request(port, "POST", "/accounts/login/", cookies, body.encode(),
                                 "application/x-www-form-urlencoded")
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"{username} could not sign in ({status}, {headers.get('location')})")
    return cookies


def local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def report_post(form: FormReader, *, title: str, abuse_type: str) -> bytes:
    """The complete 暴言型 report the browser journeys file (tests/helpers.py submit_report_form)."""
    from django.utils import timezone

    # A <template>'s rows (the formset's empty form) are not posted; one CSRF token is enough.
    data = {name: list(values) for name, values in form.fields.items() if "__prefix__" not in name}
    data["csrfmiddlewaretoken"] = data["csrfmiddlewaretoken"][:1]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    data.update({
        "title": [title],
        "occurred_start": [local(start)],
        "occurred_end": [local(start + timedelta(minutes=40))],
        "channel": ["counter"],
        "place": ["本庁舎1階 市民課窓口"],
        "staff_count": ["1"],
        "counterpart_count": ["1"],
        "counterpart_name": ["負荷 太郎"],
        "demand": ["手数料を無料にすること"],
        "conduct": ["「馬鹿野郎、早くしろ」と大声で怒鳴り、カウンターを叩いた。"],
        "harassment_types": [abuse_type],
        "ground_inappropriate_means": ["on"],
        "timeline-0-at": [local(start + timedelta(minutes=5))],
        "timeline-0-kind": ["warning"],
        "timeline-0-description": ["大声をやめるよう1回目の警告をした。"],
        "action": ["submit"],
    })
    return urlencode([(k, v) for k, values in data.items() for v in values]).encode()


# -- the simulated staff -------------------------------------------------------------------------------

@dataclass
class Tally:
    submit_ms: list[float] = field(default_factory=list)
    form_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


REPORT_PAGE = re.compile(r"^(?:https?://[^/]+)?/reports/(\d+)/$")


def staff_member(port: int, username: str, cookies: dict[str, str], run: str, abuse_type: str,
                 start: threading.Event, stop_at: list[float], tally: Tally) -> None:
    start.wait()
    n = 0
    while time.monotonic() < stop_at[0]:
        n += 1
        title = f"{TITLE_PREFIX} {run} {username} #{n}"
        try:
            began = time.perf_counter()
            status, _, page = request(port, "GET", "/reports/new/", cookies)
            form_ms = (time.perf_counter() - began) * 1000
            if status != 200:
                raise RuntimeError(f"form answered {status}")
            body = report_post(read_form(page), title=title, abuse_type=abuse_type)
            began = time.perf_counter()
            status, headers, answer = request(port, "POST", "/reports/new/", cookies, body,
                                              "application/x-www-form-urlencoded")
            submit_ms = (time.perf_counter() - began) * 1000
            found = REPORT_PAGE.match(headers.get("location", "")) if status == 302 else None
            if found is None:
                feedback = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', answer.decode("utf-8", "replace"))
                raise RuntimeError(f"submit answered {status} {headers.get('location', '')} {feedback[:3]}")
            began = time.perf_counter()
            status, _, shown = request(port, "GET", found.group(0), cookies)
            page_ms = (time.perf_counter() - began) * 1000
            if status != 200 or "連絡票を提出しました" not in shown.decode("utf-8", "replace"):
                raise RuntimeError(f"report page answered {status} without the success message")
        except Exception as error:  # noqa: BLE001 - every failure is an error of the run
            with tally.lock:
                tally.errors.append(f"{username}: {html.unescape(str(error))[:300]}")
            continue
        with tally.lock:
            tally.form_ms.append(form_ms)
            tally.submit_ms.append(submit_ms)
            tally.page_ms.append(page_ms)
            tally.ids.append(int(found.group(1)))


def minimal_probe(port: int, cookies: dict[str, str], stop: threading.Event, out: list[float]) -> None:
    while not stop.wait(1.0):
        began = time.perf_counter()
        try:
            status, _, _ = request(port, "GET", harness.MINIMAL_URL, cookies)
        except OSError:
            continue
        if status == 200:
            out.append((time.perf_counter() - began) * 1000)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- preparing and checking the database -----------------------------------------------------------------

def bring_schema_up() -> list[str]:
    """Columns and tables of models whose migration is still being written (other work in the same
    checkout) are added to the bench database by hand, as ``bench.generate`` notes; returns what."""
    from django.apps import apps
    from django.db import connection

    added = []
    with connection.cursor() as cursor:
        # One catalog query for every table (introspecting table by table takes a minute).
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = current_schema()")
        existing: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            existing.setdefault(table, set()).add(column)
        tables = set(existing)
        with connection.schema_editor() as editor:
            for model in apps.get_models():
                if model._meta.proxy or not model._meta.managed:
                    continue
                table = model._meta.db_table
                if table not in tables:
                    editor.create_model(model)
                    tables.add(table)
                    added.append(table)
                    continue
                columns = existing[table]
                for f in model._meta.local_fields:
                    if f.column and f.column not in columns:
                        editor.add_field(model, f)
                        added.append(f"{table}.{f.column}")
    return added


def _generate_migrate() -> None:
    from bench import generate

    call = getattr(generate, "_original_migrate", generate.migrate)
    call()


def migrate() -> None:
    """``migrate``, then by hand the columns and tables of models whose migration is still being
    written elsewhere in the checkout. A failing migration stops the bench: a schema built by hand
    would lack the triggers the migrations install, and the figures would flatter the submit."""
    try:
        _generate_migrate()
    except Exception as error:  # noqa: BLE001
        raise SystemExit(f"migrate failed ({type(error).__name__}: {error}): fix the migration, "
                         "then run again") from error
    added = bring_schema_up()
    if added:
        print(f"note: added by hand (migration not written yet): {', '.join(added)}")


def prepare(reports: int) -> None:
    from bench import generate

    generate.ensure_database(reset=True)
    generate._original_migrate = generate.migrate
    generate.migrate = migrate  # generate.main migrates again: the same way (with the models' new columns)
    generate.main(["--reports", str(reports), "--seed", "1", "--counterparts", "1000", "--consultations", "500"])


def staff_usernames(n: int) -> list[str]:
    """Plain 職員 of the generator (no role flag) with a 課, spread over the 課."""
    from organization.models import User

    flags = [f.name for f in User._meta.get_fields() if f.name.startswith("is_") and f.name not in
             ("is_active", "is_staff", "is_superuser")]
    plain = User.objects.filter(is_active=True, section__isnull=False, username__regex=r"^s\d\du\d\d$",
                                **{flag: False for flag in flags if hasattr(User, flag) and
                                   User._meta.get_field(flag).get_internal_type() == "BooleanField"})
    chosen = list(plain.order_by("username").values_list("username", flat=True))
    if len(chosen) < n:
        raise SystemExit(f"only {len(chosen)} plain staff in the database: run without --reuse")
    step = len(chosen) / n
    return [chosen[int(i * step)] for i in range(n)]


def check_database(run: str, ids: list[int]) -> dict[str, int]:
    from django.db.models import Count, Q

    from incidents.lifecycle import Status
    from incidents.models import IncidentReport

    reports = (IncidentReport.objects.filter(title__startswith=f"{TITLE_PREFIX} {run} ")
               .annotate(submits=Count("events", filter=Q(events__action="submitted"))))
    rows = list(reports.values_list("pk", "status", "submits"))
    stored = {pk for pk, _, _ in rows}
    return {
        "reports of the run": len(rows),
        "successes": len(ids),
        "successes seen twice": len(ids) - len(set(ids)),
        "successes not stored": len(set(ids) - stored),
        "stored, not a success": len(stored - set(ids)),
        "not submitted": sum(1 for _, status, _ in rows if status != Status.SUBMITTED),
        "without a 提出 event": sum(1 for _, _, n in rows if n == 0),
        "with more than one": sum(1 for _, _, n in rows if n > 1),
    }


def _empty_queue() -> None:
    """The notices queued on the bench's own Redis database (nobody consumes them) are dropped."""
    import redis

    redis.Redis.from_url(os.environ["BENCH_BROKER_URL"]).flushdb()


# -- profile --------------------------------------------------------------------------------------------

def profile(n: int, username: str) -> None:
    from django.test import Client

    from manual.models import HarassmentType

    client = Client()
    client.force_login(__import__("organization.models", fromlist=["User"]).User.objects.get(username=username))
    abuse = str(HarassmentType.objects.get(number=3).pk)
    run = uuid.uuid4().hex[:8]

    def one(i: int) -> None:
        page = client.get("/reports/new/")
        body = report_post(read_form(page.content), title=f"{TITLE_PREFIX} {run} profile #{i}", abuse_type=abuse)
        answer = client.post("/reports/new/", body, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 302 and "/reports/" in answer["Location"], answer.status_code

    one(0)  # warm-up
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for i in range(1, n + 1):
        one(i)
    profiler.disable()
    took = (time.perf_counter() - began) / n * 1000
    print(f"{n} form GET + submit POST in-process as {username}: {took:.0f} ms per pair")
    for key in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(35)
        print(out.getvalue())
    print(check_database(run, []))


# -- main -------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", default=None, help="override docker-compose's --workers")
    parser.add_argument("--threads", default=None, help="override docker-compose's --threads")
    parser.add_argument("--worker-class", default=None, help="override docker-compose's --worker-class")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of the last run (default: recreate it, so every run starts alike: "
                             "each report filed joins its reporter's 関連する連絡票 list, which the form renders)")
    parser.add_argument("--reports", type=int, default=5000, help="reports the prepared database holds")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N submits in-process instead of the load")
    args = parser.parse_args(argv)
    # A bench stopped with SIGTERM still stops its gunicorn (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    if not args.reuse:
        prepare(args.reports)
    else:
        migrate()  # the checkout may have moved on since the database was made
    harness.print_machine()
    if args.profile:
        profile(args.profile, staff_usernames(1)[0])
        return

    from manual.models import HarassmentType

    options = compose_web_options()
    options = _set_option(options, "--workers", args.workers)
    options = _set_option(options, "--threads", args.threads)
    options = _set_option(options, "--worker-class", args.worker_class)
    options = _set_option(options, "--access-logfile", "-")  # as compose: one line per request
    users = staff_usernames(args.users)
    abuse = str(HarassmentType.objects.get(number=3).pk)
    run = uuid.uuid4().hex[:8]
    log = Path(f"/tmp/bench-load-{run}.log")
    server = Server(options, log)
    try:
        workers = _option(options, "--workers", "1")
        threads = _option(options, "--threads", "1")
        kind = _option(options, "--worker-class", "gthread" if threads != "1" else "sync")
        print(f"   server: gunicorn {' '.join(options)} → {workers} × {kind}"
              f"{f' × {threads} threads' if threads != '1' else ''}; bench settings (DEBUG off), "
              f"broker {os.environ['BENCH_BROKER_URL']}, cache {os.environ['BENCH_CACHE_URL']}; log {log}")
        began = time.perf_counter()
        sessions = {u: login(server.port, u) for u in users}
        print(f"  sign-in: {len(users)} staff through the login form in {time.perf_counter() - began:.1f} s "
              f"({users[0]} … {users[-1]})")
        probe_cookies = dict(sessions[users[0]])
        request(server.port, "GET", harness.MINIMAL_URL, probe_cookies)
        idle = []
        for _ in range(30):
            t = time.perf_counter()
            request(server.port, "GET", harness.MINIMAL_URL, probe_cookies)
            idle.append((time.perf_counter() - t) * 1000)
        minimal_idle = statistics.median(idle)

        tally = Tally()
        start = threading.Event()
        stop_at = [0.0]
        threads_ = [threading.Thread(target=staff_member, daemon=True,
                                     args=(server.port, u, sessions[u], run, abuse, start, stop_at, tally))
                    for u in users]
        for t in threads_:
            t.start()
        probe_stop = threading.Event()
        under_load: list[float] = []
        probe = threading.Thread(target=minimal_probe, args=(server.port, probe_cookies, probe_stop, under_load))
        load_before = os.getloadavg()
        t0 = time.monotonic()
        stop_at[0] = t0 + args.seconds
        start.set()
        probe.start()
        for t in threads_:
            t.join()
        elapsed = time.monotonic() - t0
        probe_stop.set()
        probe.join()
        load_after = os.getloadavg()
    finally:
        server.stop()

    checks = check_database(run, tally.ids)
    _empty_queue()
    submits = len(tally.ids)
    p50, p95, p99 = (percentile(tally.submit_ms, p) for p in (50, 95, 99))
    print(f"     load: {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min; other work skews timings)")
    print()
    print(f"{args.users} staff for {args.seconds:.0f} s (ended after {elapsed:.1f} s: requests in flight finish): "
          f"{submits} submits, {len(tally.errors)} errors, {submits / elapsed:.2f} submits/s")
    print(f"  submit POST  ms: p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f}  max {max(tally.submit_ms, default=0):.0f}")
    print(f"  form GET     ms: p50 {percentile(tally.form_ms, 50):.0f}  p95 {percentile(tally.form_ms, 95):.0f}")
    print(f"  report page  ms: p50 {percentile(tally.page_ms, 50):.0f}  p95 {percentile(tally.page_ms, 95):.0f}")
    print(f"  minimal page ms: {minimal_idle:.1f} idle (median of 30, same server); under load p50 "
          f"{percentile(under_load, 50):.0f} ({len(under_load)} probes)")
    print(f"  submit p50 = {p50 / minimal_idle:.0f}× the idle minimal page")
    for error in tally.errors[:10]:
        print(f"  error: {error}")
    print("  database: " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    problems = [k for k in ("successes seen twice", "successes not stored", "stored, not a success", "not submitted",
                            "without a 提出 event", "with more than one") if checks[k]]
    ok = not tally.errors and not problems
    print(f"verdict: {'ok' if ok else 'FAILED'} — 0 errors and every success stored once with exactly one 提出 event"
          + (f" (problems: {', '.join(problems)}; {len(tally.errors)} errors)" if not ok else ""))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
