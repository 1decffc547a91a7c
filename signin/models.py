"""The records of the sign-in app: who is signed in where (``UserSession``) and what was done about
sign-ins (``SigninEvent``: a lock lifted, sessions ended)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent, User


class UserSession(models.Model):
    """One signed-in browser: written on sign-in, removed on sign-out and when it is ended from the
    sessions page or the admin (which also deletes the session from the session store)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions", verbose_name=_("利用者"))
    session_key = models.CharField(_("セッション"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("サインインした日時"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最後の操作"), db_index=True)
    ip_address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    user_agent = models.CharField(_("ブラウザ"), max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("サインイン中の端末")
        verbose_name_plural = _("サインイン中の端末")

    def __str__(self) -> str:
        return f"{self.user}（{self.created_at:%Y-%m-%d %H:%M}）"


class SigninEvent(AuditEvent):
    """監査記録 of the sign-in app: who lifted a lock, who ended whose sessions."""

    class Action(models.TextChoices):
        LOCK_LIFTED = "lock_lifted", _("サインインの制限を解除")
        SIGNED_OUT_OTHERS = "signed_out_others", _("他の端末からサインアウト")
        SIGNED_OUT_ALL = "signed_out_all", _("すべての端末からサインアウト")
        SECOND_FACTOR = "second_factor", _("二要素認証の変更")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="signin_events", verbose_name=_("対象者")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("サインインの操作記録")
        verbose_name_plural = _("サインインの操作記録")
