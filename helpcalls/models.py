"""A call for help (応援要請), the colleagues who answered 「向かいます」, and the audit trail of both.

A call is *open* from the moment it is made until its caller (or the 課's 所属長) closes it (解決) or
``KASUHARA_HELP_CALL_MINUTES`` have passed; only open calls are shown in the banner and answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


def open_minutes() -> int:
    return settings.KASUHARA_HELP_CALL_MINUTES


def open_since(now: datetime | None = None) -> datetime:
    """Calls made at or after this moment have not expired yet."""
    return (now or timezone.now()) - timedelta(minutes=open_minutes())


class HelpCall(models.Model):
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="help_calls", verbose_name=_("要請した職員")
    )
    #: The caller's 課 when the call was made: its colleagues and 所属長 are called.
    section = models.ForeignKey(
        "organization.Section", on_delete=models.PROTECT, related_name="+", verbose_name=_("課")
    )
    place = models.CharField(_("場所"), max_length=100)
    harassment_type = models.ForeignKey(
        "manual.HarassmentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("態様"),
    )
    created_at = models.DateTimeField(_("要請日時"), default=timezone.now)
    resolved_at = models.DateTimeField(_("解決日時"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("解決とした職員"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("応援要請")
        verbose_name_plural = _("応援要請")
        indexes = [
            # The rate limit and the caller's own banner: a user's newest calls.
            models.Index(fields=["caller", "-created_at"], name="helpcall_caller_recent"),
        ]

    def __str__(self) -> str:
        return f"応援要請No.{self.pk}"

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(minutes=open_minutes())

    def is_open(self, now: datetime | None = None) -> bool:
        return self.resolved_at is None and self.created_at >= open_since(now)

    @property
    def state_label(self) -> str:
        if self.resolved_at is not None:
            return str(_("解決"))
        return str(_("応援を求めています")) if self.is_open() else str(_("終了（時間切れ）"))


class HelpAnswer(models.Model):
    """「向かいます」: one per colleague and call (a second press changes nothing)."""

    call = models.ForeignKey(HelpCall, on_delete=models.CASCADE, related_name="answers", verbose_name=_("応援要請"))
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("応答した職員")
    )
    answered_at = models.DateTimeField(_("応答日時"), default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("応援要請への応答")
        verbose_name_plural = _("応援要請への応答")
        constraints = [
            models.UniqueConstraint(fields=["call", "responder"], name="helpanswer_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.call} ← {self.responder}"


class EventAction(models.TextChoices):
    CALLED = "called", _("応援要請")
    REFUSED = "refused", _("続けての要請を受け付けず")
    VIEWED = "viewed", _("閲覧")
    ANSWERED = "answered", _("「向かいます」と応答")
    RESOLVED = "resolved", _("解決")


class HelpCallEvent(AuditEvent):
    """監査記録 of a call: made, refused again by the rate limit, viewed, answered, resolved."""

    call = models.ForeignKey(HelpCall, on_delete=models.CASCADE, related_name="events", verbose_name=_("応援要請"))
    action = models.CharField(_("操作"), max_length=20, choices=EventAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("応援要請の監査記録")
        verbose_name_plural = _("応援要請の監査記録")
