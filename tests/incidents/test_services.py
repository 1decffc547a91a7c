"""Saving and submitting a report (incidents/services.py): what is stored, what is refused, and
that two 提出 pressed at the same moment submit once (on PostgreSQL, with a real row lock)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import QueryDict

from incidents import services
from incidents.forms import IncidentReportForm
from incidents.lifecycle import Status
from incidents.models import EventAction, IncidentReport, ReportEvent
from tests.incidents.conftest import START, local


def bound_form(data: dict, *, user, report: IncidentReport | None = None) -> IncidentReportForm:
    """The form (with its 経過 rows) as the view binds it to a POST; for an existing report, as
    opened at the report's current version."""
    post = QueryDict(mutable=True)
    if report is not None:
        data = {"version": str(report.version), **data}
    for key, value in data.items():
        post.setlist(key, value if isinstance(value, list) else [value])
    report = report or IncidentReport(reporter=user)
    return IncidentReportForm(post, instance=report, user=user, submitting=data.get("action") == "submit")


TWO_ROWS = [
    {"at": local(START), "kind": "other", "description": "対応開始", "actor_name": "窓口 花子"},
    {"at": "2025-06-18T09:10", "kind": "warning", "description": "大声をやめるよう警告", "actor_name": "窓口 花子"},
]


def test_saving_a_new_report_files_it_under_the_reporter_and_their_section(users, report_data):
    staff = users["staff"]
    form = bound_form(report_data(action="save", timeline=TWO_ROWS), user=staff)

    result = services.save_report(actor=staff, form=form, ip_address="192.0.2.1")

    assert result.outcome == services.Outcome.CREATED
    report = result.report
    report.refresh_from_db()
    assert (report.reporter, report.section, report.status) == (staff, staff.section, Status.DRAFT)
    assert report.title == "窓口での長時間の居座り"
    assert [(e.kind, e.description) for e in report.timeline.all()] == [
        ("other", "対応開始"), ("warning", "大声をやめるよう警告"),
    ]
    event = report.events.get()
    assert (event.action, event.actor, event.to_status, event.ip_address) == (
        EventAction.CREATED, staff, Status.DRAFT, "192.0.2.1",
    )
    assert report.submitted_at is None


def test_saving_a_draft_again_records_what_changed(users, report_data, make_report):
    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)
    form = bound_form(report_data(action="save", title="件名を直した"), user=staff, report=draft)

    assert services.save_report(actor=staff, form=form, ip_address="192.0.2.2").outcome == services.Outcome.SAVED

    draft.refresh_from_db()
    assert draft.title == "件名を直した"
    event = draft.events.get()
    assert event.action == EventAction.SAVED
    assert "title" in event.detail["changed"]


def test_submitting_moves_the_draft_to_submitted_and_records_it(users, make_report):
    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)

    submitted = services.transition(report=draft, name="submit", actor=staff, ip_address="192.0.2.3")

    draft.refresh_from_db()
    assert draft.status == submitted.status == Status.SUBMITTED
    assert draft.get_status_display() == "提出済み"
    assert draft.submitted_at is not None
    event = draft.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor, event.ip_address) == (
        EventAction.SUBMITTED, Status.DRAFT, Status.SUBMITTED, staff, "192.0.2.3",
    )


def test_save_and_submit_in_one_step_leaves_both_events(users, report_data):
    staff = users["staff"]
    form = bound_form(report_data(), user=staff)

    result = services.save_report(actor=staff, form=form)

    assert result.outcome == services.Outcome.SUBMITTED
    report = result.report
    assert report.status == Status.SUBMITTED
    assert list(report.events.values_list("action", flat=True)) == [EventAction.CREATED, EventAction.SUBMITTED]


def test_a_report_cannot_be_submitted_twice(users, make_report):
    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)
    services.transition(report=draft, name="submit", actor=staff)
    first_submitted_at = IncidentReport.objects.get(pk=draft.pk).submitted_at

    with pytest.raises(ValidationError) as refused:
        services.transition(report=draft, name="submit", actor=staff)

    assert refused.value.messages == ["この連絡票は「提出済み」のため、提出できません。"]
    assert IncidentReport.objects.get(pk=draft.pk).submitted_at == first_submitted_at
    assert ReportEvent.objects.filter(report=draft, action=EventAction.SUBMITTED).count() == 1


def test_nobody_submits_someone_elses_draft(users, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT)

    for other in ("staff2", "chief", "desk", "admin"):
        with pytest.raises(PermissionDenied):
            services.transition(report=draft, name="submit", actor=users[other])

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.events.exists()


def test_the_service_itself_refuses_to_submit_an_incomplete_draft(users, make_report):
    """Even if a caller skipped the form, a report without 態様 or 言動 is not submitted."""
    draft = make_report(users["staff"], status=Status.DRAFT, conduct="", type_codes=())

    with pytest.raises(ValidationError) as refused:
        services.transition(report=draft, name="submit", actor=users["staff"])

    assert refused.value.messages == ["提出に必要な項目が足りません：態様、言動"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_after_submitting_the_reporter_can_no_longer_change_the_report(client, users, make_report, report_data):
    staff = users["staff"]
    report = make_report(staff, status=Status.DRAFT, title="元の件名")
    services.transition(report=report, name="submit", actor=staff)
    client.force_login(staff)

    response = client.post(f"/reports/{report.pk}/edit/", report_data(action="save", title="提出後に変えた"))

    assert response.status_code == 409
    assert "「提出済み」になったため、変更できません" in response.content.decode()
    report.refresh_from_db()
    assert (report.title, report.status) == ("元の件名", Status.SUBMITTED)
    form = bound_form(report_data(action="save", title="提出後に変えた"), user=staff, report=report)
    assert services.save_report(actor=staff, form=form).outcome == services.Outcome.CONFLICT
    assert IncidentReport.objects.get(pk=report.pk).title == "元の件名"


# -- two submits at the same moment ----------------------------------------------------------------

def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
def test_two_simultaneous_submits_of_one_draft_submit_it_once(postgres, committed_db, users, make_report):
    """Two browser tabs press 提出 together: the first locks the row; the second waits for it,
    then sees 提出済み and is refused. Without the lock both would record a submission."""
    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)
    first_holds_lock, release_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_tab():
        try:
            with transaction.atomic():
                services.transition(report=draft, name="submit", actor=staff)
                first_holds_lock.set()
                release_first.wait(10)
            outcome["first"] = "submitted"
        except Exception as error:  # reported by the assertions below
            outcome["first"] = error
        finally:
            first_holds_lock.set()
            connection.close()

    def second_tab():
        first_holds_lock.wait(10)
        try:
            services.transition(report=draft, name="submit", actor=staff)
            outcome["second"] = "submitted"
        except ValidationError as error:
            outcome["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first_tab), threading.Thread(target=second_tab)]
    for thread in threads:
        thread.start()
    first_holds_lock.wait(10)
    deadline = time.monotonic() + 5
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    release_first.set()
    for thread in threads:
        thread.join(15)

    assert outcome["first"] == "submitted"
    assert isinstance(outcome["second"], ValidationError), outcome["second"]
    assert outcome["second"].messages == ["この連絡票は「提出済み」のため、提出できません。"]
    assert ReportEvent.objects.filter(report=draft, action=EventAction.SUBMITTED).count() == 1
    assert IncidentReport.objects.get(pk=draft.pk).status == Status.SUBMITTED
