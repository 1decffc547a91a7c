"""The response manual (カスハラ対応マニュアル): the ten 態様 with their 対応例 and ▶ phrases, the general
chapters, the Minato scene examples, the police call script, and the city's own settings.

Admins edit these rows (the working draft, every save kept as a django-reversion revision);
staff read a published ``ManualEdition``, a frozen snapshot made by ``services.publish_manual``,
so a half-edited page is never what a staff member sees.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CitySettings(models.Model):
    """The city's own words that fill the blanks of the manual ({city}, {police_station} …).

    A single row (pk=1); ``CitySettings.load()`` returns it.
    """

    city_name = models.CharField(_("自治体名"), max_length=50, default="奥州市")
    police_station = models.CharField(_("最寄りの警察署"), max_length=50, default="奥州警察署")
    police_phone = models.CharField(_("警察署の電話番号"), max_length=30, default="２５－０１１０")
    building_rules = models.CharField(
        _("庁舎管理規則の名称"), max_length=100, default="奥州市庁舎等管理規則"
    )
    desk_name = models.CharField(
        _("カスハラ相談窓口の所属"), max_length=100, default="総務部総務課"
    )
    desk_phone = models.CharField(_("相談窓口の内線番号"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("自治体の設定")
        verbose_name_plural = _("自治体の設定")

    def __str__(self) -> str:
        return str(self.city_name)

    @classmethod
    def load(cls) -> CitySettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def placeholders(self) -> dict[str, str]:
        """The blanks of the manual content and what fills them."""
        return {
            "{city}": self.city_name,
            "{police_station}": self.police_station,
            "{police_phone}": self.police_phone,
            "{building_rules}": self.building_rules,
            "{desk}": self.desk_name,
        }


class Contact(models.Model):
    """庁内の相談先: an internal desk staff can call (mental care, legal consultation, building …)."""

    name = models.CharField(_("名称"), max_length=100)
    purpose = models.CharField(_("相談内容"), max_length=200)
    phone = models.CharField(_("電話・内線"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("庁内の相談先")
        verbose_name_plural = _("庁内の相談先")

    def __str__(self) -> str:
        return str(self.name)


class HarassmentType(models.Model):
    """態様: one of the manual's ten patterns of customer harassment (長時間拘束型 …)."""

    number = models.PositiveIntegerField(_("番号"), unique=True)
    code = models.SlugField(_("コード"), max_length=40, unique=True)
    name = models.CharField(_("態様名"), max_length=100)
    description = models.TextField(_("説明（該当する言動）"))
    see_also = models.ManyToManyField(
        "self", symmetrical=False, blank=True, verbose_name=_("関連する態様")
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("態様")
        verbose_name_plural = _("態様")

    def __str__(self) -> str:
        return str(self.name)


class ResponseStep(models.Model):
    """【対応例】: one numbered response step of a 態様."""

    harassment_type = models.ForeignKey(
        HarassmentType, on_delete=models.CASCADE, related_name="steps", verbose_name=_("態様")
    )
    number = models.PositiveIntegerField(_("番号"))
    text = models.TextField(_("対応例"))

    class Meta:
        ordering = ["harassment_type__number", "number"]
        verbose_name = _("対応例")
        verbose_name_plural = _("対応例")
        constraints = [
            models.UniqueConstraint(fields=["harassment_type", "number"], name="unique_step_number"),
        ]

    def __str__(self) -> str:
        return f"{self.harassment_type} {self.number}"


class SamplePhrase(models.Model):
    """▶: a sample phrase to say, attached to its step so it can be copied alone."""

    step = models.ForeignKey(
        ResponseStep, on_delete=models.CASCADE, related_name="phrases", verbose_name=_("対応例")
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)
    text = models.TextField(_("例文"))

    class Meta:
        ordering = ["step__harassment_type__number", "step__number", "order", "id"]
        verbose_name = _("例文（▶）")
        verbose_name_plural = _("例文（▶）")

    def __str__(self) -> str:
        return str(self.text)[:40]


class ContentSource(models.TextChoices):
    OSHU = "oshu", _("奥州市マニュアル")
    MINATO = "minato", _("港区マニュアル")
    CITY = "city", _("自治体独自")


class Chapter(models.Model):
    """A general chapter of the manual (定義, 判断, 対応原則, 留意点, 警察への通報 …) in Markdown."""

    slug = models.SlugField(_("識別名"), max_length=60, unique=True)
    number = models.CharField(_("章番号"), max_length=20, blank=True)
    title = models.CharField(_("題名"), max_length=200)
    source = models.CharField(
        _("出典"), max_length=10, choices=ContentSource.choices, default=ContentSource.OSHU
    )
    body = models.TextField(
        _("本文"),
        help_text=_("Markdown で書けます（見出し ###、箇条書き -、強調 **…**）。HTML は表示時に無害化されます。"),
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("章")
        verbose_name_plural = _("章")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Scene(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("対面")
    PHONE = "phone", _("電話")
    INTERNET = "internet", _("インターネット")


class SceneExample(models.Model):
    """場面別の対応事例 (Minato): a scene, its example and the points, linked to the 態様 it belongs to."""

    scene = models.CharField(_("場面"), max_length=20, choices=Scene.choices)
    heading = models.CharField(_("見出し"), max_length=200)
    example = models.TextField(_("事例"))
    points = models.TextField(_("対応のポイント"), help_text=_("1行に1項目。"))
    note = models.TextField(_("注記"), blank=True)
    harassment_types = models.ManyToManyField(
        HarassmentType, related_name="scene_examples", blank=True, verbose_name=_("態様")
    )
    source = models.CharField(
        _("出典"), max_length=10, choices=ContentSource.choices, default=ContentSource.MINATO
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("場面別の対応事例")
        verbose_name_plural = _("場面別の対応事例")

    def __str__(self) -> str:
        return f"{self.get_scene_display()} {self.heading}"

    def point_list(self) -> list[str]:
        return [line.strip() for line in self.points.splitlines() if line.strip()]


class CallScriptLine(models.Model):
    """警察への状況説明の例: one line of the call script, with blanks (○○, □□□) to fill."""

    order = models.PositiveIntegerField(_("表示順"), default=0)
    text = models.CharField(_("説明の例"), max_length=300)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("警察への状況説明の例")
        verbose_name_plural = _("警察への状況説明の例")

    def __str__(self) -> str:
        return str(self.text)


class ManualEdition(models.Model):
    """公開版: a frozen snapshot of the whole manual, published by an admin; staff read the newest."""

    published_at = models.DateTimeField(_("公開日時"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("公開者"),
    )
    note = models.CharField(_("改訂内容"), max_length=200, blank=True)
    content = models.JSONField(_("内容"), editable=False)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        verbose_name = _("公開版")
        verbose_name_plural = _("公開版")

    def __str__(self) -> str:
        return f"第{self.pk}版"


# Revisions (django-reversion): a 態様 follows its steps, a step its phrases, so restoring a
# 態様's earlier version brings back its steps and phrases as they were.
import reversion  # noqa: E402

reversion.register(SamplePhrase)
reversion.register(ResponseStep, follow=["phrases"])
reversion.register(HarassmentType, follow=["steps"])
