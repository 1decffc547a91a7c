"""Writes of the annual report. Each function is keyword-only and runs in one transaction: it locks
the report's row, asks ``policies`` (``PermissionDenied`` when the actor may not), refuses a
finalised report (``ReportLocked``) or a form opened before the last change (``StaleReport``) with
a Japanese message, changes the row and records an ``AnnualReportEvent``. Reading, printing and
exporting are recorded too (``record_access``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import annual, policies
from .models import AnnualReport, AnnualReportAction, AnnualReportEvent, AnnualReportState

if TYPE_CHECKING:
    from organization.models import User

#: The 年度 a report may be made for (a typo in a URL is a 404, not a report for 1026).
FIRST_YEAR, LAST_YEAR = 2000, 2999


class ReportLocked(ValidationError):
    """The report is finalised: nothing about it changes any more."""


class StaleReport(ValidationError):
    """The form was opened before the report last changed."""


def _plain(value):
    """The snapshot as the database will give it back: lists, not tuples; a Decimal as a number;
    lazy text as text."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):  # a lazy translation: its text now
        return str(value)
    return value


def _snapshot(fiscal_year: int) -> list[dict]:
    return [_plain(table.as_dict()) for table in annual.build_tables(fiscal_year)]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def locked_message(report: AnnualReport) -> str:
    """What a refused change of a finalised report says (the services' ``ReportLocked`` and the pages)."""
    return _("%(title)sは確定済みのため、変更できません。") % {"title": report.title}


def _event(*, report: AnnualReport, actor: User | None, action: str, ip_address: str | None = None,
           detail: dict | None = None) -> AnnualReportEvent:
    return AnnualReportEvent.objects.create(report=report, actor=actor, action=action, ip_address=ip_address,
                                            detail=detail or {})


def _lock(report: AnnualReport, *, version: int | None = None) -> AnnualReport:
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.final:
        raise ReportLocked(locked_message(locked))
    if version is not None and version != locked.version:
        raise StaleReport(_("このページを開いた後に、報告が別の操作（再生成、コメントの保存）で更新されました。"
                            "入力した内容はそのまま残しています。確認して、もう一度保存すると上書きします。"))
    return locked


@transaction.atomic
def generate(*, actor: User, fiscal_year: int, ip_address: str | None = None) -> AnnualReport:
    """Make the 年度's report from today's figures; a draft that exists is regenerated (its comments
    stay); a finalised one is refused."""
    _require(policies.can_manage_annual_report(actor))
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise ValidationError(_("年度は%(first)s年度から%(last)s年度までで指定してください。")
                              % {"first": FIRST_YEAR, "last": LAST_YEAR})
    existing = AnnualReport.objects.filter(fiscal_year=fiscal_year).first()
    if existing is not None:
        return regenerate(actor=actor, report=existing, ip_address=ip_address)
    tables = _snapshot(fiscal_year)
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(fiscal_year=fiscal_year, tables=tables, generated_at=timezone.now(),
                                                 generated_by=actor)
    except IntegrityError:  # someone generated the same 年度 a moment ago: that one is the report
        return AnnualReport.objects.get(fiscal_year=fiscal_year)
    _event(report=report, actor=actor, action=AnnualReportAction.GENERATED, ip_address=ip_address,
           detail={"fiscal_year": fiscal_year, "tables": len(tables)})
    return report


@transaction.atomic
def regenerate(*, actor: User, report: AnnualReport, ip_address: str | None = None) -> AnnualReport:
    """Take the figures again (a draft only); the 総評 and the tables' comments are kept."""
    _require(policies.can_manage_annual_report(actor))
    report = _lock(report)
    report.tables = _snapshot(report.fiscal_year)
    report.generated_at = timezone.now()
    report.generated_by = actor
    report.version += 1
    report.save(update_fields=["tables", "generated_at", "generated_by", "version"])
    _event(report=report, actor=actor, action=AnnualReportAction.REGENERATED, ip_address=ip_address,
           detail={"tables": len(report.tables)})
    return report


@transaction.atomic
def save_comments(*, actor: User, report: AnnualReport, version: int, summary: str, comments: dict[str, str],
                  ip_address: str | None = None) -> AnnualReport:
    """The 総評 and the comment on each table (by the table's key; keys of tables the report does not
    have are ignored)."""
    _require(policies.can_manage_annual_report(actor))
    report = _lock(report, version=version)
    keys = {table.get("key") for table in report.tables}
    kept = {key: text for key, text in report.comments.items() if key not in keys}  # of tables gone for now
    new = {key: text.strip() for key, text in comments.items() if key in keys and text.strip()}
    changed = [key for key in keys if report.comments.get(key, "") != new.get(key, "")]
    summary_changed = report.summary != summary.strip()
    report.summary = summary.strip()
    report.comments = {**kept, **new}
    report.version += 1
    report.save(update_fields=["summary", "comments", "version"])
    _event(report=report, actor=actor, action=AnnualReportAction.COMMENTS_SAVED, ip_address=ip_address,
           detail={"summary_changed": summary_changed, "tables_changed": sorted(changed)})
    return report


@transaction.atomic
def finalise(*, actor: User, report: AnnualReport, version: int, ip_address: str | None = None) -> AnnualReport:
    """確定: the report is locked as it is."""
    _require(policies.can_manage_annual_report(actor))
    report = _lock(report, version=version)
    report.state = AnnualReportState.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by = actor
    report.version += 1
    report.save(update_fields=["state", "finalised_at", "finalised_by", "version"])
    _event(report=report, actor=actor, action=AnnualReportAction.FINALISED, ip_address=ip_address)
    return report


def record_access(*, actor: User, report: AnnualReport, action: str, ip_address: str | None = None,
                  detail: dict | None = None) -> AnnualReportEvent:
    """Every reading, printing and export of a report is an audit event."""
    assert action in (AnnualReportAction.VIEWED, AnnualReportAction.PRINTED, AnnualReportAction.EXPORTED)
    _require(policies.can_read_annual_report(actor))
    return _event(report=report, actor=actor, action=action, ip_address=ip_address, detail=detail)
