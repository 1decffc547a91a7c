"""部 (department) → 課 (section) → users, the roles a user holds, and the city's closing days."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """部: a department above several sections."""

    name = models.CharField(_("部名"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("部")
        verbose_name_plural = _("部")

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """課: the unit every user belongs to; a report belongs to the reporter's section."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sections", verbose_name=_("部")
    )
    name = models.CharField(_("課名"), max_length=100)
    is_general_affairs = models.BooleanField(
        _("相談窓口を置く課（総務課）"),
        default=False,
        help_text=_("カスハラ相談窓口を設置している課。"),
    )
    manages_building = models.BooleanField(
        _("庁舎を管理する課"),
        default=False,
        help_text=_("警備員の手配や退去命令の支援など、庁舎管理の依頼を受ける課（例：契約管財課）。"),
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["department__order", "order", "name"]
        verbose_name = _("課")
        verbose_name_plural = _("課")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unique_section_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


class Role(models.TextChoices):
    """The roles of domain.md; every user is also 職員 (staff)."""

    STAFF = "staff", _("職員")
    SECTION_CHIEF = "section_chief", _("所属長")
    DIRECTOR = "director", _("部長")
    DESK = "desk", _("相談窓口")
    GA_DIRECTOR = "ga_director", _("総務部長")
    COMMITTEE_MEMBER = "committee_member", _("対策委員")
    COMMITTEE_CHAIR = "committee_chair", _("対策委員長")
    HEALTH_OFFICE = "health_office", _("職員保健室")
    ADMIN = "admin", _("管理者")


class User(AbstractUser):
    """A member of staff. Belongs to one 課; may hold several roles (flags below).

    The scope of a role follows from the section: a 所属長 heads their own 課, a 部長 their 課's 部.
    """

    display_name = models.CharField(_("氏名"), max_length=100, blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所属（課）"),
        null=True,
        blank=True,
    )
    is_section_chief = models.BooleanField(_("所属長（課長・係長）"), default=False)
    is_director = models.BooleanField(_("部長"), default=False)
    is_desk = models.BooleanField(_("相談窓口（総務課）"), default=False)
    is_ga_director = models.BooleanField(
        _("総務部長"), default=False,
        help_text=_("特に困難な事案（検討組織）と、受け付けられないままの連絡票の報告を受けます。"),
    )
    is_committee_member = models.BooleanField(_("対策委員"), default=False)
    is_committee_chair = models.BooleanField(_("対策委員長"), default=False)
    is_health_office = models.BooleanField(
        _("職員保健室（保健師）"), default=False,
        help_text=_("本人が同意したメンタルケアの紹介と、本人が共有を認めた内容だけを読みます。"),
    )

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        ordering = ["section__department__order", "section__order", "username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def department_id(self) -> int | None:
        return self.section.department_id if self.section_id else None

    @property
    def is_ga_section_chief(self) -> bool:
        """総務課長: the 所属長 of the 総務課 (the 課 marked 「総務課」, where the 相談窓口 sits)."""
        return bool(self.is_section_chief and self.section_id and self.section.is_general_affairs)

    @property
    def is_admin(self) -> bool:
        """管理者: may use the Django admin (manual content, users, organisation)."""
        return self.is_staff or self.is_superuser

    @property
    def roles(self) -> list[Role]:
        held = [Role.STAFF]
        for flag, role in (
            (self.is_section_chief, Role.SECTION_CHIEF),
            (self.is_director, Role.DIRECTOR),
            (self.is_desk, Role.DESK),
            (self.is_ga_director, Role.GA_DIRECTOR),
            (self.is_committee_member, Role.COMMITTEE_MEMBER),
            (self.is_committee_chair, Role.COMMITTEE_CHAIR),
            (self.is_health_office, Role.HEALTH_OFFICE),
            (self.is_admin, Role.ADMIN),
        ):
            if flag:
                held.append(role)
        return held


class ClosingDay(models.Model):
    """A day the city's offices are closed besides weekends and national holidays.

    Either recurring every year (``month`` + ``day``: the 年末年始 of the 休日条例, 29 Dec – 3 Jan,
    loaded by a migration) or once (``date``: e.g. a 市の休日). Read by ``organization.calendar``.
    """

    name = models.CharField(_("名称"), max_length=100, help_text=_("例: 年末年始、市の休日"))
    date = models.DateField(
        _("日付（一度だけ）"), null=True, blank=True, unique=True,
        help_text=_("その年だけの休日。毎年の休日なら空欄にして月と日を入れます。"),
    )
    month = models.PositiveSmallIntegerField(
        _("月（毎年）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("日（毎年）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        ordering = [models.F("date").asc(nulls_first=True), "month", "day"]
        verbose_name = _("閉庁日")
        verbose_name_plural = _("閉庁日")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(date__isnull=False, month__isnull=True, day__isnull=True)
                    | models.Q(date__isnull=True, month__isnull=False, day__isnull=False)
                ),
                name="closing_day_either_date_or_month_day",
                violation_error_message=_("日付（一度だけ）か、月と日（毎年）のどちらか一方だけを入れてください。"),
            ),
            models.UniqueConstraint(fields=["month", "day"], name="unique_recurring_closing_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.when}）"

    @property
    def when(self) -> str:
        """「2026-11-02」 for a one-off day, 「毎年12月29日」 for a recurring one."""
        if self.date:
            return f"{self.date:%Y-%m-%d}"
        return gettext("毎年%(month)d月%(day)d日") % {"month": self.month, "day": self.day}

    def clean(self) -> None:
        if self.month and self.day:
            try:
                datetime.date(2000, self.month, self.day)  # a leap year, so 2/29 is allowed
            except ValueError:
                raise ValidationError({"day": _("その月にない日です。")}) from None


class AuditEvent(models.Model):
    """監査記録: the columns every audit trail of the product shares — who, when, from where, and
    what. Each record type (report, consultation, counterpart) adds its own link and its actions."""

    actor = models.ForeignKey(
        "organization.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作者")
    )
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
