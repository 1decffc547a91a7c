"""Admin screens for 部, 課, users and 代理: the admin role keeps the organisation current here.

Nothing here deletes a 部, 課 or user: their reports, events and decisions keep pointing at them.
A 部 or 課 that is abolished loses 「現存」 (a 課 names the 課 that took over its work); a leaver
loses 「有効」 (cannot sign in; their name stays on everything they did).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ActingAssignment, ClosingDay, Department, Section, User
from .policies import chief_conflict

# -- 部 and 課 ----------------------------------------------------------------------------------------


class NoDeleteMixin:
    """部, 課 and users are never deleted here (deactivate instead); the bulk 「削除」 action goes too."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SectionInline(NoDeleteMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["name", "code", "is_active", "order"]
    show_change_link = True  # 引継ぎ先 and the other settings: on the 課's own page


@admin.register(Department)
class DepartmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "is_active", "order"]
    inlines = [SectionInline]


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["department", "name", "code", "is_active", "successor", "is_general_affairs", "manages_building",
                  "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        successors = Section.objects.select_related("department")
        if self.instance.pk:
            successors = successors.exclude(pk=self.instance.pk)
        self.fields["successor"].queryset = successors
        self.fields["successor"].label = _("引継ぎ先")


@admin.register(Section)
class SectionAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = SectionForm
    list_display = ["name", "department", "code", "is_active", "successor", "today", "is_general_affairs",
                    "manages_building", "order"]
    list_filter = ["is_active", "department", "is_general_affairs", "manages_building"]
    list_select_related = ["department", "successor__department", "current__department"]
    search_fields = ["name", "code"]

    @admin.display(description=_("現在の課"))
    def today(self, obj: Section) -> str:
        """Where the 課's reports go today (the end of its successor chain)."""
        return str(obj.current) if obj.current_id and obj.current_id != obj.pk else "—"


# -- 代理 ---------------------------------------------------------------------------------------------


class ActingAssignmentForm(forms.ModelForm):
    """The period, the kind and its 課 / 部, and an active person, with Japanese messages (the model's
    constraints stand behind it)."""

    class Meta:
        model = ActingAssignment
        fields = ["user", "kind", "section", "department", "starts_on", "ends_on", "reason"]

    def clean(self):
        data = super().clean()
        user = data.get("user") if "user" in self.fields else (
            self.instance.user if self.instance.user_id else None)
        if user is not None and not user.is_active:
            self.add_error("user" if "user" in self.fields else None,
                           gettext("%(user)s さんは無効（停止）になっています。代理には有効な利用者を選んでください。")
                           % {"user": user})
        kind, section, department = data.get("kind"), data.get("section"), data.get("department")
        if kind == ActingAssignment.Kind.SECTION_CHIEF:
            if section is None:
                self.add_error("section", gettext("所属長の代理では、代理する課を選んでください。"))
            if department is not None:
                self.add_error("department", gettext("所属長の代理では部は選びません（課だけを選んでください）。"))
        elif kind == ActingAssignment.Kind.DIRECTOR:
            if department is None:
                self.add_error("department", gettext("部長の代理では、代理する部を選んでください。"))
            if section is not None:
                self.add_error("section", gettext("部長の代理では課は選びません（部だけを選んでください）。"))
        if section is not None and not section.is_active:
            self.add_error("section", gettext("廃止した課です。事務を引き継いだ課の代理として登録してください。"))
        if department is not None and not department.is_active:
            self.add_error("department", gettext("廃止した部です。現存する部を選んでください。"))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", gettext("終了日は開始日より後（同じ日も可）にしてください。"))
        return data


class InForceFilter(admin.SimpleListFilter):
    title = _("期間")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("now", _("今日有効")), ("future", _("これから")), ("past", _("終了"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "now":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if self.value() == "future":
            return queryset.filter(starts_on__gt=today)
        if self.value() == "past":
            return queryset.filter(ends_on__lt=today)
        return queryset


def _in_force(obj: ActingAssignment) -> bool:
    return obj.starts_on <= timezone.localdate() <= obj.ends_on


@admin.register(ActingAssignment)
class ActingAssignmentAdmin(admin.ModelAdmin):
    form = ActingAssignmentForm
    list_display = ["user", "kind", "unit", "starts_on", "ends_on", "in_force", "reason", "created_by"]
    list_filter = [InForceFilter, "kind", "section__department"]
    list_select_related = ["user", "section__department", "department", "created_by"]
    search_fields = ["user__display_name", "user__username", "user__employee_number", "reason"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "starts_on"

    @admin.display(description=_("課・部"))
    def unit(self, obj: ActingAssignment) -> str:
        return str(obj.section or obj.department or "—")

    @admin.display(description=_("現在有効"), boolean=True)
    def in_force(self, obj: ActingAssignment) -> bool:
        return _in_force(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        """Only a 代理 that has not started (entered by mistake): one that ran is history (who could
        read what, when); end it early by its 終了日 instead."""
        return obj is not None and obj.starts_on > timezone.localdate() and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ActingInline(admin.TabularInline):
    """The user's 代理 periods, on their page."""

    model = ActingAssignment
    form = ActingAssignmentForm
    fk_name = "user"
    extra = 0
    can_delete = False  # see ActingAssignmentAdmin.has_delete_permission
    fields = ["kind", "section", "department", "starts_on", "ends_on", "reason", "in_force"]
    readonly_fields = ["in_force"]
    verbose_name_plural = _("代理（期間を決めて所属長・部長を代わる）")

    @admin.display(description=_("現在有効"), boolean=True)
    def in_force(self, obj: ActingAssignment) -> bool:
        return bool(obj.pk and _in_force(obj))


# -- users --------------------------------------------------------------------------------------------


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        data = super().clean()
        section = data.get("section")
        if data.get("is_section_chief") and section is not None and data.get("is_active", True):
            holder = chief_conflict(self.instance, section)
            if holder is not None:
                self.add_error("is_section_chief", gettext(
                    "%(section)s の所属長はすでに %(holder)s さんです。この市は一つの課に所属長を一人とする設定です。"
                    "先に %(holder)s さんの「所属長」を外すか、期間を決めて代理を登録してください。"
                ) % {"section": section, "holder": holder})
        return data


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin):
    form = UserChangeForm
    list_display = [
        "username", "display_name", "employee_number", "section", "is_section_chief", "is_director",
        "is_desk", "is_ga_director", "is_committee_member", "is_committee_chair", "is_health_office",
        "is_staff", "is_active", "source",
    ]
    list_filter = [
        "is_active", "section__department", "is_section_chief", "is_director", "is_desk", "is_ga_director",
        "is_committee_member", "is_committee_chair", "is_health_office", "is_staff", "source",
    ]
    list_select_related = ["section__department"]
    search_fields = ["username", "display_name", "email", "employee_number"]
    readonly_fields = ["source", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("本人情報"), {"fields": ("display_name", "employee_number", "email", "section", "source")}),
        (_("役割"), {"fields": (
            "is_section_chief", "is_director", "is_desk", "is_ga_director",
            "is_committee_member", "is_committee_chair", "is_health_office",
        )}),
        (_("管理権限"), {
            "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            "description": _("退職・異動で使わなくなった利用者は削除せず「有効」を外します"
                             "（サインインできなくなり、連絡票や記録の氏名は残ります）。"),
        }),
        (_("日時"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "employee_number", "section",
                                                 "password1", "password2")}),
    )
    inlines = [ActingInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, ActingAssignment) and instance.pk is None:
                instance.created_by = request.user
            instance.save()
        formset.save_m2m()


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    """The city's own closing days; weekends and national holidays (jpholiday) need no rows."""

    list_display = ["name", "when"]
    search_fields = ["name"]

    @admin.display(description=_("日"))
    def when(self, obj: ClosingDay) -> str:
        return obj.when


from . import admin_roster  # noqa: E402,F401 - the 職員名簿 import pages (RosterImport)
