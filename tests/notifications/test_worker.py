"""Notices through the real Redis broker and real Celery workers (issue 10), never eager mode.

The module starts two worker processes (``celery -A kasuhara worker``, prefork, two children each)
on the test database, on a Redis database and queues of their own, each writing its e-mail into a
folder of its own through Django's file backend. Every e-mail carries ``X-Kasuhara-Notice: <id>``,
so counting those headers across the folders counts the deliveries of each notice. Deliveries are
asynchronous: the tests poll the database with a deadline and never sleep a fixed time.

What it shows: a submitted report reaches the 相談窓口's inbox and mailbox through the worker; with
the broker unreachable a report is still submitted at once and its notices wait, then the
re-enqueue sweep delivers each exactly once; two escalation sweeps or two re-enqueue sweeps at
once write and send nothing twice; two workers given the same rows send each row once.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import IncidentReport
from notifications.kinds import Kind
from notifications.models import UNDELIVERED, Notice, State
from tests.helpers import require_or_fail, uses_postgres
from tests.incidents.conftest import START, report_data  # noqa: F401 (a fixture)

# No xdist group: a group may be scheduled before the rest of its process's tests, and these tests
# commit (the flush after them would leave later non-committing tests without the seed data).
# pytest-django runs committing tests last; each xdist process that runs some starts its own workers.
pytestmark = [pytest.mark.redis, pytest.mark.postgres]

#: A port nothing listens on: the broker "down" (the connection is refused at once).
DEAD_BROKER = "redis://127.0.0.1:1/0"
#: The Redis database of these tests, apart from the suite's other users of that Redis.
REDIS_DB = 9
DEADLINE = 30.0
ROOT = Path(__file__).resolve().parents[2]


# -- the workers ---------------------------------------------------------------------------------

@dataclass
class Worker:
    name: str  # the node name remote control answers to
    queue: str  # a queue only this worker consumes, beside the shared one
    mailbox: Path
    process: subprocess.Popen


@dataclass
class Workers:
    broker: str
    queue: str  # the default queue: what the product's own code enqueues goes here
    members: list[Worker]

    @property
    def mailboxes(self) -> list[Path]:
        return [w.mailbox for w in self.members]


def _database_url() -> str:
    """The test database pytest-django created, as a URL for the workers' ``DATABASE_URL``."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{quote(db['NAME'], safe='')}"


