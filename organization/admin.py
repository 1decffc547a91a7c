"""Admin screens for 部, 課 and users: the admin role keeps the organisation current here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ClosingDay, Department, Section, User


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "is_general_affairs", "order"]
    list_filter = ["department"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username", "display_name", "section", "is_section_chief", "is_director",
        "is_desk", "is_committee_member", "is_committee_chair", "is_staff", "is_active",
    ]
    list_filter = [
        "section__department", "is_section_chief", "is_director", "is_desk",
        "is_committee_member", "is_committee_chair", "is_staff", "is_active",
    ]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("本人情報"), {"fields": ("display_name", "email", "section")}),
        (_("役割"), {"fields": (
            "is_section_chief", "is_director", "is_desk",
            "is_committee_member", "is_committee_chair",
        )}),
        (_("管理権限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "section", "password1", "password2")}),
    )


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    """The city's own closing days; weekends and national holidays (jpholiday) need no rows."""

    list_display = ["name", "when"]
    search_fields = ["name"]

    @admin.display(description=_("日"))
    def when(self, obj: ClosingDay) -> str:
        return obj.when
