"""The one door through the database guard (``migrations/0002``): moving an event's time.

The demo loader and a few tests tell a story that happened days ago, so they set ``at`` on events
they just wrote. Inside ``backdating()`` the PostgreSQL trigger lets an UPDATE through when it
changes nothing but ``at``; every other UPDATE, and every DELETE, is still refused. The setting is
``SET LOCAL`` and switched off again when the block ends. The product itself never uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

#: As in ``migrations/0002`` (a migration keeps its own copy; this one serves tables added later).
TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS audit_append_only ON {table}; "
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION kasuhara_audit_append_only();"
)


@contextmanager
def backdating() -> Iterator[None]:
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL kasuhara.audit_backdate = 'on'")
        yield  # on an error the savepoint's rollback undoes the SET LOCAL
        if postgres:
            # Closed again at once: inside an outer transaction, SET LOCAL would last until it ends.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL kasuhara.audit_backdate = 'off'")


def audit_tables() -> list[str]:
    """The table of every ``AuditEvent`` subclass installed."""
    from django.apps import apps

    from organization.models import AuditEvent

    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AuditEvent) and m._meta.managed)


def unguarded_tables(using: str = "default") -> list[str]:
    """Audit tables without the append-only trigger (PostgreSQL; [] elsewhere)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname = 'audit_append_only' AND NOT t.tgisinternal")
        guarded = {row[0] for row in cursor.fetchall()}
    existing = set(connection.introspection.table_names())
    return [table for table in audit_tables() if table in existing and table not in guarded]


def guard_new_tables(sender=None, using: str = "default", **kwargs) -> list[str]:
    """After every ``migrate``: an audit table added by a later migration (another app's new trail)
    gets the trigger too, so no trail is left writable because someone forgot to list it. One
    query when there is nothing to do."""
    from django.db import connections

    tables = unguarded_tables(using)
    if not tables:
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'kasuhara_audit_append_only'")
        if cursor.fetchone() is None:
            return []  # the function comes with audit's migration 0002 (not applied yet)
        for table in tables:
            cursor.execute(TRIGGER_SQL.format(table=connection.ops.quote_name(table)))
    return tables
