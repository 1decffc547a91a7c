"""``ReadOnlyAdmin``: an admin page that shows records and never adds, changes or deletes one (the
audit trails, the records kept by the product's own services). Every app's admin uses this one
rather than writing the three refusals again."""

from django.contrib import admin


class ReadOnlyMixin:
    """For a ``ModelAdmin`` or an inline: no add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