def _own_redis_db(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{REDIS_DB}"))


def _reset_producers(app) -> None:
    """Drop every pooled broker connection of this process, so the next message opens one to
    whatever the configuration says now (never the dead URL of an earlier test)."""
    import kombu.pools

    for pool in (app._pool, app.amqp._producer_pool):
        if pool is not None:
            pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@contextmanager
def app_on(broker: str, queue: str) -> Iterator:
    """``kasuhara.celery.app`` in this process sends to ``broker`` (Celery reads the environment's
    CELERY_BROKER_URL before its own setting, so both change) on ``queue`` as default, not eagerly;
    everything is put back afterwards."""
    from kasuhara.celery import app

    keys = ("broker_url", "task_default_queue", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    saved_env = os.environ.get("CELERY_BROKER_URL")
    known_queues = set(app.amqp.queues)
    os.environ["CELERY_BROKER_URL"] = broker
    app.conf.update(broker_url=broker, task_default_queue=queue, task_always_eager=False)
    _reset_producers(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        for name in set(app.amqp.queues) - known_queues:
            app.amqp.queues.pop(name, None)
        _reset_producers(app)


def _stop(process: subprocess.Popen) -> None:
    """Warm shutdown, then the whole process group (its prefork children) if it lingers."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def celery_workers(django_db_setup, tmp_path_factory) -> Iterator[Workers]:
    """Two worker processes on the test database, started once for the module and stopped before
    the test database is dropped (a worker holding a connection would make the drop fail)."""
    require_or_fail(uses_postgres(), "PostgreSQL")
    url = os.environ.get("CELERY_BROKER_URL", "")
    require_or_fail(url.startswith("redis://"), "Redis broker (CELERY_BROKER_URL)")
    import redis

    broker = _own_redis_db(url)
    token = uuid.uuid4().hex[:10]
    shared = f"test-notices-{token}"
    base = tmp_path_factory.mktemp("worker-mail")
    members: list[Worker] = []
    try:
        for letter in "ab":
            name, own = f"notices-{letter}-{token}@kasuhara-test", f"{shared}-{letter}"
            mailbox = base / letter
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "kasuhara.settings",
                "DATABASE_URL": _database_url(),
                "DATABASE_CONN_MAX_AGE": "0",
                "CELERY_BROKER_URL": broker,
                "CELERY_TASK_DEFAULT_QUEUE": shared,
                "EMAIL_URL": f"filemail:///{mailbox}",  # an absolute path takes a fourth slash
                "KASUHARA_NOTICE_REQUEUE_GRACE_SECONDS": "0",
            }
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                [sys.executable, "-m", "celery", "-A", "kasuhara", "--quiet", "--result-backend", broker, "worker",
                 "--pool", "prefork", "--concurrency", "2", "-Q", f"{shared},{own}", "-n", name,
                 "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
                 "--", "result.expires=600"],
                cwd=ROOT, env=env, start_new_session=True,
            )
            members.append(Worker(name, own, mailbox, process))
        workers = Workers(broker, shared, members)
        with app_on(broker, shared) as app:
            waiting = {w.name for w in members}
            deadline = time.monotonic() + DEADLINE
            while waiting and time.monotonic() < deadline:
                for w in members:
                    if w.process.poll() is not None:
                        pytest.fail(f"celery worker {w.name} exited with {w.process.returncode}")
                for reply in app.control.ping(destination=sorted(waiting), timeout=0.5):
                    waiting -= set(reply)
            if waiting:
                pytest.fail(f"celery workers not ready after {DEADLINE:.0f} s: {sorted(waiting)}")
        yield workers
    finally:
        for w in members:
            if w.process.poll() is None:
                w.process.terminate()  # both shut down at once
        for w in members:
            _stop(w.process)
        if url.startswith("redis://"):
            client = redis.Redis.from_url(broker)
            for queue in [shared, *(w.queue for w in members)]:
                client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def live(celery_workers, committed_db, _tasks_in_process, users) -> Iterator[Workers]:
    """This test's tasks go through Redis to the workers, and the demo users have addresses."""
    for user in users.values():
        assert user.email, f"{user.username} would get inbox-only delivery"
    with app_on(celery_workers.broker, celery_workers.queue):
        yield celery_workers


# -- what the workers did ------------------------------------------------------------------------

def delivered(mailboxes: list[Path]) -> list[email.message.EmailMessage]:
    """Every e-mail the workers wrote (Django's file backend: messages separated by a line of 79
    dashes, one file per connection)."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for folder in mailboxes:
        for path in sorted(folder.glob("*.log")):
            for chunk in path.read_bytes().split(separator):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def deliveries(mailboxes: list[Path]) -> Counter:
    """How many e-mails each notice (by id) produced."""
    return Counter(int(m["X-Kasuhara-Notice"]) for m in delivered(mailboxes) if m["X-Kasuhara-Notice"])


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def wait_until_delivered(ids: list[int]) -> None:
    wait_for(lambda: not Notice.objects.filter(pk__in=ids, state__in=UNDELIVERED).exists(),
             f"{len(ids)} notices to leave pending/sending")


def pending_notices(users, report, count: int) -> list[int]:
    """``count`` notices written while nothing enqueued them (as when the broker was down), to
    people with an address, due since a minute ago."""
    people = [users[name] for name in ("desk", "desk2", "chief", "gachief", "gadir", "chair")]
    now = timezone.now()
    rows = Notice.objects.bulk_create([
        Notice(recipient=people[i % len(people)], kind=Kind.REPORT_SUBMITTED, key=f"bulk-{uuid.uuid4().hex}",
               params={"report": report.pk, "types": "暴言型"}, created_at=now, next_attempt_at=now - timedelta(minutes=1))
        for i in range(count)
    ])
    return [row.pk for row in rows]


def together(calls: list[Callable[[], object]]) -> list:
    """Run each call in its own thread (and database connection), all released at once; an
    exception is returned as the call's answer."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i: int, call) -> None:
        try:
            barrier.wait(10)
            answers[i] = call()
        except Exception as error:
            answers[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    return answers


# -- 1. a report, the worker, the inbox, the mailbox ---------------------------------------------

def test_a_submitted_report_reaches_the_desk_by_inbox_and_mail_through_the_worker(live, users, report_data):  # noqa: F811
    staff, desk = Client(), Client()
    staff.force_login(users["staff"])
    desk.force_login(users["desk"])

    posted = staff.post("/reports/new/", report_data())

    report = IncidentReport.objects.get()
    assert posted.status_code == 302 and report.status == Status.SUBMITTED
    notice = Notice.objects.get(recipient=users["desk"], kind=Kind.REPORT_SUBMITTED)
    ids = list(Notice.objects.filter(key=notice.key).values_list("pk", flat=True))
    wait_until_delivered(ids)
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.email_to == "desk@example.lg.jp"
    subject = f"発生連絡票が提出されました（No.{report.pk}）"
    assert subject in desk.get("/inbox/").content.decode()
    (message,) = [m for m in delivered(live.mailboxes) if m["X-Kasuhara-Notice"] == str(notice.pk)]
    assert message["To"] == "desk@example.lg.jp"
    assert message["Subject"].strip() == subject  # folded: "Subject:" then the encoded words
    assert f"/reports/{report.pk}/" in message.get_body().get_content()
    counts = deliveries(live.mailboxes)
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)
    assert mail.outbox == []  # the worker sent it, not this process


# -- 2. the broker is down when the report is submitted ----------------------------------------

def test_a_report_submitted_while_the_broker_is_down_is_delivered_once_when_it_is_back(
    live, users, report_data  # noqa: F811
):
    from notifications.tasks import requeue_pending

    staff = Client()
    staff.force_login(users["staff"])

    with app_on(DEAD_BROKER, live.queue):
        started = time.monotonic()
        posted = staff.post("/reports/new/", report_data())
        took = time.monotonic() - started

    report = IncidentReport.objects.get()
    assert posted.status_code == 302 and report.status == Status.SUBMITTED
    assert took < 5, f"submitting took {took:.1f} s with the broker down"
    written = Notice.objects.filter(params__report=report.pk)
    ids = list(written.values_list("pk", flat=True))
    assert len(ids) >= 2 and users["desk"].pk in written.values_list("recipient", flat=True)
    assert set(written.values_list("state", flat=True)) == {State.PENDING}
    assert not set(deliveries(live.mailboxes)) & set(ids)

    requeue_pending.delay()  # as beat does, on the broker that is back

    wait_until_delivered(ids)
    assert set(written.values_list("state", flat=True)) == {State.SENT}
    counts = deliveries(live.mailboxes)
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)


# -- 3. two sweeps at once -----------------------------------------------------------------------

def test_two_escalation_sweeps_at_once_write_each_notice_once(live, users, make_report):
    from incidents.escalation import sweep

    reports = [make_report(users["staff" if i % 2 else "staff2"], title=f"未受付{i}") for i in range(15)]
    now = START + timedelta(days=30)  # every level (1, 2, 3 business days) is due

    answers = together([lambda: sweep(now=now), lambda: sweep(now=now)])

    assert not [a for a in answers if isinstance(a, Exception)], answers
    expected = {
        (report.pk, kind, name)
        for report in reports
        for kind, name in ((Kind.UNACCEPTED_1, "desk"), (Kind.UNACCEPTED_1, "desk2"),
                           (Kind.UNACCEPTED_2, "gachief"), (Kind.UNACCEPTED_3, "gadir"))
    }
    rows = list(Notice.objects.values_list("params__report", "kind", "recipient__username"))
    assert sorted(rows) == sorted(expected)
    assert sum(answers) == len(expected)  # what one run wrote, the other did not write again
    assert sweep(now=now) == 0
    ids = list(Notice.objects.values_list("pk", flat=True))
    wait_until_delivered(ids)
    counts = deliveries(live.mailboxes)
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)


def test_two_requeue_sweeps_at_once_send_each_notice_once(live, users, make_report, settings):
    from notifications.tasks import requeue_pending

    settings.KASUHARA_NOTICE_REQUEUE_GRACE_SECONDS = 0
    ids = pending_notices(users, make_report(users["staff"]), 60)

    answers = together([requeue_pending, requeue_pending])

    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert sum(answers) > len(ids)  # both runs handed some of the same notices to the broker
    wait_until_delivered(ids)
    assert set(Notice.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.SENT}
    counts = deliveries(live.mailboxes)
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)


# -- 4. two workers, the same rows ---------------------------------------------------------------

def test_two_workers_given_the_same_notices_send_each_once(live, users, make_report):
    from celery.backends.redis import RedisBackend
    from celery.result import AsyncResult

    from notifications.tasks import deliver_notices

    ids = pending_notices(users, make_report(users["staff"]), 200)
    batches = [ids[start:start + 20] for start in range(0, len(ids), 20)]

    sent = [deliver_notices.apply_async((batch,), queue=worker.queue) for batch in batches for worker in live.members]
    backend = RedisBackend(app=sent[0].app, url=live.broker)
    results = [AsyncResult(s.id, app=s.app, backend=backend) for s in sent]
    outcomes = [result.get(timeout=DEADLINE) for result in results]  # what each task reports

    for result in results:
        result.forget()
    # Every row was in two tasks, one on each worker: one sent it, the other found it taken.
    assert sum(o.get("sent", 0) for o in outcomes) == len(ids)
    assert sum(o.get("skipped", 0) for o in outcomes) == len(ids)
    assert set(Notice.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.SENT}
    counts = deliveries(live.mailboxes)
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)
