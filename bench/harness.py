"""Shared measuring helpers: logged-in clients, timing of one address, the machine, the table.

Every benchmark measures the minimal logged-in page (``/bench/minimal/``: same middleware, session
and user, no query of its own) in the same run and reports each page as a ratio of it, so numbers
from machines of different speed can be compared.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import bench.django_env  # noqa: F401 - configures Django; must stay the first project import
from organization.models import User

MINIMAL_URL = "/bench/minimal/"


@dataclass
class Result:
    label: str
    url: str
    median_ms: float
    p90_ms: float
    queries: int
    status: int
    n: int


_clients: dict[str, Client] = {}


def client_for(username: str) -> Client:
    """A django.test.Client logged in as ``username`` (force_login: no password hashing). A role
    that needs the second factor (production settings, as here) is signed in as after typing its
    authenticator app's code: a confirmed app and a verified session, so the page is measured, not
    the redirect to the code page."""
    if username not in _clients:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from signin.otp_services import second_factor_required

        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        if second_factor_required(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="bench", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        _clients[username] = client
    return _clients[username]


def measure(client: Client, url: str, n: int = 30, *, label: str | None = None) -> Result:
    """Median and 90th percentile of ``n`` requests, after one warm-up; SQL queries of one request."""
    response = client.get(url)  # warm-up: connection, templates, caches
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)  # now: the next request_started clears the log
    times = []
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
    return Result(label or url, url, statistics.median(times), p90, queries, response.status_code, n)


def captured_queries(client: Client, url: str) -> list[str]:
    """The SQL one request to ``url`` sends (after a warm-up)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
        return [q["sql"] for q in captured.captured_queries]


def machine() -> dict[str, str]:
    """CPU model, cores, memory, Python, PostgreSQL: printed above every table."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    try:
        load = " ".join(f"{v:.2f}" for v in os.getloadavg()) + " (1/5/15 min: other work on the machine skews timings)"
    except OSError:
        load = "unknown"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "database": f"{connection.vendor} {pg} ({connection.settings_dict['NAME']})",
        "load": load,
    }


def print_machine() -> None:
    for key, value in machine().items():
        print(f"{key:>9}: {value}")


def print_table(results: list[Result], baseline: Result) -> None:
    """One line per address: median, p90, queries, and the median as a multiple of the minimal page."""
    width = max(len(r.label) for r in results)
    print(f"{'page':<{width}}  {'median ms':>9}  {'p90 ms':>7}  {'queries':>7}  {'× minimal':>9}")
    for r in results:
        ratio = r.median_ms / baseline.median_ms if baseline.median_ms else float("nan")
        print(f"{r.label:<{width}}  {r.median_ms:>9.1f}  {r.p90_ms:>7.1f}  {r.queries:>7}  {ratio:>8.1f}x")


def measure_rounds(pages: list[tuple[str, str, str]], n: int, rounds: int) -> tuple[list[Result], dict[str, float]]:
    """Measure the minimal page and then each (label, username, url) of ``pages``, ``rounds`` times
    over. Returns one Result per page (the minimal one first) whose median and p90 are the median
    of the rounds' figures, and each page's ratio to the minimal page: the median of the rounds'
    ratios, each taken within one round, so a load that comes and goes skews both sides alike."""
    measured: dict[str, list[Result]] = {}
    ratios: dict[str, list[float]] = {}
    for _ in range(rounds):
        baseline = measure(client_for("desk"), MINIMAL_URL, n, label="minimal page")
        measured.setdefault(baseline.label, []).append(baseline)
        for label, username, url in pages:
            result = measure(client_for(username), url, n, label=label)
            measured.setdefault(label, []).append(result)
            ratios.setdefault(label, []).append(result.median_ms / baseline.median_ms)
    combined = [
        Result(label, runs[0].url, statistics.median(r.median_ms for r in runs), statistics.median(r.p90_ms for r in runs),
               runs[0].queries, runs[-1].status, sum(r.n for r in runs))
        for label, runs in measured.items()
    ]
    return combined, {"minimal page": 1.0, **{label: statistics.median(values) for label, values in ratios.items()}}


def print_ratio_table(results: list[Result], ratios: dict[str, float]) -> None:
    """As ``print_table``, with the ratios given (see ``measure_rounds``)."""
    width = max(len(r.label) for r in results)
    print(f"{'page':<{width}}  {'median ms':>9}  {'p90 ms':>7}  {'queries':>7}  {'× minimal':>9}")
    for r in results:
        print(f"{r.label:<{width}}  {r.median_ms:>9.1f}  {r.p90_ms:>7.1f}  {r.queries:>7}  {ratios[r.label]:>8.1f}x")
