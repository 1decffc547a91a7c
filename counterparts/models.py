"""相手方 (counterpart) register: the person or organisation behind one or more reports, the reports
linked to it, the standing measures (出入禁止 …) that hang on it, and its audit trail.

Names, phone numbers and addresses are matched on folded key columns (``kasuhara.textnorm``), kept
current by ``save()``, so that 「山田　太郎」 finds 「山田太郎」 and 「０９０－１２３４－５６７８」 finds
「09012345678」 with an indexed query.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import AgeBand, Sex
from kasuhara.textnorm import fold, fold_compact
from organization.models import AuditEvent

_NOT_DIGIT = re.compile(r"\D+")
#: A Japanese phone number inside free text: 0 and 9–10 more digits (full-width too), with up to two
#: separators (spaces, dashes, 「ー」, brackets) between digits. 「1-2-3」 of an address is not one.
_PHONE = re.compile(r"(?<!\d)[0０]\d(?:[\s\-‐‑‒–—―−－ー()（）]{0,2}\d){8,9}(?!\d)")
_LABEL = re.compile(r"(?:TEL|Tel|tel|ＴＥＬ|電話番号|電話)\s*[:：]?\s*$")


def name_key(text: str) -> str:
    return fold_compact(text)[:200]


def phone_key(text: str) -> str:
    """Digits only: 「０９０－１２３４－５６７８」, 「090 1234 5678」 and 「(090)1234-5678」 are one number."""
    return _NOT_DIGIT.sub("", fold(text))[:30]


def address_key(text: str) -> str:
    return fold_compact(text)[:300]


def split_contact(text: str) -> tuple[str, str]:
    """A report's free-text 住所・連絡先 as (phone, the rest): 「港区芝1-2-3 TEL ０９０－１２３４－５６７８」
    gives (「０９０－１２３４－５６７８」, 「港区芝1-2-3」)."""
    text = (text or "").strip()
    found = _PHONE.search(text)
    if found is None:
        return "", text
    before = _LABEL.sub("", text[: found.start()]).rstrip(" 　、,/／")
    after = text[found.end():].lstrip(" 　、,/／)）")
    rest = "\n".join(part for part in (before.strip(), after.strip()) if part)
    return found.group(0), rest


class Counterpart(models.Model):
    """相手方: who was behind the reports. Every field is optional personal data."""

    name = models.CharField(_("氏名・名称"), max_length=100, blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    address = models.TextField(_("住所・その他の連絡先"), blank=True)
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices, blank=True)
    age_band = models.CharField(_("年代"), max_length=10, choices=AgeBand.choices, blank=True)
    relation = models.CharField(
        _("市との関係"), max_length=100, blank=True,
        help_text=_("例：申請者本人、申請者の家族、事業者、施設利用者"),
    )
    description = models.TextField(_("特徴など"), blank=True)

    name_key = models.CharField(_("氏名（照合用）"), max_length=200, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(_("電話番号（照合用）"), max_length=30, blank=True, editable=False, db_index=True)
    address_key = models.CharField(_("住所（照合用）"), max_length=300, blank=True, editable=False, db_index=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登録者")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("相手方")
        verbose_name_plural = _("相手方")

    def __str__(self) -> str:
        return self.name or str(_("（氏名不明）"))

    def save(self, *args, **kwargs) -> None:
        self.name_key = name_key(self.name)
        self.phone_key = phone_key(self.phone)
        self.address_key = address_key(self.address)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "phone_key", "address_key", "updated_at"}
        super().save(*args, **kwargs)


class CounterpartLink(models.Model):
    """One report about one counterpart (a report may name several counterparts)."""

    counterpart = models.ForeignKey(
        Counterpart, on_delete=models.CASCADE, related_name="links", verbose_name=_("相手方")
    )
    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.CASCADE, related_name="counterpart_links",
        verbose_name=_("連絡票"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("紐付けた人")
    )
    linked_at = models.DateTimeField(_("紐付け日時"), auto_now_add=True)

    class Meta:
        ordering = ["-linked_at", "-id"]
        verbose_name = _("相手方と連絡票の紐付け")
        verbose_name_plural = _("相手方と連絡票の紐付け")
        constraints = [
            models.UniqueConstraint(fields=["counterpart", "report"], name="counterpart_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.counterpart} – No.{self.report_id}"


class MeasureKind(models.TextChoices):
    BAN = "ban", _("出入禁止")
    WARNING_LETTER = "warning_letter", _("警告文書送付")
    SINGLE_HANDLER = "single_handler", _("対応者を一本化")
    TIME_LIMIT = "time_limit", _("対応時間の制限")
    OTHER = "other", _("その他")


class MeasureState(models.TextChoices):
    PLANNED = "planned", _("開始前")
    ACTIVE = "active", _("実施中")
    ENDED = "ended", _("終了")


class Measure(models.Model):
    """A standing measure toward the counterpart: who decided it, when, from when to when."""

    counterpart = models.ForeignKey(
        Counterpart, on_delete=models.CASCADE, related_name="measures", verbose_name=_("相手方")
    )
    kind = models.CharField(_("措置"), max_length=20, choices=MeasureKind.choices)
    description = models.TextField(
        _("内容"), blank=True,
        help_text=_("例：本庁舎への立入りを禁止、対応は平日10時〜11時の30分以内に限る"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("対応者（一本化の場合）"),
    )
    decided_by = models.CharField(
        _("決定した者"), max_length=100, help_text=_("例：カスハラ対策委員会、総務課長")
    )
    decided_on = models.DateField(_("決定日"))
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了予定日"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    ended_on = models.DateField(_("終了日"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("終了を記録した者"),
    )
    end_reason = models.TextField(_("終了の理由"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("措置")
        verbose_name_plural = _("措置")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="measure_ends_after_start",
                violation_error_message=_("終了予定日は開始日以降にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.starts_on}〜{self.ends_on or ''}）"

    @property
    def last_day(self) -> datetime.date | None:
        """The day it ended (recorded end, else the planned end), if any."""
        return self.ended_on or self.ends_on

    def state_on(self, day: datetime.date) -> MeasureState:
        if self.ended_on is not None or (self.ends_on is not None and self.ends_on < day):
            return MeasureState.ENDED
        if self.starts_on > day:
            return MeasureState.PLANNED
        return MeasureState.ACTIVE

    @property
    def state(self) -> MeasureState:
        return self.state_on(timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.state == MeasureState.ACTIVE


def active_measures_q(day: datetime.date, prefix: str = "") -> Q:
    """Measures in force on ``day`` (not ended, started, planned end not passed), as a condition."""
    return (
        Q(**{f"{prefix}ended_on__isnull": True, f"{prefix}starts_on__lte": day})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))
    )


class CounterpartAction(models.TextChoices):
    CREATED = "created", _("登録")
    VIEWED = "viewed", _("閲覧")
    LINKED = "linked", _("連絡票を紐付け")
    UNLINKED = "unlinked", _("連絡票の紐付けを解除")
    MEASURE_ADDED = "measure_added", _("措置を追加")
    MEASURE_ENDED = "measure_ended", _("措置を終了")
    EDITED = "edited", _("編集")


class CounterpartEvent(AuditEvent):
    """監査記録 of a counterpart: every view and every change, who, when, from where."""

    counterpart = models.ForeignKey(
        Counterpart, on_delete=models.CASCADE, related_name="events", verbose_name=_("相手方")
    )
    action = models.CharField(_("操作"), max_length=20, choices=CounterpartAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("相手方の監査記録")
        verbose_name_plural = _("相手方の監査記録")
