"""部 (department) → 課 (section) → users, the roles a user holds, and the city's closing days."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CODE_HELP = _("職員名簿の所属コード。名簿の取込みはこのコードで部・課を見分けます（名称が変わっても同じ部・課）。")


_UNKNOWN = object()


def one_chief_per_section() -> bool:
    """Whether the city allows one 所属長 per 課 at a time (``KASUHARA_SECTION_CHIEFS=one``)."""
    from django.conf import settings

    return settings.KASUHARA_SECTION_CHIEFS == "one"


class Department(models.Model):
    """部: a department above several sections."""

    name = models.CharField(_("部名"), max_length=100, unique=True)
    code = models.CharField(_("部コード"), max_length=20, blank=True, help_text=CODE_HELP)
    is_active = models.BooleanField(
        _("現存"), default=True, help_text=_("廃止した部は外します（削除はしません。過去の記録が残ります）。")
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("部")
        verbose_name_plural = _("部")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="unique_department_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """課: the unit every user belongs to; a report belongs to the reporter's section.

    A 課 is never deleted. Renamed, it keeps its row (a report keeps the name it was filed under in
    ``IncidentReport.section_name``). Abolished (merged or split in April), it is marked not active
    and names the 課 that took over its work (``successor``); ``current`` is where that chain ends
    (itself for a 課 that exists), kept by ``organization.services.refresh_succession``, and is what
    access follows: the 所属長 of ``current`` reads the reports of every 課 that ends there.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sections", verbose_name=_("部")
    )
    name = models.CharField(_("課名"), max_length=100)
    code = models.CharField(_("課コード"), max_length=20, blank=True, help_text=CODE_HELP)
    is_active = models.BooleanField(
        _("現存"), default=True,
        help_text=_("廃止した課は外し、事務を引き継いだ課を選びます（削除はしません。過去の連絡票が残ります）。"),
    )
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors",
        verbose_name=_("事務の引継ぎ先"),
        help_text=_("統合・分割で廃止した課の連絡票は、引継ぎ先の課の所属長・部長が読みます。"),
    )
    current = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("現在の課"),
    )
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
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="unique_section_code"),
        ]

    def __str__(self) -> str:
        label = f"{self.department.name} {self.name}"
        return label if self.is_active else gettext("%(section)s（廃止）") % {"section": label}

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        loaded = getattr(self, "_loaded_successor_id", None)
        if self.current_id is None or (loaded is not _UNKNOWN and self.successor_id != loaded):
            from .services import refresh_succession  # services imports this module

            refresh_succession()
            self.current_id = Section.objects.values_list("current_id", flat=True).get(pk=self.pk)
        self._loaded_successor_id = self.successor_id

    def clean(self) -> None:
        seen = {self.pk}
        step = self.successor
        while step is not None:
            if step.pk in seen:
                raise ValidationError({"successor": _("引継ぎ先をたどると元の課に戻ります。別の課を選んでください。")})
            seen.add(step.pk)
            step = step.successor
        if self.successor_id and self.is_active:
            raise ValidationError({"successor": _("引継ぎ先は廃止した課にだけ設定できます。「現存」を外してください。")})


    @classmethod
    def from_db(cls, db, field_names, values):
        section = super().from_db(db, field_names, values)
        # As loaded (a deferred column stays unknown: reading it here would cost a query).
        section._loaded_successor_id = section.__dict__.get("successor_id", _UNKNOWN)
        return section

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
    AUDITOR = "auditor", _("監査")
    ADMIN = "admin", _("管理者")


class AccountSource(models.TextChoices):
    """Where an account came from: typed into the admin, the 職員名簿, or the directory's first sign-in."""

    LOCAL = "local", _("手入力")
    ROSTER = "roster", _("職員名簿")
    DIRECTORY = "directory", _("ディレクトリ（初回サインイン）")


