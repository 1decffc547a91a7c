"""Admin of throttling and sessions (imported by ``signin/admin.py``): the current sign-in locks with
Japanese columns and 「ロックを解除」 (recorded as a ``SigninEvent``), the signed-in sessions with
「この利用者をすべての端末からサインアウト」 (a lost laptop), and the record of both."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organization.admin_readonly import ReadOnlyAdmin
from organization.audit import client_ip

from . import sessions
from .models import SigninEvent, UserSession

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockAdmin(AccessAttemptAdmin):
    list_display = ["when", "who", "address", "failures", "agent"]
    list_filter = ["attempt_time"]
    actions = ["lift"]

    @admin.display(description=_("最後の失敗"), ordering="attempt_time")
    def when(self, obj):
        return obj.attempt_time

    @admin.display(description=_("アカウント名（入力どおり）"), ordering="username")
    def who(self, obj):
        return obj.username

    @admin.display(description=_("接続元"), ordering="ip_address")
    def address(self, obj):
        return obj.ip_address

    @admin.display(description=_("失敗の回数"), ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description=_("ブラウザ"))
    def agent(self, obj):
        return (obj.user_agent or "")[:60]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("ロックを解除"), permissions=["delete"])
    def lift(self, request, queryset):
        count = sessions.lift_locks(attempts=queryset, actor=request.user, ip_address=client_ip(request))
        self.message_user(request, ngettext("%(count)d件のロックを解除しました。", "%(count)d件のロックを解除しました。",
                                            count) % {"count": count}, messages.SUCCESS)

    def delete_model(self, request, obj):
        sessions.lift_locks(attempts=AccessAttempt.objects.filter(pk=obj.pk), actor=request.user,
                            ip_address=client_ip(request))

    def delete_queryset(self, request, queryset):
        sessions.lift_locks(attempts=queryset, actor=request.user, ip_address=client_ip(request))


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "last_seen", "ip_address", "user_agent"]
    search_fields = ["user__username", "user__display_name", "ip_address"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_seen", "ip_address", "user_agent"]
    readonly_fields = fields
    actions = ["sign_out_everywhere"]


    @admin.action(description=_("この利用者をすべての端末からサインアウト"), permissions=["view"])
    def sign_out_everywhere(self, request, queryset):
        users = {row.user for row in queryset.select_related("user")}
        ended = sum(sessions.sign_out_elsewhere(user=user, keep_session_key=None, actor=request.user,
                                                ip_address=client_ip(request)) for user in users)
        self.message_user(request, _("%(users)d人を、すべての端末（%(count)d件）からサインアウトさせました。")
                          % {"users": len(users), "count": ended}, messages.SUCCESS)


@admin.register(SigninEvent)
class SigninEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "user", "ip_address"]
    list_filter = ["action"]
    fields = ["at", "action", "actor", "user", "ip_address", "detail"]
    readonly_fields = fields
