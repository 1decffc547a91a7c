"""The database guard of ``0002`` on the two trails the audit viewer reads that are not ``AuditEvent``
tables (PostgreSQL only, as ``0002``):

- the Django admin's history (``django_admin_log``): Django only ever inserts a ``LogEntry``; it
  would delete one only in the cascade of deleting its user or its content type, and users are
  never deleted. So the table gets the same append-only trigger as every audit table.
- the 職員名簿 imports (``organization_rosterimport``): a preview 「確認中」 is a working row (it is
  filled again when the plan changed, and becomes the applied record), so only an applied import
  is guarded: once 「反映済み」, its row refuses UPDATE and DELETE with the same message.

Before the guard goes on, the history's entries for a 相手方 are renamed to its number
(「相手方 No.12」): ``object_repr`` was the 相手方's name, which the 保存期間 removes from the register
and which an append-only row would otherwise keep for good (``counterparts.admin`` now writes the
number from the start).
"""

from django.db import migrations

LOG_TABLE = "django_admin_log"
ROSTER_TABLE = "organization_rosterimport"

#: As ``0002``'s (``kasuhara_audit_append_only``, created there).
TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS audit_append_only ON {table}; "
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION kasuhara_audit_append_only();"
)

ROSTER_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION kasuhara_roster_import_applied_only() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'applied' THEN
        RAISE EXCEPTION 'audit records cannot be changed or deleted (監査記録は変更・削除できません): % on %',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ROSTER_TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS audit_applied_only ON {table}; "
    "CREATE TRIGGER audit_applied_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION kasuhara_roster_import_applied_only();"
)


def number_counterparts(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kinds = ContentType.objects.filter(app_label="counterparts", model="counterpart")
    for entry in LogEntry.objects.filter(content_type__in=kinds).only("pk", "object_id"):
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=f"相手方 No.{entry.object_id}")


def install(apps, schema_editor):
    number_counterparts(apps, schema_editor)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TRIGGER_SQL.format(table=schema_editor.quote_name(LOG_TABLE)), params=None)
    schema_editor.execute(ROSTER_FUNCTION_SQL, params=None)
    schema_editor.execute(ROSTER_TRIGGER_SQL.format(table=schema_editor.quote_name(ROSTER_TABLE)), params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {schema_editor.quote_name(LOG_TABLE)};")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_applied_only ON {schema_editor.quote_name(ROSTER_TABLE)};")
    schema_editor.execute("DROP FUNCTION IF EXISTS kasuhara_roster_import_applied_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_audit_tables"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("organization", "0007_rosterimport"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
