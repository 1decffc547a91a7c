"""A database-level guard: on PostgreSQL every audit table refuses UPDATE and DELETE (a trigger
raising an exception), so a change made outside the product — a stray SQL statement, a script —
fails loudly instead of silently rewriting history. TRUNCATE (a test database's flush) is not a
row-level operation and is left alone; so is INSERT. One narrow door: ``audit.guard.backdating``
(the demo loader's and tests' stories that happened days ago) may move ``at`` and nothing else.

On SQLite (development only) nothing is installed: the product itself never changes an event.

Note: ``actor`` is ``SET_NULL``; deleting a user would have to update their events and is refused
on PostgreSQL too — users are deactivated, never deleted (``organization.admin``).
"""

from django.db import migrations

#: Every ``AuditEvent`` table as of this migration; a test checks that each has the trigger, so an
#: audit table added later needs a migration adding it here (``install`` / ``TRIGGER_SQL``).
TABLES = [
    "organization_roleevent", "incidents_reportevent", "incidents_exportevent", "incidents_liveevent",
    "consultations_consultationevent", "counterparts_counterpartevent", "committee_committeeevent",
    "support_supportevent", "care_careevent", "helpcalls_helpcallevent", "stats_annualreportevent",
    "surveys_surveyevent", "audit_auditviewevent",
]

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION kasuhara_audit_append_only() RETURNS trigger AS $$
BEGIN
    -- audit.guard.backdating(): the demo and tests may move an event's time, and nothing else.
    IF TG_OP = 'UPDATE' AND current_setting('kasuhara.audit_backdate', true) = 'on'
       AND (to_jsonb(NEW) - 'at') = (to_jsonb(OLD) - 'at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records cannot be changed or deleted (監査記録は変更・削除できません): % on %',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS audit_append_only ON {table}; "
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION kasuhara_audit_append_only();"
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION_SQL, params=None)
    for table in TABLES:
        schema_editor.execute(TRIGGER_SQL.format(table=schema_editor.quote_name(table)))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {schema_editor.quote_name(table)};")
    schema_editor.execute("DROP FUNCTION IF EXISTS kasuhara_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("organization", "0008_auditor_and_role_events"),
        ("incidents", "0011_export_event"),
        ("incidents", "0010_live_records"),
        ("consultations", "0001_initial"),
        ("counterparts", "0001_initial"),
        ("committee", "0001_initial"),
        ("support", "0001_initial"),
        ("care", "0001_initial"),
        ("helpcalls", "0001_initial"),
        ("stats", "0001_initial"),
        ("surveys", "0001_initial"),
    ]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
