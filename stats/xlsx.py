"""The annual report as an XLSX workbook (openpyxl): a sheet 「総評」 (title, dates, state, the 総評),
then one sheet per table: its caption, the header row in bold, the rows (numbers as numbers), the
note and the 相談窓口's comment."""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kasuhara.wareki import wareki_with_western

from .models import AnnualReport

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOLD = Font(bold=True)


def era_short(fiscal_year: int) -> str:
    """R7 for 2025, H30 for 2018: the 年度 in an ASCII file name."""
    if fiscal_year >= 2019:
        return f"R{fiscal_year - 2018}"
    return f"H{fiscal_year - 1988}"


def file_names(report: AnnualReport) -> tuple[str, str]:
    """(``kasuhara_report_R7.xlsx``, ``カスハラ発生状況報告（令和7年度）.xlsx``)."""
    return f"kasuhara_report_{era_short(report.fiscal_year)}.xlsx", f"{report.title}.xlsx"


def sheet_name(caption: str, taken: set[str]) -> str:
    """The caption, without the characters Excel refuses, at most 31 characters, unique in the book."""
    base = _FORBIDDEN.sub("", caption).strip().strip("'") or _("表")
    name = base[:SHEET_NAME_MAX]
    n = 2
    while name.lower() in taken:
        suffix = f"({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _cell(value):
    """Numbers stay numbers; no data is an empty cell; text is text."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def report_workbook(report: AnnualReport) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = _("総評")
    taken = {cover.title.lower()}
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([])
    for label, value in (
        (_("状態"), report.get_state_display()),
        (_("作成日"), wareki_with_western(report.generated_at)),
        (_("確定日"), wareki_with_western(report.finalised_at) if report.finalised_at else "—"),
    ):
        cover.append([label, value])
        cover.cell(row=cover.max_row, column=1).font = BOLD
    cover.append([])
    cover.append([_("総評")])
    cover.cell(row=cover.max_row, column=1).font = BOLD
    cover.append([report.summary or "—"])
    cover.cell(row=cover.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 60

    for table in report.table_objects():
        sheet = book.create_sheet(sheet_name(table.caption, taken))
        sheet.append([table.caption + (f"（{_('単位')}：{table.unit}）" if table.unit else "")])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append([table.row_header or "", *table.headers])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        for label, cells in table.rows:
            sheet.append([label, *(_cell(value) for value in cells)])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        comment = report.comments.get(table.key, "")
        if comment:
            sheet.append([])
            sheet.append([_("コメント")])
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
            sheet.append([comment])
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
