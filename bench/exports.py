"""Exports of the queue on the bench database, through a real server: ``python -m bench.exports``.

Fill the database first (``python -m bench.generate --reports 100000 --seed 1``) and migrate it.
The bench starts gunicorn (one sync worker, the bench settings) on a free local port, signs in as
``desk`` (a session made in the database, sent as a cookie), and reads over HTTP:

- the minimal logged-in page (``/bench/minimal/``) ``--n`` times: the baseline of the same run, and
  the export page of the 「すべて」 tab (its count of every row) as many times;
- a small warm-up export of each format (the cases of one day: modules loaded, connection open —
  what a worker that has served a while has already paid);
- the CSV export of every case of the 相談窓口's 「すべて」 tab with the default columns, then the
  XLSX export of the same rows, each ``--rounds`` times.

For each export: the time to the first byte and to the last, the size and the rows, and the
server worker's memory — its VmRSS (``/proc/<pid>/status``) just before the request and the peak
during it: the kernel's peak (VmHWM) is reset before each request (``/proc/<pid>/clear_refs``,
5), and VmRSS is also sampled every 20 ms while the file streams. Verdicts: CSV ≤ 10 s and < 50 MB
growth, XLSX ≤ 60 s and < 200 MB (growth and the worker's peak).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import harness

ROOT = Path(__file__).resolve().parent.parent
CSV_TARGET_S, CSV_TARGET_MB = 10, 50
XLSX_TARGET_S, XLSX_TARGET_MB = 60, 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _reset_peak(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _worker_pid(master: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


@dataclass
class Download:
    label: str
    seconds: float
    first_byte: float
    size: int
    lines: int
    status: int
    rss_before_mb: float
    peak_mb: float

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.rss_before_mb


class Server:
    def __init__(self, port: int):
        self.port = port
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "kasuhara.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "600", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        self.worker = _worker_pid(self.process.pid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def get(self, path: str, cookie: str, *, sample: bool = False, label: str = "") -> Download:
        rss_before = _kb(self.worker, "VmRSS")
        _reset_peak(self.worker)
        peak = [rss_before]
        done = threading.Event()

        def sampler():
            while not done.is_set():
                try:
                    peak[0] = max(peak[0], _kb(self.worker, "VmRSS"))
                except (OSError, KeyError):
                    return
                done.wait(0.02)

        thread = threading.Thread(target=sampler, daemon=True)
        if sample:
            thread.start()
        began = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
        response = connection.getresponse()
        first = None
        size = lines = 0
        while True:
            piece = response.read(65536)
            if first is None:
                first = time.perf_counter() - began
            if not piece:
                break
            size += len(piece)
            lines += piece.count(b"\n")
        seconds = time.perf_counter() - began
        connection.close()
        done.set()
        if sample:
            thread.join()
        try:
            hwm = _kb(self.worker, "VmHWM")
        except (OSError, KeyError):
            hwm = 0
        return Download(label or path, seconds, first or seconds, size, lines, response.status,
                        rss_before / 1024, max(peak[0], hwm) / 1024)


def _session_cookie(username: str) -> str:
    from django.test import Client

    from organization.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies["sessionid"].value


def _export_url(fmt: str, **params) -> str:
    from incidents.exports import DEFAULT_COLUMNS

    return "/queue/export/file/?" + urlencode({"tab": "all", **params, "columns": DEFAULT_COLUMNS, "format": fmt},
                                              doseq=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=30, help="minimal page requests (default 30)")
    parser.add_argument("--rounds", type=int, default=1, help="each full export this many times (default 1)")
    args = parser.parse_args(argv)

    harness.print_machine()
    from incidents import policies
    from incidents.models import IncidentReport
    from organization.models import User

    desk = User.objects.get(username="desk")
    rows = policies.queue_reports(desk).count()
    print(f"  reports: {IncidentReport.objects.count():,} (the 相談窓口's 「すべて」: {rows:,} submitted)")
    cookie = _session_cookie("desk")
    server = Server(_free_port())
    try:
        print(f"   server: gunicorn, 1 sync worker (pid {server.worker}), bench settings (DEBUG off); "
              f"worker VmRSS at start {_kb(server.worker, 'VmRSS') / 1024:.1f} MB")
        print()
        minimal = []
        server.get(harness.MINIMAL_URL, cookie)
        for _ in range(args.n):
            minimal.append(server.get(harness.MINIMAL_URL, cookie).seconds * 1000)
        minimal_ms = statistics.median(minimal)
        print(f"minimal page: median {minimal_ms:.1f} ms over {args.n} requests (HTTP, same server)")
        page_url = "/queue/export/?tab=all"
        server.get(page_url, cookie)
        page_ms = statistics.median(server.get(page_url, cookie).seconds * 1000 for _ in range(args.n))
        print(f"export page {page_url} (counts {rows:,} rows): median {page_ms:.1f} ms, "
              f"{page_ms / minimal_ms:.1f}x minimal")
        # Warm-up: a few rows of each format.
        for fmt in ("csv", "xlsx"):
            warm = server.get(_export_url(fmt, date_from="2025-06-18", date_to="2025-06-18"), cookie,
                              label=f"warm-up {fmt}")
            if warm.status != 200:
                raise SystemExit(f"warm-up {fmt} answered {warm.status}")
        print(f"after warm-up: worker VmRSS {_kb(server.worker, 'VmRSS') / 1024:.1f} MB")
        results = []
        for _ in range(max(1, args.rounds)):
            for fmt in ("csv", "xlsx"):
                results.append(server.get(_export_url(fmt), cookie, sample=True, label=f"{fmt} all ({rows:,} rows)"))
        print()
        print(f"{'export':<26} {'status':>6} {'first byte s':>12} {'total s':>8} {'MB':>7} {'lines':>8} "
              f"{'RSS before MB':>13} {'peak MB':>8} {'growth MB':>9} {'× minimal':>10}")
        for r in results:
            print(f"{r.label:<26} {r.status:>6} {r.first_byte:>12.2f} {r.seconds:>8.2f} {r.size / 1e6:>7.1f} "
                  f"{r.lines:>8,} {r.rss_before_mb:>13.1f} {r.peak_mb:>8.1f} {r.growth_mb:>9.1f} "
                  f"{r.seconds * 1000 / minimal_ms:>9.0f}x")
        print(f"     load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (at the end)")
        print()
        for r in results:
            is_csv = r.label.startswith("csv")
            limit_s, limit_mb = (CSV_TARGET_S, CSV_TARGET_MB) if is_csv else (XLSX_TARGET_S, XLSX_TARGET_MB)
            ok_time = r.seconds <= limit_s
            ok_memory = r.growth_mb < limit_mb and (is_csv or r.peak_mb < limit_mb)
            print(f"target {r.label}: ≤ {limit_s} s → {r.seconds:.1f} s {'ok' if ok_time else 'OVER'}; "
                  f"memory < {limit_mb} MB → growth {r.growth_mb:.1f} MB, peak {r.peak_mb:.1f} MB "
                  f"{'ok' if ok_memory else 'OVER'}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
