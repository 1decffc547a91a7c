"""Admin: the consultation's bookkeeping only, read-only.

A consultation is confidential; the 管理者 reads nothing by being admin (README, 「Who sees what」),
so the admin lists who, when, which state and the audit trail, never what was said, answered or
noted. The 相談窓口 works on consultations through the app's own pages.
"""

from django.contrib import admin

from organization.admin_readonly import ReadOnlyAdmin

from .models import Consultation, ConsultationEvent


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "section", "author", "handler", "share_with_supervisors", "created_at"]
    list_filter = ["state", "share_with_supervisors"]
    fields = ["author", "section", "state", "handler", "share_with_supervisors", "report", "created_at",
              "updated_at", "closed_at"]
    list_select_related = ["author", "section__department", "handler"]


@admin.register(ConsultationEvent)
class ConsultationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "consultation", "action", "actor", "ip_address"]
    list_filter = ["action"]
    fields = ["consultation", "at", "action", "actor", "ip_address", "detail"]
    list_select_related = ["consultation", "actor"]
