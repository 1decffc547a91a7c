"""Admin pages of sign-in protection.

The second factor: django-otp's own admin pages (which show a user's key and let an admin make a
device for someone else) are replaced by one list of who has set up an authenticator app, with one
thing to do: 「二要素認証をリセット」 when a phone is lost. The reset is recorded in the user's admin
history with the admin's name (signin/otp_services.py: reset_second_factor).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp_services

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__display_name", "user__employee_number"]
    list_select_related = ["user"]
    fields = ["user", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["reset"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only through the action, which records who reset whose second factor

    def has_reset_permission(self, request) -> bool:
        return request.user.is_superuser or request.user.has_perm("organization.change_user")

    @admin.action(description=_("二要素認証をリセット（スマートフォンの紛失など）"), permissions=["reset"])
    def reset(self, request, queryset) -> None:
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            otp_services.reset_second_factor(user=user, by=request.user)
        self.message_user(request, ngettext(
            "%(count)d 人の二要素認証をリセットしました。次のサインインで設定し直します。",
            "%(count)d 人の二要素認証をリセットしました。次のサインインで設定し直します。",
            len(users),
        ) % {"count": len(users)}, messages.SUCCESS)


# -- throttling and sessions (helper axes_sessions): signin/sessions_admin.py ----------------------
from . import sessions_admin  # noqa: E402, F401
