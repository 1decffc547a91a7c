"""The annual report 「カスハラ発生状況報告（令和N年度）」: a snapshot of the year's tables, the
相談窓口's comments, and its audit trail. The dashboard itself stores nothing: it only counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kasuhara.figures import Table, fiscal_year_label
from organization.models import AuditEvent


class AnnualReportState(models.TextChoices):
    DRAFT = "draft", _("下書き")
    FINAL = "final", _("確定")


class AnnualReport(models.Model):
    """One 年度's report. ``tables`` is the list of ``Table.as_dict()`` taken when it was (re)generated:
    the figures never follow later changes to the cases. Once ``FINAL`` nothing changes any more."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    state = models.CharField(_("状態"), max_length=10, choices=AnnualReportState.choices,
                             default=AnnualReportState.DRAFT)
    tables = models.JSONField(_("集計表"), default=list, blank=True)
    summary = models.TextField(_("総評"), blank=True)
    #: The 相談窓口's comment on each table, by the table's key.
    comments = models.JSONField(_("表ごとのコメント"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("作成日時"))
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("作成者"))
    finalised_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("確定した者"))
    #: Raised by every write; a form carries the version it was opened at.
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("カスハラ発生状況報告")
        verbose_name_plural = _("カスハラ発生状況報告")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return f"カスハラ発生状況報告（{fiscal_year_label(self.fiscal_year)}）"

    @property
    def year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def final(self) -> bool:
        return self.state == AnnualReportState.FINAL

    def table_objects(self) -> list[Table]:
        return [Table.from_dict(data) for data in self.tables]


class AnnualReportAction(models.TextChoices):
    GENERATED = "generated", _("作成")
    REGENERATED = "regenerated", _("再生成")
    COMMENTS_SAVED = "comments_saved", _("コメントの保存")
    FINALISED = "finalised", _("確定")
    VIEWED = "viewed", _("閲覧")
    PRINTED = "printed", _("印刷")
    EXPORTED = "exported", _("XLSX 出力")


class AnnualReportEvent(AuditEvent):
    """監査記録 of the annual report: every change, and every reading, printing and export."""

    action = models.CharField(_("操作"), max_length=20, choices=AnnualReportAction.choices)
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("報告"))

    class Meta(AuditEvent.Meta):
        verbose_name = _("年次報告の監査記録")
        verbose_name_plural = _("年次報告の監査記録")


class DataChange(models.Model):
    """One writing statement on a table the dashboard reads (``stats/changes.py``): rows are
    inserted by PostgreSQL triggers, never by the application. Empty (and unused) on SQLite."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.pk)
