"""The rules (who hears of what), the notices (outbox and inbox in one row), and each user's choice
of e-mail per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import SPECS, Kind


class NoticeRule(models.Model):
    """What the admin decides for one kind: on or off, the recipients, the threshold in days, and for
    the urgent kind the 態様 (by code) that make a report urgent. One row per kind."""

    kind = models.CharField(_("お知らせの種類"), max_length=40, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("送る"), default=True)
    audiences = models.JSONField(_("送り先"), default=list, blank=True)
    days = models.PositiveSmallIntegerField(_("日数"), null=True, blank=True)
    type_codes = models.JSONField(
        _("至急とする態様"), default=list, blank=True,
        help_text=_("この態様を含む連絡票、または警察に通報した連絡票を至急として送ります。"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("お知らせの設定")
        verbose_name_plural = _("お知らせの設定")

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def spec(self):
        return SPECS[self.kind]


class State(models.TextChoices):
    PENDING = "pending", _("配信待ち")
    SENDING = "sending", _("配信中")
    SENT = "sent", _("メール送信済み")
    INBOX_ONLY = "inbox_only", _("受信箱のみ")
    FAILED = "failed", _("失敗")


#: States a delivery task still has work in.
UNDELIVERED = (State.PENDING, State.SENDING)


class Notice(models.Model):
    """One notice to one person: written in the transaction of the event that causes it (the
    outbox), shown in the recipient's inbox from then on, and e-mailed by a Celery task that claims
    it first. ``(kind, key, recipient)`` is unique, so an event (or a sweep run twice) never makes
    two. ``params`` hold what the texts need (case number, dates) and never personal data."""

    # No index of its own: ``notice_inbox`` and ``notice_unread`` begin with it (one index less to
    # write for each of the thousands of notices a sweep may insert).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices",
                                  verbose_name=_("宛先"), db_index=False)
    kind = models.CharField(_("種類"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("識別キー"), max_length=120)
    urgent = models.BooleanField(_("至急"), default=False)
    params = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("作成日時"))
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)
    # Delivery (the outbox side)
    state = models.CharField(_("配信状態"), max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次の配信"))
    claim = models.UUIDField(_("配信中の識別子"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("配信の期限"), null=True, blank=True)
    sent_at = models.DateTimeField(_("配信日時"), null=True, blank=True)
    email_to = models.CharField(_("送信先アドレス"), max_length=254, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "recipient"], name="notice_once_per_event_and_person"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_inbox"),
            # The unread count in every page's header: an index-only count of a few rows.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
            # What the re-enqueue sweep looks for: the undelivered few, never the delivered many.
            models.Index(fields=["next_attempt_at"], condition=Q(state__in=["pending", "sending"]),
                         name="notice_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class NoticePreference(models.Model):
    """A user's choice for one kind: e-mail and inbox (the default, no row) or inbox only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    by_email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]
        verbose_name = _("お知らせの受け取り方")
        verbose_name_plural = _("お知らせの受け取り方")

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {'mail' if self.by_email else 'inbox'}"
