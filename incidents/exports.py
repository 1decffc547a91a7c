"""Exports of the queue (/queue/export/): the queue's current filter as CSV or XLSX, with the columns
the user picks.

- The rows are the queue's own (``policies.queue_reports`` narrowed by ``queue.apply_filters`` and
  the tab, in the queue's order): a 所属長 never exports another 課's case, whatever the URL says.
- The 相手方 and 報告者 columns are offered only to whom ``policies.can_export_personal_data`` allows
  (the 相談窓口), the 相談窓口's ratings only to whom ``can_export_ratings`` allows. A URL asking for
  a column not offered (unknown, or not allowed) gets no file: the export page answers 400 with a
  note naming what was left out, the rest of the choice kept. A filter value the queue does not
  understand is the same (the queue would drop it; a file has no place to say so).
- Each export is an ``ExportEvent`` (who, when, from where, the filter, the columns, the format,
  the row count), written before the first byte is sent: the count is taken first, in the request.
- Memory does not grow with the rows: the rows are read with a server-side cursor
  (``.iterator(chunk_size=CHUNK)``) of a narrow ``values_list``; the 態様 of a chunk's cases come
  with one more query per chunk. CSV is streamed (``kasuhara.csvstream``), UTF-8 with a BOM
  (Excel reads Japanese text right), CRLF, quoted where a value holds a comma, a quote or a line
  break; dates ISO ``2025-06-18 14:30`` in local time (sortable). XLSX is written row by row by
  openpyxl's write-only mode into a temporary file (deleted once sent); dates are real local
  date-times. One 和暦 column (発生日（和暦）) is offered, cheap: each day is converted once.
- A text cell that begins with ``= + - @`` (or a tab / carriage return) is never a formula: CSV
  prefixes it with ``'`` (what Excel shows as text), XLSX stores it as a string.

Queries: 8 + one per ``CHUNK`` (2,000) rows — the session and the user, the lookups, the count, the
event (BEGIN, INSERT, COMMIT), the rows (one query: a server-side cursor on PostgreSQL, fetched
``CHUNK`` rows at a time), and the 態様 of each chunk (1 per ``CHUNK`` rows): 57 for 97,924 rows.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kasuhara import csvstream
from kasuhara.wareki import wareki
from organization.models import User

from . import policies, queue
from .lifecycle import Status
from .models import (
    AgeBand,
    Channel,
    Difficulty,
    ExportEvent,
    ExportFormat,
    IncidentReport,
    Level,
    Outcome,
    Sex,
)

#: Rows read from the database at a time (and the 態様 of that many cases in one query).
CHUNK = 2000
#: The formats, and what the file name ends with.
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The queue's URL parameters that are not a filter: never carried into an export.
NOT_CARRIED = frozenset({"page", "columns", "format"})


# -- the columns ---------------------------------------------------------------------------------------

class Access:
    """Who may have a column: anyone with the queue, the 相談窓口's ratings, personal data."""

    ALL = "all"
    RATINGS = "ratings"
    PERSONAL = "personal"


@dataclass
class Context:
    """What the rows are written with: names read once per export, the time zone, the 態様 of the
    current chunk (``types``: report id → names joined with 「、」)."""

    zone: datetime.tzinfo
    section_names: dict[int, str]
    department_of_section: dict[int, str]
    types: dict[int, str] = field(default_factory=dict)
    #: Words translated once per export (gettext costs microseconds: once per row was a third of the time).
    yes: str = ""
    no: str = ""
    unassigned: str = ""

    def local(self, moment: datetime.datetime | None) -> datetime.datetime | None:
        """The moment in local time, without a zone (what a spreadsheet cell holds)."""
        return moment.astimezone(self.zone).replace(tzinfo=None) if moment else None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: The report's columns (``values_list`` names) the value is made of.
    fields: tuple[str, ...]
    #: (the row as {field: value}, context) → the cell: text, a number, a local datetime or None.
    value: Callable[[dict, Context], object]
    access: str = Access.ALL
    default: bool = False


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _choice(name: str, choices) -> Callable[[dict, Context], str]:
    labels = {}

    def value(row: dict, _ctx: Context) -> str:
        if not labels:  # translated once per process, at the first row (not at import)
            labels.update(_labels(choices))
        raw = row[name]
        return labels.get(raw, raw) if raw else ""

    return value


