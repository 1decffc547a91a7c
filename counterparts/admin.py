"""The counterpart register in the admin: read-mostly. Records are made and changed on the 相談窓口's
pages (where every change is an audit event); the admin reads them and may correct a typo."""

from django.contrib import admin
from django.utils.translation import gettext

from organization.admin_readonly import ReadOnlyAdmin, ReadOnlyMixin

from .models import Counterpart, CounterpartEvent, CounterpartLink, Measure


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class LinkInline(ReadOnlyInline):
    model = CounterpartLink
    fields = ["report", "linked_by", "linked_at"]
    readonly_fields = fields


class MeasureInline(ReadOnlyInline):
    model = Measure
    fields = ["kind", "starts_on", "ends_on", "ended_on", "decided_by", "decided_on", "recorded_by"]
    readonly_fields = fields


class _ByNumber:
    """A 相手方 as the admin's history (``LogEntry.object_repr``) names it: by number, never by name.
    That history is append-only (audit/migrations/0003) and the 保存期間 removes the name from the
    register, so the name must not be copied there."""

    def __init__(self, counterpart):
        self._counterpart = counterpart

    def __getattr__(self, name):
        return getattr(self._counterpart, name)

    def __str__(self) -> str:
        return gettext("相手方 No.%(pk)s") % {"pk": self._counterpart.pk}


@admin.register(Counterpart)
class CounterpartAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "relation", "created_at"]
    search_fields = ["name_key", "phone_key", "address_key"]
    readonly_fields = ["name_key", "phone_key", "address_key", "created_by", "created_at", "updated_at"]
    inlines = [LinkInline, MeasureInline]

    def has_add_permission(self, request):
        return False

    def log_addition(self, request, obj, message):
        return super().log_addition(request, _ByNumber(obj), message)

    def log_change(self, request, obj, message):
        return super().log_change(request, _ByNumber(obj), message)

    def log_deletions(self, request, queryset):
        return super().log_deletions(request, [_ByNumber(obj) for obj in queryset])

    def get_search_results(self, request, queryset, search_term):
        from kasuhara.textnorm import fold_compact

        return super().get_search_results(request, queryset, fold_compact(search_term))


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["counterpart", "kind", "starts_on", "ends_on", "ended_on", "decided_by"]
    list_filter = ["kind"]
    readonly_fields = ["counterpart", "recorded_by", "recorded_at", "ended_by"]

    def has_add_permission(self, request):
        return False


@admin.register(CounterpartEvent)
class CounterpartEventAdmin(ReadOnlyAdmin):
    """The audit trail: never changed, never deleted."""

    list_display = ["at", "counterpart", "action", "actor", "ip_address"]
    list_filter = ["action"]
    date_hierarchy = "at"
