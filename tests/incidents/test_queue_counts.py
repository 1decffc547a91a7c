"""The queue's tab counts: exact on the next load after any move made by anyone, the same as
counting the reports the access rule lets the user see, and — for the 相談窓口 on PostgreSQL — read
from the count table the database keeps (``incidents/counts.py``) without counting the reports."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import counts, policies, queue
from incidents.lifecycle import Status
from incidents.models import Difficulty, IncidentReport, ReportCount
from tests.helpers import uses_postgres

pytestmark = pytest.mark.django_db


def tab_counts(client) -> dict[str, int]:
    response = client.get("/queue/")
    assert response.status_code == 200
    return {tab.key: n for tab, n in response.context["queue"].tabs}


def counted(reports) -> dict[str, int]:
    """The tab counts got by counting ``reports`` one by one."""
    statuses = Counter(reports.values_list("status", flat=True))
    return {"waiting": statuses[Status.SUBMITTED] + statuses[Status.CONFIRMED],
            "accepted": statuses[Status.ACCEPTED], "in_progress": statuses[Status.IN_PROGRESS],
            "referred": statuses[Status.REFERRED], "decided": statuses[Status.DECIDED] + statuses[Status.SHARED],
            "closed": statuses[Status.CLOSED], "all": sum(statuses.values())}


# -- exact at once ------------------------------------------------------------------------------------

def test_every_move_by_another_request_shows_in_the_tab_counts_on_the_next_load(client_as, users, report_data):
    desk, staff, chief = client_as("desk"), client_as("staff"), client_as("chief")
    before = tab_counts(desk)
    assert before["all"] == 0

    def move(client, report, name, **data):
        report.refresh_from_db()
        response = client.post(f"/reports/{report.pk}/move/{name}/", {"version": report.version, **data})
        assert response.status_code == 302, response.content.decode()[:500]

    staff.post("/reports/new/", report_data(action="save"))  # a draft: in nobody's queue
    assert tab_counts(desk) == before
    staff.post("/reports/new/", report_data(action="submit"))
    report = IncidentReport.objects.get(status=Status.SUBMITTED)
    assert tab_counts(desk) == {**before, "waiting": 1, "all": 1}
    move(chief, report, "confirm", judgement="applicable", difficulty="normal")
    assert tab_counts(desk) == {**before, "waiting": 1, "all": 1}
    move(desk, report, "accept")
    assert tab_counts(desk) == {**before, "accepted": 1, "all": 1}
    move(desk, report, "start")
    assert tab_counts(desk) == {**before, "in_progress": 1, "all": 1}
    move(desk, report, "close", outcome="resolved", outcome_note="以後の来庁なし")
    assert tab_counts(desk) == {**before, "closed": 1, "all": 1}
    move(desk, report, "reopen", reason="再び来庁")
    assert tab_counts(desk) == {**before, "in_progress": 1, "all": 1}
    # The 所属長 counts the same case through the access rule.
    assert tab_counts(chief) == {**before, "in_progress": 1, "all": 1}


def test_the_desks_counts_are_not_counted_from_the_reports_on_postgresql(client_as, make_report, users):
    make_report(users["staff"])
    client = client_as("desk")
    client.get("/queue/")
    with CaptureQueriesContext(connection) as captured:
        assert tab_counts(client)["waiting"] == 1
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    if uses_postgres():
        assert any("incidents_reportcount" in sql for sql in grouped)
        assert not any('FROM "incidents_incidentreport"' in sql for sql in grouped)
    else:  # SQLite keeps no count table: the queue counts the reports
        assert any('FROM "incidents_incidentreport"' in sql for sql in grouped)


# -- the same as counting -----------------------------------------------------------------------------

@pytest.fixture
def many(make_report, users, neighbour):
    """Reports of three 課 (two 部) in every state and 難易度, drafts and discarded ones included."""
    reporters = [users["staff"], neighbour, users["staff2"]]
    difficulties = ["", Difficulty.NORMAL, Difficulty.HARD, Difficulty.VERY_HARD]
    made = []
    for i, status in enumerate(Status.values * 3):
        made.append(make_report(reporters[i % 3], status=status, difficulty=difficulties[i % 4]))
    return made


FILTERS = [{}, {"difficulty": ["hard", "very_hard"]}, {"difficulty": ["normal"]}]


def table_groups(user, values: dict) -> dict[tuple[str, str], int]:
    filtered = queue.apply_filters(policies.queue_reports(user), values, user=user, now=timezone.now(), cal=None)
    return {(s, d): n for s, d, n in queue.status_groups(user, values, filtered)}


def counted_groups(user, values: dict) -> dict[tuple[str, str], int]:
    filtered = queue.apply_filters(policies.queue_reports(user), values, user=user, now=timezone.now(), cal=None)
    return dict(Counter(filtered.values_list("status", "difficulty")))


def each_filter(users):
    section, department = users["staff"].section, users["staff"].section.department
    yield from FILTERS
    for extra in FILTERS:
        yield {**extra, "section": section.pk}
        yield {**extra, "department": department.pk}


@pytest.mark.parametrize("username", ["desk", "chief", "director"])
def test_the_counts_equal_counting_what_the_access_rule_lets_the_user_see(many, users, username):
    user = users[username]
    for values in each_filter(users):
        assert table_groups(user, values) == counted_groups(user, values), values


def test_the_counts_stay_exact_through_bulk_updates_deletes_and_compaction(many, users):
    desk = users["desk"]
    IncidentReport.objects.filter(status=Status.SUBMITTED).update(status=Status.ACCEPTED, difficulty=Difficulty.HARD)
    IncidentReport.objects.filter(status=Status.CLOSED, section=users["staff"].section).delete()
    IncidentReport.objects.filter(status=Status.DRAFT).update(section=users["staff2"].section)
    IncidentReport.objects.filter(status=Status.REFERRED).update(title="件名だけの変更")  # no key moves
    for values in each_filter(users):
        assert table_groups(desk, values) == counted_groups(desk, values), values
    if uses_postgres():
        before = ReportCount.objects.count()
        left = counts.compact()
        assert left == ReportCount.objects.count() < before
        assert not ReportCount.objects.filter(n=0).exists()
        assert counts.compact() == left  # nothing more to fold
    for values in each_filter(users):
        assert table_groups(desk, values) == counted_groups(desk, values), values


def test_the_page_shows_what_counting_gives_for_each_role(client_as, many, users):
    for username in ("desk", "chief", "director"):
        shown = {k: n for k, n in tab_counts(client_as(username)).items() if k != "difficult"}
        assert shown == counted(policies.queue_reports(users[username])), username


# -- two writers --------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_two_writers_of_the_same_count_never_wait_for_each_other(postgres, committed_db, users, make_report):
    """The triggers only add rows: a move waits for no other transaction's count, even of the same
    課, 状態 and 難易度 (an updated counter row would make the second wait for the first to end)."""
    first, second = make_report(users["staff"]), make_report(users["staff"])
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def accept_and_hold() -> None:
        try:
            with transaction.atomic():
                IncidentReport.objects.filter(pk=first.pk).update(status=Status.ACCEPTED)
                holding.set()
                release.wait(10)
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=accept_and_hold)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            IncidentReport.objects.filter(pk=second.pk).update(status=Status.ACCEPTED)
        # The first is not committed yet: this connection counts its own move only.
        assert dict(((s, d), n) for s, d, n in counts.submitted_counts())[(Status.ACCEPTED, "")] == 1
    finally:
        release.set()
        thread.join(10)
    assert not failures
    assert dict(((s, d), n) for s, d, n in counts.submitted_counts()).get((Status.SUBMITTED, "")) is None
    assert tab_counts_of(users["desk"]) == {"accepted": 2, "all": 2}


def tab_counts_of(user) -> dict[str, int]:
    built = queue.build_queue(user, QueryDict())
    return {tab.key: n for tab, n in built.tabs if n}


def test_the_count_rows_are_folded_every_hour(settings, many):
    from incidents import tasks

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "incidents.tasks.compact_report_counts")
    assert entry["schedule"] <= 60 * 60
    before = dict(((s, d), n) for s, d, n in counts.submitted_counts()) if uses_postgres() else {}
    assert tasks.compact_report_counts() == ReportCount.objects.count()
    if uses_postgres():
        assert dict(((s, d), n) for s, d, n in counts.submitted_counts()) == before
        assert ReportCount.objects.count() == len(set(ReportCount.objects.values_list("status", "difficulty")))


@pytest.mark.postgres
def test_a_recount_repairs_counts_written_around_the_triggers(postgres, many, users):
    desk = users["desk"]
    right = table_groups(desk, {})
    ReportCount.objects.all().delete()  # as after reports restored with the triggers off
    assert table_groups(desk, {}) != right
    assert counts.recount() == ReportCount.objects.count()
    assert table_groups(desk, {}) == right == counted_groups(desk, {})
