"""The committee in the admin. The admin keeps the list of measures (措置の種類) and the letter
templates (文書のひな形); meetings, decisions and the audit trail are read here and changed only on
the committee's own pages, where every change is an audit event and a finalised decision is never
edited."""

from django.contrib import admin

from organization.admin_readonly import ReadOnlyMixin

from .models import (
    AgendaItem,
    CommitteeEvent,
    Decision,
    Invitation,
    LetterTemplate,
    Measure,
    MeasureType,
    Meeting,
)


@admin.register(MeasureType)
class MeasureTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "active", "counterpart_measure", "letter"]
    list_editable = ["position", "active"]
    search_fields = ["name", "code"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "mayor_title", "article"]
    search_fields = ["title", "code"]



class InvitationInline(ReadOnlyMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["user", "role", "attended"]
    readonly_fields = fields


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "report", "state"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "starts_at", "place", "minutes_approved_at"]
    list_filter = ["kind"]
    inlines = [InvitationInline, AgendaItemInline]


class MeasureInline(ReadOnlyMixin, admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["type", "owner_section", "owner", "due_on", "done_at"]
    readonly_fields = fields


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "report", "finalised_at", "supersedes"]
    inlines = [MeasureInline]


@admin.register(CommitteeEvent)
class CommitteeEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "action", "actor", "meeting", "report"]
    list_filter = ["action"]
