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
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import roles
from .audit import client_ip
from .models import ActingAssignment, ClosingDay, Department, RoleEvent, Section, User

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
        fields = "__all__"  # the role flags are read-only here: 「役割を変更」 (organization.roles) sets them
        # (and refuses a second 所属長 where the city allows one)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("役割"), choices=roles.role_choices)
    action = forms.ChoiceField(label=_("操作"), choices=[("grant", _("付与")), ("withdraw", _("取消"))],
                               widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("例：4月1日付の人事異動、相談窓口担当の交代"),
                             error_messages={"required": _("理由を入力してください。")})


@admin.register(RoleEvent)
class RoleEventAdmin(admin.ModelAdmin):
    """役割の変更: read only (the audit trail is never changed or deleted)."""

    list_display = ["at", "actor", "user", "role", "action", "reason", "ip_address"]
    list_filter = ["action", "role"]
    list_select_related = ["actor", "user"]
    search_fields = ["user__username", "user__display_name", "actor__username", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin):
    form = UserChangeForm
    list_display = [
        "username", "display_name", "employee_number", "section", "is_section_chief", "is_director",
        "is_desk", "is_ga_director", "is_committee_member", "is_committee_chair", "is_health_office",
        "is_auditor", "is_staff", "is_active", "source",
    ]
    list_filter = [
        "is_active", "section__department", "is_section_chief", "is_director", "is_desk", "is_ga_director",
        "is_committee_member", "is_committee_chair", "is_health_office", "is_auditor", "is_staff", "source",
    ]
    list_select_related = ["section__department"]
    search_fields = ["username", "display_name", "email", "employee_number"]
    # Roles and admin rights change only through 「役割を変更」 (``organization.roles``): recorded,
    # announced, and never granted to oneself when they read reports.
    ROLE_FIELDS = ("is_section_chief", "is_director", "is_desk", "is_ga_director", "is_committee_member",
                   "is_committee_chair", "is_health_office", "is_auditor", "is_staff", "is_superuser")
    readonly_fields = ["source", "last_login", "date_joined", *ROLE_FIELDS]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("本人情報"), {"fields": ("display_name", "employee_number", "email", "section", "source")}),
        (_("役割"), {"fields": (
            "is_section_chief", "is_director", "is_desk", "is_ga_director",
            "is_committee_member", "is_committee_chair", "is_health_office", "is_auditor",
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:organization_user_roles", args=[obj.pk]),
            gettext("役割・管理権限を変更する（理由を記録し、相談窓口と他の管理者に通知します）"),
        )
        return tuple(
            (name, {**options, "description": link}) if name == _("役割") else (name, options)
            for name, options in fieldsets
        )

    def get_urls(self):
        return [
            path("<int:user_id>/roles/", self.admin_site.admin_view(self.roles_view), name="organization_user_roles"),
            *super().get_urls(),
        ]

    def roles_view(self, request, user_id: int):
        """「役割を変更」: one role, 付与 or 取消, and the reason; the change goes through
        ``organization.roles`` (which refuses an admin granting themselves a reading role)."""
        if not self.has_change_permission(request):
            raise Http404
        target = User.objects.filter(pk=user_id).select_related("section__department").first()
        if target is None:
            raise Http404
        form = RoleChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            change = roles.grant_role if form.cleaned_data["action"] == "grant" else roles.withdraw_role
            try:
                event = change(actor=request.user, user=target, role=form.cleaned_data["role"],
                               reason=form.cleaned_data["reason"], ip_address=client_ip(request))
            except roles.RoleRefused as refused:
                form.add_error(None, refused.message)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if event is None:
                    self.message_user(request, gettext("変更はありませんでした（すでにその状態です）。"))
                else:
                    self.message_user(request, gettext("%(user)s さんの「%(role)s」を%(change)sしました。") % {
                        "user": target, "role": roles.role_label(event.role), "change": event.get_action_display()})
                return HttpResponseRedirect(reverse("admin:organization_user_change", args=[target.pk]))
        held = [str(label) for code, (flag, label) in roles.ROLE_FLAGS.items() if getattr(target, flag)]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("役割を変更：%(user)s") % {"user": target},
            "opts": self.model._meta, "original": target, "form": form, "held": held,
            "events": RoleEvent.objects.filter(user=target).select_related("actor").order_by("-at", "-id")[:20],
        }
        return TemplateResponse(request, "admin/organization/user/roles.html", context)

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
