"""The 発生連絡票 app in the admin: the queue's export audit trail, read-only."""

from django.contrib import admin

from organization.admin_readonly import ReadOnlyAdmin

from .models import ExportEvent


@admin.register(ExportEvent)
class ExportEventAdmin(ReadOnlyAdmin):
    """エクスポートの監査記録: who exported what, when, from where. Nobody adds, changes or deletes one."""

    list_display = ["at", "actor", "format", "row_count", "ip_address", "query"]
    list_filter = ["format"]
    fields = ["at", "actor", "ip_address", "format", "row_count", "columns", "query", "detail"]
    readonly_fields = fields
    list_select_related = ["actor"]
    date_hierarchy = "at"
