"""The database-level guard (issue 14): on PostgreSQL an audit row cannot be changed or deleted, not
even by SQL that goes around the product; on SQLite (development) nothing is installed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.guard import audit_tables, backdating, unguarded_tables
from incidents.models import EventAction, ReportEvent
from organization.models import RosterImport, Section
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


def test_the_admin_history_cannot_be_changed_or_deleted(users):
    """Django only ever adds to its admin history (``LogEntry``); the trigger makes anything else fail."""
    require_or_fail(uses_postgres(), "PostgreSQL")
    section = Section.objects.get(name="福祉課")
    entry = LogEntry.objects.create(user=users["admin"], content_type=ContentType.objects.get_for_model(Section),
                                    object_id=str(section.pk), object_repr=str(section), action_flag=CHANGE,
                                    change_message='[{"changed": {"fields": ["課名"]}}]')
    for attempt in (
        lambda: LogEntry.objects.filter(pk=entry.pk).update(change_message="[]"),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: connection.cursor().execute("UPDATE django_admin_log SET user_id = %s", [users["staff"].pk]),
        lambda: connection.cursor().execute("DELETE FROM django_admin_log"),
    ):
        with pytest.raises(DatabaseError, match=MESSAGE), transaction.atomic():
            attempt()
    stored = LogEntry.objects.get(pk=entry.pk)
    assert (stored.user_id, stored.get_change_message()) == (users["admin"].pk, "課名 を変更しました。")


def test_an_applied_roster_import_cannot_be_changed_or_deleted_a_preview_can(users):
    """A preview 「確認中」 is filled again and becomes the applied record; once applied, it is history."""
    require_or_fail(uses_postgres(), "PostgreSQL")
    preview = RosterImport.objects.create(actor=users["admin"], filename="名簿.csv", content=b"x")
    RosterImport.objects.filter(pk=preview.pk).update(counts={"user_created": 1})
    RosterImport.objects.filter(pk=preview.pk).update(state=RosterImport.State.APPLIED, applied_at=timezone.now(),
                                                      content=b"")
    for attempt in (
        lambda: RosterImport.objects.filter(pk=preview.pk).update(counts={}),
        lambda: RosterImport.objects.filter(pk=preview.pk).delete(),
        lambda: connection.cursor().execute("UPDATE organization_rosterimport SET state = 'preview'"),
        lambda: connection.cursor().execute("DELETE FROM organization_rosterimport"),
    ):
        with pytest.raises(DatabaseError, match=MESSAGE), transaction.atomic():
            attempt()
    stored = RosterImport.objects.get(pk=preview.pk)
    assert (stored.state, stored.counts, stored.actor_id) == ("applied", {"user_created": 1}, users["admin"].pk)
    abandoned = RosterImport.objects.create(actor=users["admin"], filename="別の名簿.csv", content=b"y")
    abandoned.delete()  # a preview never applied may go
    assert list(RosterImport.objects.values_list("pk", flat=True)) == [preview.pk]


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
