"""監査: the audit viewer for the auditor role (``User.is_auditor``).

It stands alone because it reads every app's audit trail (each ``organization.models.AuditEvent``
subclass, found at run time, so a trail added later joins by itself; and, through an adapter each,
the Django admin's history and the applied 職員名簿 imports) and nothing depends on it: it
adds one record of its own (``AuditViewEvent``: every search and export is itself on record) and the
database guard that makes every audit table append-only on PostgreSQL (``migrations/0002``; the
admin's history and applied imports: ``migrations/0003``).
"""
