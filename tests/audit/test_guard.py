"""The database-level guard (issue 14): on PostgreSQL an audit row cannot be changed or deleted, not
even by SQL that goes around the product; on SQLite (development) nothing is installed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.guard import audit_tables, backdating, unguarded_tables
from incidents.models import EventAction, ReportEvent
from tests.helpers import require_or_fail, uses_postgres

MESSAGE = "監査記録は変更・削除できません"


@pytest.fixture
def event(users, new_report) -> ReportEvent:
    return ReportEvent.objects.create(report=new_report(), actor=users["staff"], action=EventAction.SUBMITTED)


def test_update_and_delete_of_a_report_event_fail_with_the_triggers_message(event):
    require_or_fail(uses_postgres(), "PostgreSQL")
    for attempt in (
        lambda: ReportEvent.objects.filter(pk=event.pk).update(action=EventAction.VIEWED),
        lambda: ReportEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("UPDATE incidents_reportevent SET actor_id = NULL WHERE id = %s", [event.pk]),
        lambda: connection.cursor().execute("DELETE FROM incidents_reportevent"),
    ):
        with pytest.raises(DatabaseError, match=MESSAGE), transaction.atomic():
            attempt()
    stored = ReportEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor_id) == (EventAction.SUBMITTED, event.actor_id)


def test_backdating_moves_the_time_and_nothing_else(event):
    require_or_fail(uses_postgres(), "PostgreSQL")
    earlier = timezone.now() - datetime.timedelta(days=3)
    with backdating():
        ReportEvent.objects.filter(pk=event.pk).update(at=earlier)
    assert ReportEvent.objects.get(pk=event.pk).at == earlier
    with pytest.raises(DatabaseError, match=MESSAGE), backdating():
        ReportEvent.objects.filter(pk=event.pk).update(at=earlier, action=EventAction.VIEWED)
    with pytest.raises(DatabaseError, match=MESSAGE), backdating():
        ReportEvent.objects.filter(pk=event.pk).delete()
    # The door closes with its transaction.
    with pytest.raises(DatabaseError, match=MESSAGE), transaction.atomic():
        ReportEvent.objects.filter(pk=event.pk).update(at=timezone.now())


def test_every_audit_table_has_the_trigger(db):
    require_or_fail(uses_postgres(), "PostgreSQL")
    assert len(audit_tables()) >= 13
    assert unguarded_tables() == []


def test_no_admin_screen_changes_or_deletes_an_audit_event(rf, users):
    from organization.models import AuditEvent

    request = rf.get("/admin/")
    request.user = users["admin"]
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, AuditEvent):
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model
            assert not model_admin.has_add_permission(request), model