class User(AbstractUser):
    """A member of staff. Belongs to one 課; may hold several roles (flags below).

    The scope of a role follows from the section: a 所属長 heads their own 課, a 部長 their 課's 部.
    """

    display_name = models.CharField(_("氏名"), max_length=100, blank=True)
    employee_number = models.CharField(
        _("職員番号"), max_length=20, blank=True,
        help_text=_("職員名簿の職員番号。名簿の取込みはこの番号で本人を見分けます。"),
    )
    source = models.CharField(
        _("登録元"), max_length=10, choices=AccountSource.choices, default=AccountSource.LOCAL, editable=False
    )
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
    is_auditor = models.BooleanField(
        _("監査"), default=False,
        help_text=_("すべての操作記録（監査記録）を検索・出力します。連絡票そのものは読みません。"),
    )

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        ordering = ["section__department__order", "section__order", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"], condition=~models.Q(employee_number=""), name="unique_employee_number"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def department_id(self) -> int | None:
        return self.section.department_id if self.section_id else None

    @property
    def is_ga_section_chief(self) -> bool:
        """総務課長: the 所属長 of the 総務課 (the 課 marked 「総務課」, where the 相談窓口 sits), as
        holder or acting (代理) today."""
        return self._scope().general_affairs_chief

    @property
    def is_building_chief(self) -> bool:
        """The 所属長 (holder or acting) of the 課 that manages the building (e.g. 契約管財課)."""
        return self._scope().building_chief

    # -- the sections a role reaches today ----------------------------------------------------
    # The one place that answers "whose reports does this 所属長 / 部長 read": their own 課 (部) when
    # they hold the role, the 課 (部) they act for (代理) today, and every abolished 課 whose work
    # ended up there (``Section.current``). Policies, queues, notices and numbers all ask here.

    def _scope(self):
        from .scope import compute_scope  # scope reads ActingAssignment, defined below

        return compute_scope(self)

    @property
    def chief_sections(self) -> frozenset[int]:
        """Ids of the 課 (abolished ones included) whose reports this user reads as 所属長 today."""
        return self._scope().chief_sections

    @property
    def director_sections(self) -> frozenset[int]:
        """Ids of the 課 (abolished ones included) whose reports this user reads as 部長 today."""
        return self._scope().director_sections

    @property
    def headed_sections(self) -> frozenset[int]:
        """Ids of the 課 this user heads today (held or 代理), as today's organisation names them."""
        return self._scope().headed_sections

    @property
    def directed_departments(self) -> frozenset[int]:
        """Ids of the 部 this user directs today (held or 代理)."""
        return self._scope().directed_departments

    @property
    def acts_as_section_chief(self) -> bool:
        return bool(self.chief_sections)

    @property
    def acts_as_director(self) -> bool:
        return bool(self.director_sections)

    @property
    def is_admin(self) -> bool:
        """管理者: may use the Django admin (manual content, users, organisation)."""
        return self.is_staff or self.is_superuser

    @property
    def roles(self) -> list[Role]:
        held = [Role.STAFF]
        for flag, role in (
            (self.acts_as_section_chief, Role.SECTION_CHIEF),
            (self.acts_as_director, Role.DIRECTOR),
            (self.is_desk, Role.DESK),
            (self.is_ga_director, Role.GA_DIRECTOR),
            (self.is_committee_member, Role.COMMITTEE_MEMBER),
            (self.is_committee_chair, Role.COMMITTEE_CHAIR),
            (self.is_health_office, Role.HEALTH_OFFICE),
            (self.is_auditor, Role.AUDITOR),
            (self.is_admin, Role.ADMIN),
        ):
            if flag:
                held.append(role)
        return held


class ActingAssignment(models.Model):
    """代理: someone acting as a 課's 所属長 (or a 部's 部長) for a period, e.g. while the holder is on
    leave. During the period they read and do what the holder does for that 課 (部), notices
    included; the holder keeps their role."""

    class Kind(models.TextChoices):
        SECTION_CHIEF = "section_chief", _("所属長の代理")
        DIRECTOR = "director", _("部長の代理")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acting", verbose_name=_("代理する人"))
    kind = models.CharField(_("代理する役割"), max_length=20, choices=Kind.choices, default=Kind.SECTION_CHIEF)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="acting",
        verbose_name=_("課"), help_text=_("所属長の代理のとき。"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="acting",
        verbose_name=_("部"), help_text=_("部長の代理のとき。"),
    )
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), help_text=_("この日まで（この日を含む）代理します。"))
    reason = models.CharField(_("理由"), max_length=200, blank=True, help_text=_("例：課長の休職中"))
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("登録者"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("代理")
        verbose_name_plural = _("代理")
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="acting_period")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="section_chief", section__isnull=False, department__isnull=True)
                    | models.Q(kind="director", section__isnull=True, department__isnull=False)
                ),
                name="acting_names_its_section_or_department",
                violation_error_message=_("所属長の代理には課を、部長の代理には部を一つだけ選んでください。"),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="acting_ends_after_it_starts",
                violation_error_message=_("終了日は開始日より後（同じ日も可）にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        unit = self.section or self.department
        return gettext("%(user)s：%(unit)s %(kind)s（%(start)s〜%(end)s）") % {
            "user": self.user, "unit": unit, "kind": self.get_kind_display(),
            "start": f"{self.starts_on:%Y-%m-%d}", "end": f"{self.ends_on:%Y-%m-%d}",
        }


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


class RosterImport(models.Model):
    """One 職員名簿 import (``organization.roster``): the file (name, SHA-256, encoding), who and when,
    and what it changed — counts per kind, every change and every row refused. A preview in the
    admin waits here 「確認中」 with the uploaded bytes, so nobody uploads twice; applying it writes
    the changes and this record in one transaction and drops the bytes (the hash stays)."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("確認中")
        APPLIED = "applied", _("反映済み")

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作者")
    )
    created_at = models.DateTimeField(_("取込日時"), auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(_("反映日時"), null=True, blank=True)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.PREVIEW)
    filename = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("文字コード"), max_length=40, blank=True)
    partial = models.BooleanField(_("部分更新"), default=False)
    content = models.BinaryField(_("ファイルの内容"), blank=True, default=b"", editable=False)
    fingerprint = models.CharField(_("計画の指紋"), max_length=64, blank=True)
    counts = models.JSONField(_("件数"), default=dict, blank=True)
    changes = models.JSONField(_("変更"), default=list, blank=True)
    errors = models.JSONField(_("取り込めなかった行"), default=list, blank=True)
    warnings = models.JSONField(_("注意"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("職員名簿の取込み")
        verbose_name_plural = _("職員名簿の取込み")

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_state_display()}）"


class RoleEvent(AuditEvent):
    """A role granted or withdrawn (``organization.roles``): who, to whom, which role, why. The role
    flags of ``User`` change only through that service, the 職員名簿 import and the directory's
    groups, and each change leaves one of these rows."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("付与")
        WITHDRAWN = "withdrawn", _("取消")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_events", verbose_name=_("対象者"))
    role = models.CharField(_("役割"), max_length=20)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("理由"), max_length=300)

    class Meta(AuditEvent.Meta):
        verbose_name = _("役割の変更")
        verbose_name_plural = _("役割の変更")
