"""Admin: the calls and their audit trail, read-only (the record of who called, where, who answered)."""

from django.contrib import admin

from organization.admin_readonly import ReadOnlyAdmin

from .models import HelpCall, HelpCallEvent


@admin.register(HelpCall)
class HelpCallAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "section", "caller", "place", "harassment_type", "resolved_at"]
    list_filter = ["section"]
    fields = ["caller", "section", "place", "harassment_type", "created_at", "resolved_at", "resolved_by"]
    list_select_related = ["caller", "section__department", "harassment_type"]


@admin.register(HelpCallEvent)
class HelpCallEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "call", "action", "actor", "ip_address"]
    list_filter = ["action"]
    fields = ["call", "at", "action", "actor", "ip_address", "detail"]
    list_select_related = ["call", "actor"]