def _yes_no(name: str) -> Callable[[dict, Context], str]:
    return lambda row, ctx: ctx.yes if row[name] else ctx.no


def _minutes(row: dict, _ctx: Context) -> int | None:
    start, end = row["occurred_start"], row["occurred_end"]
    if start and end and end >= start:
        return int((end - start).total_seconds() // 60)
    return None


@lru_cache(maxsize=8192)
def _wareki_of(day: datetime.date) -> str:
    return wareki(day)


def _occurred_wareki(row: dict, ctx: Context) -> str:
    moment = ctx.local(row["occurred_start"])
    return _wareki_of(moment.date()) if moment else ""


def _person(prefix: str) -> Callable[[dict, Context], str]:
    return lambda row, _ctx: row[f"{prefix}__display_name"] or row[f"{prefix}__username"] or ""


def _handler(row: dict, ctx: Context) -> str:
    return row["handler__display_name"] or row["handler__username"] or ctx.unassigned


COLUMNS: list[Column] = [
    Column("no", _("No."), ("pk",), lambda row, _ctx: row["pk"], default=True),
    Column("title", _("件名"), ("title",), lambda row, _ctx: row["title"], default=True),
    Column("status", _("状態"), ("status",), _choice("status", Status.choices), default=True),
    Column("types", _("態様"), ("pk",), lambda row, ctx: ctx.types.get(row["pk"], ""), default=True),
    # The 課 as the report was filed (history keeps the name when the 課 is renamed or merged later).
    Column("section", _("課"), ("section_id", "section_name"),
           lambda row, ctx: row["section_name"] or ctx.section_names.get(row["section_id"], ""), default=True),
    Column("department", _("部"), ("section_id",),
           lambda row, ctx: ctx.department_of_section.get(row["section_id"], ""), default=True),
    Column("occurred", _("発生日時"), ("occurred_start",), lambda row, ctx: ctx.local(row["occurred_start"]),
           default=True),
    Column("occurred_wareki", _("発生日（和暦）"), ("occurred_start",), _occurred_wareki),
    Column("submitted", _("提出日時"), ("submitted_at",), lambda row, ctx: ctx.local(row["submitted_at"]),
           default=True),
    Column("accepted", _("受付日時"), ("accepted_at",), lambda row, ctx: ctx.local(row["accepted_at"]),
           default=True),
    Column("channel", _("場所・手段"), ("channel",), _choice("channel", Channel.choices), default=True),
    Column("difficulty", _("難易度"), ("difficulty",), _choice("difficulty", Difficulty.choices), default=True),
    Column("handler", _("担当者"), ("handler__display_name", "handler__username"), _handler, default=True),
    Column("police", _("警察通報"), ("police_called",), _yes_no("police_called"), default=True),
    Column("duration", _("対応時間（分）"), ("occurred_start", "occurred_end"), _minutes, default=True),
    Column("lost", _("失われた時間（分）"), ("work_minutes_lost",), lambda row, _ctx: row["work_minutes_lost"],
           default=True),
    Column("outcome", _("結果"), ("outcome",), _choice("outcome", Outcome.choices), default=True),
    Column("closed", _("完了日時"), ("closed_at",), lambda row, ctx: ctx.local(row["closed_at"])),
    Column("continuity", _("継続性"), ("continuity",), _choice("continuity", Level.choices), access=Access.RATINGS),
    Column("malice", _("悪質性"), ("malice",), _choice("malice", Level.choices), access=Access.RATINGS),
    Column("urgent", _("至急"), ("urgent",), _yes_no("urgent"), access=Access.RATINGS),
    Column("counterpart_name", _("相手方の氏名"), ("counterpart_name",), lambda row, _ctx: row["counterpart_name"],
           access=Access.PERSONAL),
    Column("counterpart_sex", _("相手方の性別"), ("counterpart_sex",), _choice("counterpart_sex", Sex.choices),
           access=Access.PERSONAL),
    Column("counterpart_age", _("相手方の年代"), ("counterpart_age_band",),
           _choice("counterpart_age_band", AgeBand.choices), access=Access.PERSONAL),
    Column("counterpart_contact", _("相手方の連絡先"), ("counterpart_contact",),
           lambda row, _ctx: row["counterpart_contact"], access=Access.PERSONAL),
    Column("reporter", _("報告者"), ("reporter__display_name", "reporter__username"), _person("reporter"),
           access=Access.PERSONAL),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = [column.key for column in COLUMNS if column.default]


def columns_for(user: User) -> list[Column]:
    """The columns offered to ``user``, in the file's order."""
    allowed = {Access.ALL}
    if policies.can_export_ratings(user):
        allowed.add(Access.RATINGS)
    if policies.can_export_personal_data(user):
        allowed.add(Access.PERSONAL)
    return [column for column in COLUMNS if column.access in allowed]


def is_redacted(user: User) -> bool:
    """Whether some column is not offered to ``user`` (the page says which and why)."""
    return len(columns_for(user)) < len(COLUMNS)


# -- the choice of columns and format -----------------------------------------------------------------

class ExportForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("出力する列"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("出力する列を1つ以上選んでください。")},
    )
    format = forms.ChoiceField(
        label=_("形式"), choices=ExportFormat.choices, widget=forms.RadioSelect,
        error_messages={"required": _("形式を選んでください。"),
                        "invalid_choice": _("形式は CSV か Excel（XLSX）から選んでください。")},
    )

    def __init__(self, data, *, offered: list[Column], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["columns"].choices = [(column.key, column.label) for column in offered]


@dataclass
class ExportPlan:
    """What an export would write, read from the URL: the queue's filter (only what was
    understood), the tab and order, the columns and format chosen, and what was left out."""

    user: User
    filter_form: queue.QueueFilterForm
    form: ExportForm
    tab: queue.Tab
    sort: str
    reports: QuerySet[IncidentReport]
    #: (name, value) of every filter parameter carried (the page's hidden fields, the event's query).
    carried: list[tuple[str, str]]
    #: Labels of the filter values not understood (not carried).
    ignored_filters: list[str]
    #: Column keys asked for that are not offered to the user (unknown or not allowed).
    refused_columns: list[str]
    lookups: queue.Lookups

    @property
    def query(self) -> str:
        query = QueryDict(mutable=True)
        for name, value in self.carried:
            query.appendlist(name, value)
        return query.urlencode()

    @property
    def columns(self) -> list[Column]:
        chosen = self.form.cleaned_data.get("columns", []) if self.form.is_valid() else []
        return [column for column in columns_for(self.user) if column.key in chosen]

    @property
    def format(self) -> str:
        return self.form.cleaned_data["format"]

    @property
    def problems(self) -> list[str]:
        """Sentences that say why no file is sent (empty: the file can be sent)."""
        problems = []
        if self.ignored_filters:
            problems.append(gettext("次の条件は正しくないため外しました。このまま出力するか、受付キューで条件を直してください：%s")
                            % "、".join(self.ignored_filters))
        if self.refused_columns:
            problems.append(gettext("次の列は出力できないため外しました：%s") % "、".join(self.refused_columns))
        if self.form.is_bound and not self.form.is_valid():
            problems += [str(error) for errors in self.form.errors.values() for error in errors]
        return problems

    def count(self) -> int:
        return self.reports.count()

    @property
    def filters_shown(self) -> list[tuple[str, str]]:
        """(label, value) of every filter applied, in words (the page's summary)."""
        return describe_filters(self.filter_form)


def plan_export(user: User, params: QueryDict, *, download: bool) -> ExportPlan:
    """The export ``params`` ask for. The page (``download`` false) fills in the default columns
    and CSV when the URL has none; the download takes the URL as it is."""
    lookups = queue.read_lookups()
    filter_form = queue.QueueFilterForm(params, user=user, lookups=lookups)
    values = filter_form.values
    tabs = queue.tabs_for(user)
    keys = {tab.key for tab in tabs}
    ignored = list(filter_form.ignored)
    bad_fields = set(filter_form.errors)
    if params.get("tab") and params.get("tab") not in keys:
        ignored.append(str(_("表示する状態")))
        bad_fields.add("tab")
    tab_key = values.get("tab") if values.get("tab") in keys else queue.default_tab(user)
    tab = next(t for t in tabs if t.key == tab_key)
    sort = values.get("sort") or queue.default_sort(tab_key)
    carried = [(name, value) for name, values_ in params.lists() if name in filter_form.fields
               and name not in bad_fields and name not in NOT_CARRIED for value in values_]

    offered = columns_for(user)
    offered_keys = {column.key for column in offered}
    asked = params.getlist("columns")
    refused = [key for key in dict.fromkeys(asked) if key not in offered_keys]
    refused_labels = [str(COLUMNS_BY_KEY[key].label) if key in COLUMNS_BY_KEY else key for key in refused]
    if download or "columns" in params or "format" in params:
        data = {"columns": [key for key in asked if key in offered_keys], "format": params.get("format", "")}
        if not download and "columns" not in params:
            data["columns"] = [key for key in DEFAULT_COLUMNS if key in offered_keys]
        form = ExportForm(data, offered=offered)
    else:
        form = ExportForm(None, offered=offered, initial={
            "columns": [key for key in DEFAULT_COLUMNS if key in offered_keys], "format": ExportFormat.CSV})

    reports = queue.apply_filters(policies.queue_reports(user), values, user=user, now=timezone.now(),
                                  cal=lookups.calendar).filter(tab.condition).order_by(*queue.SORTS[sort][1])
    return ExportPlan(user=user, filter_form=filter_form, form=form, tab=tab, sort=sort, reports=reports,
                      carried=carried, ignored_filters=ignored, refused_columns=refused_labels, lookups=lookups)


def describe_filters(form: queue.QueueFilterForm) -> list[tuple[str, str]]:
    shown = []
    for name, value in form.values.items():
        if name in ("tab", "sort", "date_field") or value in (None, "", [], False):
            continue
        field_ = form.fields[name]
        if isinstance(field_, forms.ChoiceField):
            labels = {str(k): str(v) for k, v in field_.choices}
            items = value if isinstance(value, list) else [value]
            text = "、".join(labels.get(str(item), str(item)) for item in items)
        elif isinstance(value, datetime.date):
            text = f"{value:%Y-%m-%d}"
        elif value is True:
            text = gettext("はい")
        else:
            text = str(value)
        label = str(field_.label)
        if name in ("date_from", "date_to"):
            basis = form.values.get("date_field") or "occurred"
            label = f"{label}（{dict(form.fields['date_field'].choices)[basis]}）"
        shown.append((label, text))
    return shown


# -- the audit event -----------------------------------------------------------------------------------

def record_export(*, actor: User, ip_address: str | None, plan: ExportPlan, row_count: int) -> ExportEvent:
    """The export's audit event, committed before the file is sent."""
    with transaction.atomic():
        return ExportEvent.objects.create(
            actor=actor, ip_address=ip_address, query=plan.query,
            columns=[column.key for column in plan.columns], format=plan.format, row_count=row_count,
            detail={"tab": plan.tab.key, "sort": plan.sort, "filters": plan.filters_shown},
        )


# -- the rows ------------------------------------------------------------------------------------------

def _context(plan: ExportPlan) -> Context:
    departments = {pk: dept for pk, _name, _dept_id, dept, _order in plan.lookups.sections}
    return Context(zone=timezone.get_current_timezone(), section_names=plan.lookups.section_names,
                   department_of_section=departments, yes=gettext("あり"), no=gettext("なし"),
                   unassigned=gettext("未定"))


def _types_of(ids: list[int], names: dict[int, tuple[int, str]]) -> dict[int, str]:
    """The 態様 of the reports ``ids`` (one query), joined with 「、」 in the manual's order."""
    found: dict[int, list[tuple[int, str]]] = {}
    through = IncidentReport.harassment_types.through
    for report_id, type_id in through.objects.filter(incidentreport_id__in=ids).values_list(
            "incidentreport_id", "harassmenttype_id"):
        if type_id in names:
            found.setdefault(report_id, []).append(names[type_id])
    return {pk: "、".join(name for _place, name in sorted(items)) for pk, items in found.items()}


def rows(plan: ExportPlan) -> Iterator[list]:
    """The cells of each row, chunk by chunk: memory holds one chunk whatever the number of rows."""
    columns = plan.columns
    names = list(dict.fromkeys(["pk", *(name for column in columns for name in column.fields)]))
    wants_types = any(column.key == "types" for column in columns)
    type_names = {pk: (place, name) for place, (pk, name) in enumerate(plan.lookups.types)}
    ctx = _context(plan)
    chunk: list[dict] = []

    def flush() -> Iterator[list]:
        ctx.types = _types_of([row["pk"] for row in chunk], type_names) if wants_types else {}
        for row in chunk:
            yield [column.value(row, ctx) for column in columns]
        chunk.clear()

    for values in plan.reports.values_list(*names).iterator(chunk_size=CHUNK):
        chunk.append(dict(zip(names, values, strict=True)))
        if len(chunk) >= CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def csv_chunks(plan: ExportPlan) -> Iterator[bytes]:
    """The CSV file in pieces: the BOM and the header, then one piece per ``CHUNK`` rows."""
    return csvstream.stream([column.label for column in plan.columns], rows(plan), chunk=CHUNK)


#: Characters XML 1.0 cannot hold (openpyxl refuses them): left out of a cell's text.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(value):
    """A text for an XLSX cell: without what XML cannot hold, and with Excel's line break (LF: a CR
    in a cell shows as a stray mark in Excel, and XML would turn CRLF into LF anyway)."""
    return XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def write_xlsx(plan: ExportPlan, target) -> None:
    """The XLSX file into ``target`` (a file object), memory flat with the rows: openpyxl's
    write-only mode streams each row into its temporary sheet file; the header is bold and dates
    are real local date-times (``yyyy-mm-dd hh:mm``)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=gettext("受付キュー"))
    bold = Font(bold=True)
    header = []
    for column in plan.columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_format = "yyyy-mm-dd hh:mm"
    for cells in rows(plan):
        row = []
        for value in cells:
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = date_format
                row.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                cell.data_type = "s"  # never a formula, whatever the text begins with
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)
    workbook.save(target)


def file_name(fmt: str, now: datetime.datetime | None = None) -> str:
    day = timezone.localdate(now or timezone.now())
    return f"{gettext('受付キュー')}_{day:%Y-%m-%d}.{EXTENSIONS[fmt]}"


def export_response(plan: ExportPlan, *, actor: User, ip_address: str | None) -> StreamingHttpResponse | FileResponse:
    """Count, record the event, then send the file (the plan has no problems)."""
    row_count = plan.count()
    record_export(actor=actor, ip_address=ip_address, plan=plan, row_count=row_count)
    name = file_name(plan.format)
    if plan.format == ExportFormat.CSV:
        response = StreamingHttpResponse(csv_chunks(plan), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, name)
    else:
        # A temporary file without a name on disk once opened (deleted when closed, after sending).
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        try:
            write_xlsx(plan, target)
        except BaseException:
            target.close()
            raise
        target.seek(0)
        response = FileResponse(target, as_attachment=True, filename=name, content_type=XLSX_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
