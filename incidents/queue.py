"""The 相談窓口's queue (/queue/): its filter form and the one selector behind the list.

Everything starts from ``policies.visible_reports(user)`` (the access rule stays there), never
shows a draft, and narrows to the cases the role looks after: the 相談窓口 every case, the 所属長
their 課, the 部長 their 部, the 総務部長 the cases under cross review.

Cost, whatever the rows (besides the session, the user and the page's own): the closing days (one
query: the ages of all rows use one calendar), the tab counts (one aggregate query with a
conditional COUNT per tab over the filtered cases without the state filter — the current tab's
count is also the paginator's count, so the paginator sends no COUNT of its own), the ids of the
page (a narrow ORDER BY … LIMIT/OFFSET on the report row only), the page's rows (section, 部 and
担当者 joined), their 態様 (one prefetch), and the form's choices (態様, 課 with 部, 相談窓口 users).
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations import selectors as consultation_selectors
from consultations.models import OPEN as CONSULTATION_OPEN
from consultations.models import State as ConsultationState
from kasuhara.textnorm import fold
from manual.models import HarassmentType
from organization import calendar
from organization.models import Section, User

from . import policies
from .lifecycle import WAITING, Status
from .models import Channel, Difficulty, IncidentReport, Level
from .templatetags.dates_ja import wareki_date

if TYPE_CHECKING:
    from organization.calendar import BusinessCalendar

PER_PAGE = 50
#: The 相談 section of the 相談窓口's queue shows at most this many open consultations.
CONSULTATIONS_SHOWN = 50
#: A search of more words than this uses the first ones (each word is one more LIKE over the text).
MAX_WORDS = 8


def accept_within_days() -> int:
    """受付期限: a case not accepted after this many business days since 提出 is overdue."""
    return getattr(settings, "KASUHARA_ACCEPT_WITHIN_DAYS", 2)


def _difficult_tab_for(user: User) -> bool:
    return not user.is_desk and (user.is_director or user.is_ga_director)


# -- tabs and sorting --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    condition: Q = field(default_factory=Q)
    #: The statuses (and, for the 部長's tab, difficulties) the tab counts; None: any.
    statuses: frozenset | None = None
    difficulties: frozenset | None = None

    def counts(self, status: str, difficulty: str) -> bool:
        return (self.statuses is None or status in self.statuses) and (
            self.difficulties is None or difficulty in self.difficulties
        )


def _status_tab(key: str, label, *statuses: str) -> Tab:
    return Tab(key, label, Q(status__in=statuses), statuses=frozenset(statuses))


TABS = [
    _status_tab("waiting", _("受付待ち"), *WAITING),
    _status_tab("accepted", _("受付済み"), Status.ACCEPTED),
    _status_tab("in_progress", _("対応中"), Status.IN_PROGRESS),
    _status_tab("referred", _("委員会付議"), Status.REFERRED),
    _status_tab("decided", _("方針決定・共有"), Status.DECIDED, Status.SHARED),
    _status_tab("closed", _("完了"), Status.CLOSED),
    Tab("all", _("すべて")),
]
#: The 部長's (and 総務部長's) first tab: the 困難 and 特に困難 cases, in any state.
DIFFICULT_TAB = Tab("difficult", _("困難・特に困難"), Q(difficulty__in=[Difficulty.HARD, Difficulty.VERY_HARD]),
                    difficulties=frozenset({Difficulty.HARD, Difficulty.VERY_HARD}))


def tabs_for(user: User) -> list[Tab]:
    return [DIFFICULT_TAB, *TABS] if _difficult_tab_for(user) else list(TABS)


def default_tab(user: User) -> str:
    return DIFFICULT_TAB.key if _difficult_tab_for(user) else "waiting"


SORTS = {
    "submitted_asc": (_("提出日 古い順"), ("submitted_at", "id")),
    "submitted_desc": (_("提出日 新しい順"), ("-submitted_at", "-id")),
    "occurred_desc": (_("発生日 新しい順"), ("-occurred_start", "-id")),
    "occurred_asc": (_("発生日 古い順"), ("occurred_start", "id")),
    "urgent": (_("至急を先に（提出日 古い順）"), ("-urgent", "submitted_at", "id")),
}


def default_sort(tab: str) -> str:
    """The oldest waiting case first where cases wait; elsewhere the newest first."""
    return "submitted_asc" if tab == "waiting" else "submitted_desc"


# -- the filter form ---------------------------------------------------------------------------------

def _attrs_html(attrs: dict) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them (True: the bare name)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items() if value is not False and value is not None
    )


class FastSelect(forms.Select):
    """A <select> written in Python: the same markup as Django's templates, without one template
    render (and include of attrs.html) per <option>, which made the filter form most of the page's cost."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{_attrs_html(attrs)}>']
        found = False
        for option_value, label in self.choices:
            v = "" if option_value is None else str(option_value)
            if v in chosen and (self.allow_multiple_selected or not found):
                found = True
                parts.append(f'\n  <option value="{escape(v)}" selected>{escape(label)}</option>')
            else:
                parts.append(f'\n  <option value="{escape(v)}">{escape(label)}</option>')
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class _FastInput:
    """An <input> written in Python from the widget's own context (value formatting, checked)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(  # noqa: S308 - escaped above
            f'<input type="{escape(widget["type"])}" name="{escape(name)}"{shown}{_attrs_html(widget["attrs"])}>')


class FastTextInput(_FastInput, forms.TextInput):
    pass


class FastHiddenInput(_FastInput, forms.HiddenInput):
    pass


class FastDateInput(_FastInput, forms.DateInput):
    pass


class FastCheckboxInput(_FastInput, forms.CheckboxInput):
    pass


class HandlerChoice:
    MINE = "mine"
    UNASSIGNED = "unassigned"


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the URL (GET) so a view can be bookmarked and shared.

    A value that does not validate is dropped (``ignored`` names the fields) and the rest applies.
    """

    tab = forms.CharField(required=False, widget=FastHiddenInput)
    q = forms.CharField(
        label=_("キーワード"), required=False, max_length=200, widget=FastTextInput,
        help_text=_("件名・要求内容・言動・経過・相手方の氏名から探します。空白で区切るとすべてを含むものを探します。"),
    )
    # 態様, 部 and 課 are plain choices of ids read with one values_list query each (no model
    # instances); a value that is not among them does not validate, like a ModelChoiceField's.
    types = forms.TypedMultipleChoiceField(label=_("態様"), required=False, coerce=int,
                                           widget=FastSelectMultiple(attrs={"size": 5}))
    department = forms.TypedChoiceField(label=_("部"), required=False, coerce=int, empty_value=None,
                                        widget=FastSelect)
    section = forms.TypedChoiceField(label=_("課"), required=False, coerce=int, empty_value=None,
                                     widget=FastSelect)
    difficulty = forms.MultipleChoiceField(label=_("難易度"), required=False, choices=Difficulty.choices,
                                           widget=forms.CheckboxSelectMultiple)
    continuity = forms.ChoiceField(label=_("継続性"), required=False, choices=[("", _("指定なし")), *Level.choices],
                                   widget=FastSelect)
    malice = forms.ChoiceField(label=_("悪質性"), required=False, choices=[("", _("指定なし")), *Level.choices],
                               widget=FastSelect)
    urgent = forms.ChoiceField(label=_("至急"), required=False, widget=FastSelect,
                               choices=[("", _("指定なし")), ("1", _("至急のみ")), ("0", _("至急以外"))])
    overdue = forms.BooleanField(label=_("受付期限を過ぎたものだけ"), required=False, widget=FastCheckboxInput)
    handler = forms.ChoiceField(label=_("担当者"), required=False, widget=FastSelect)
    channel = forms.ChoiceField(label=_("場所・手段"), required=False, choices=[("", _("指定なし")), *Channel.choices],
                                widget=FastSelect)
    date_field = forms.ChoiceField(label=_("期間の基準"), required=False, widget=FastSelect,
                                   choices=[("occurred", _("発生日")), ("submitted", _("提出日"))])
    date_from = forms.DateField(label=_("期間（から）"), required=False,
                                widget=FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("期間（まで）"), required=False,
                              widget=FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sort = forms.ChoiceField(label=_("並び順"), required=False, choices=[(k, v[0]) for k, v in SORTS.items()],
                             widget=FastSelect)

    def __init__(self, data, *, user: User, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["types"].choices = list(HarassmentType.objects.order_by("number").values_list("pk", "name"))
        # The 課 (labelled 「部 課」 as Section's __str__) and, from the same rows, their 部: one query.
        sections = Section.objects.order_by("department__order", "order", "name", "pk")
        if not user.is_desk:
            sections = sections.filter(_section_scope(user)).distinct()
        section_rows = list(sections.values_list("pk", "name", "department_id", "department__name",
                                                 "department__order"))
        self.fields["section"].choices = [("", _("すべての課")),
                                          *((pk, f"{dept} {name}") for pk, name, _d, dept, _o in section_rows)]
        departments = sorted({(order, dept, dept_id) for _pk, _n, dept_id, dept, order in section_rows})
        self.fields["department"].choices = [("", _("すべての部")),
                                             *((dept_id, dept) for _o, dept, dept_id in departments)]
        handler_choices = [("", _("指定なし")), (HandlerChoice.MINE, _("自分")),
                           (HandlerChoice.UNASSIGNED, _("未定"))]
        if user.is_desk:
            handler_choices += [
                (str(pk), display_name or username) for pk, display_name, username in
                User.objects.filter(is_desk=True, is_active=True).order_by("username").values_list(
                    "pk", "display_name", "username")]
        self.fields["handler"].choices = handler_choices
        if not user.is_desk:
            # 継続性・悪質性・至急 are the 相談窓口's own ratings: not a filter (or a sort) for others.
            for name in ("continuity", "malice", "urgent"):
                del self.fields[name]
            self.fields["sort"].choices = [c for c in self.fields["sort"].choices if c[0] != "urgent"]
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, forms.HiddenInput):
                css = ""
            elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def difficulty_options(self) -> list[tuple[str, SafeString, str]]:
        """(id, <input> tag, label) of each 難易度 checkbox, written in Python (one template render
        per option otherwise), with the attributes Django's subwidgets would have."""
        bound = self["difficulty"]
        widget = bound.field.widget
        chosen = set(widget.format_value(bound.value()))
        attrs = {**widget.attrs, **bound.build_widget_attrs({})}
        attrs.pop("id", None)
        common = _attrs_html(attrs)
        options = []
        for index, (value, label) in enumerate(bound.field.choices):
            option_id = f"{bound.auto_id}_{index}" if bound.auto_id else ""
            id_html = f' id="{escape(option_id)}"' if option_id else ""
            checked = " checked" if str(value) in chosen else ""
            tag = mark_safe(  # noqa: S308 - escaped
                f'<input type="checkbox" name="{escape(bound.html_name)}" value="{escape(value)}"{common}'
                f"{id_html}{checked}>")
            options.append((option_id, tag, str(label)))
        return options

    @cached_property
    def ignored(self) -> list[str]:
        """The labels of the fields whose values were not understood (and so not applied)."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]

    @cached_property
    def values(self) -> dict:
        """The valid filters (an invalid one is left out, as if not given)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}


def _section_scope(user: User) -> Q:
    """The 課 a non-desk user's queue can show (for the 課 choices)."""
    scope = Q(pk__in=[])
    if user.section_id and user.is_section_chief:
        scope |= Q(pk=user.section_id)
    if user.section_id and user.is_director:
        scope |= Q(department__sections=user.section_id)
    if user.is_ga_director:
        return Q()
    return scope


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone())


def search_words(query: str) -> list[str]:
    """The folded words of a search (full/half width and case alike); blanks of either width split."""
    return fold(query).split()[:MAX_WORDS]


def apply_filters(reports: QuerySet[IncidentReport], values: dict, *, user: User,
                  now: datetime.datetime, cal: BusinessCalendar) -> QuerySet[IncidentReport]:
    """Every filter but the tab (the state)."""
    for word in search_words(values.get("q") or ""):
        reports = reports.filter(search_text__contains=word)
    if values.get("types"):
        # IN (subquery) instead of a join: a report with two matching 態様 stays one row.
        through = IncidentReport.harassment_types.through
        reports = reports.filter(pk__in=through.objects.filter(
            harassmenttype_id__in=values["types"]).values("incidentreport_id"))
    if values.get("section"):
        reports = reports.filter(section_id=values["section"])
    if values.get("department"):
        reports = reports.filter(section_id__in=Section.objects.filter(
            department_id=values["department"]).values("pk"))
    if values.get("difficulty"):
        reports = reports.filter(difficulty__in=values["difficulty"])
    for name in ("continuity", "malice", "channel"):
        if values.get(name):
            reports = reports.filter(**{name: values[name]})
    if values.get("urgent") in ("0", "1"):
        reports = reports.filter(urgent=values["urgent"] == "1")
    handler = values.get("handler")
    if handler == HandlerChoice.MINE:
        reports = reports.filter(handler_id=user.pk)
    elif handler == HandlerChoice.UNASSIGNED:
        reports = reports.filter(handler__isnull=True)
    elif handler:
        reports = reports.filter(handler_id=int(handler))
    if values.get("overdue"):
        cutoff = calendar.business_deadline_cutoff(now, accept_within_days() + 1, cal)
        reports = reports.filter(status__in=WAITING, submitted_at__lt=cutoff)
    column = "submitted_at" if values.get("date_field") == "submitted" else "occurred_start"
    if values.get("date_from"):
        reports = reports.filter(**{f"{column}__gte": _local_midnight(values["date_from"])})
    if values.get("date_to"):
        reports = reports.filter(**{f"{column}__lt": _local_midnight(values["date_to"] + datetime.timedelta(days=1))})
    return reports


# -- the page -----------------------------------------------------------------------------------------

class CountedPaginator(Paginator):
    """A paginator told its count (the current tab's count from the tab query): no COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


@dataclass
class QueueRow:
    """One report of the page with its display strings computed once in Python (the template's row
    loop only prints them: no lookups through related objects, no translation, no url tag)."""

    pk: int
    url: str
    title: str
    #: The 態様 names joined with 「、」 (in the manual's order).
    types: str
    section: str
    occurred: str
    age: int | None
    overdue: bool
    status: str
    difficulty: str
    handler: str
    urgent: bool


@dataclass
class ConsultationRow:
    pk: int
    url: str
    received: str
    section: str
    state: str
    handler: str
    age: int | None
    #: 受付待ち for longer than the accept limit.
    overdue: bool


@dataclass
class ConsultationQueue:
    """The 相談 section of the 相談窓口's queue: counts by state, and the open ones found by the search."""

    counts: list[tuple[str, str, int]]
    rows: list[ConsultationRow]
    #: More open consultations match than are shown.
    more: bool
    searched: str

    @cached_property
    def rows_html(self) -> SafeString:
        return _rows_html(self.rows, _consultation_row_html)

    @property
    def open_count(self) -> int:
        """受付待ち and 対応中 (whatever the search)."""
        return sum(n for state, _label, n in self.counts if state in CONSULTATION_OPEN)


@dataclass
class Queue:
    form: QueueFilterForm
    tabs: list[tuple[Tab, int]]
    tab: str
    sort: str
    page: Page
    rows: list[QueueRow]
    accept_within: int
    searched: list[str]
    #: The 相談 section (the 相談窓口 only; None for the 所属長 and 部長).
    consultations: ConsultationQueue | None = None
    #: 継続性・悪質性・至急 are the 相談窓口's own ratings (policies.can_see_internal): its columns and
    #: filters only.
    show_ratings: bool = False

    @cached_property
    def rows_html(self) -> SafeString:
        """The <tr> of every row (see ``_report_row_html``)."""
        return _rows_html(self.rows, _report_row_html if self.show_ratings else _report_row_html_without_ratings)

    @property
    def ignored(self) -> list[str]:
        return self.form.ignored


class BusinessAges:
    """Ages in business days (``calendar.business_days_between(day, today)``) of local dates, walking
    the calendar once from today back to the oldest date asked for, instead of once per row: a page
    of 3-year-old cases would otherwise test some 50,000 days. One walker serves a whole page (the
    reports and the 相談), so the days are walked once."""

    def __init__(self, now: datetime.datetime, cal: BusinessCalendar):
        self.cal = cal
        self.today = self.day = calendar.local_date(now)
        self.age = 0
        self.known: dict[datetime.date, int] = {self.day: 0}

    def __call__(self, moment: datetime.datetime | datetime.date) -> int:
        day = calendar.local_date(moment)
        if day >= self.today:
            return 0
        while self.day > day:
            # age(d - 1) = age(d) + (1 if d is a business day): d is then later than d - 1.
            self.age += self.cal.is_business_day(self.day)
            self.day -= calendar.ONE_DAY
            self.known[self.day] = self.age
        return self.known[day]


def business_ages(moments: list[datetime.datetime], now: datetime.datetime,
                  cal: BusinessCalendar) -> dict[datetime.date, int]:
    """The age in business days of each moment's local date (see ``BusinessAges``)."""
    age = BusinessAges(now, cal)
    return {calendar.local_date(m): age(m) for m in moments}


def tab_counts(filtered: QuerySet[IncidentReport], tabs: list[Tab]) -> dict[str, int]:
    """Each tab's count from one grouped count (status × difficulty: a few dozen groups at most),
    which PostgreSQL answers from an index instead of one conditional COUNT per tab over every row."""
    groups = filtered.order_by().values_list("status", "difficulty").annotate(n=Count("*"))
    counts = dict.fromkeys((t.key for t in tabs), 0)
    for status, difficulty, n in groups:
        for tab in tabs:
            if tab.counts(status, difficulty):
                counts[tab.key] += n
    return counts


def build_queue(user: User, params, *, now: datetime.datetime | None = None) -> Queue:
    """The queue as ``user`` sees it with the URL's ``params`` (a QueryDict): tabs with counts,
    one page of rows with their age in business days and whether they are overdue."""
    now = now or timezone.now()
    cal = calendar.load_calendar()
    form = QueueFilterForm(params, user=user)
    values = form.values
    tabs = tabs_for(user)
    keys = [t.key for t in tabs]
    tab = values.get("tab") if values.get("tab") in keys else default_tab(user)
    if params.get("tab") and params.get("tab") not in keys and "tab" not in form.ignored:
        form.ignored.append(str(_("表示する状態")))
    sort = values.get("sort") or default_sort(tab)

    filtered = apply_filters(policies.queue_reports(user), values, user=user, now=now, cal=cal)
    counts = tab_counts(filtered, tabs)
    current = next(t for t in tabs if t.key == tab)
    ids = filtered.filter(current.condition).order_by(*SORTS[sort][1]).values_list("pk", flat=True)
    page = CountedPaginator(ids, PER_PAGE, count=counts[tab]).get_page(params.get("page"))
    page_ids = list(page.object_list)
    within = accept_within_days()
    ages = BusinessAges(now, cal)
    rows = _rows(page_ids, ages, within)
    page.object_list = rows
    consultations = _consultations(user, values.get("q") or "", ages, within) if user.is_desk else None
    return Queue(form=form, tabs=[(t, counts[t.key]) for t in tabs], tab=tab, sort=sort, page=page, rows=rows,
                 accept_within=within, searched=search_words(values.get("q") or ""), consultations=consultations,
                 show_ratings=user.is_desk)


# -- the rows' markup --------------------------------------------------------------------------------
# The table rows are written here rather than in a template loop: the template engine spends about
# 10 µs on each {{ variable }} (lookup, localize, escape), some 1,500 of them for two tables of 50
# rows, several times the rest of the page. Each cell is escaped; the header, caption and every
# other text stay in the templates (_queue_table.html, _queue_consultations.html).

_e = html.escape  # the standard library's (Django's escape is the same, plus a lazy wrapper)


def _row_labels() -> dict[str, str]:
    return {"overdue": _e(gettext("期限超過")), "days": _e(gettext("営業日")),
            "urgent": _e(gettext("至急"))}


def _rows_html(rows, write) -> SafeString:
    if not rows:
        return mark_safe("")
    labels = _row_labels()
    return mark_safe("".join(write(row, labels) for row in rows))  # noqa: S308 - cells escaped by write


def _number_cell(row, labels: dict[str, str]) -> str:
    """The row header: No. with its link, and the 期限超過 mark (the ※ is hidden from screen readers,
    the badge's text says it)."""
    mark = '<span aria-hidden="true">※</span>' if row.overdue else ""
    badge = f' <span class="badge text-bg-danger">{labels["overdue"]}</span>' if row.overdue else ""
    return f'<th scope="row">{mark}<a href="{_e(row.url)}">{row.pk}</a>{badge}</th>'


def _age_cell(age: int | None, labels: dict[str, str]) -> str:
    return "<td>—</td>" if age is None else f'<td>{age} {labels["days"]}</td>'


def _tr(row) -> str:
    return '<tr class="table-danger queue-overdue">' if row.overdue else "<tr>"


def _report_row_html(row: QueueRow, labels: dict[str, str]) -> str:
    return (
        f"{_tr(row)}\n      {_number_cell(row, labels)}"
        f'\n      <td><a href="{_e(row.url)}">{_e(row.title)}</a></td>'
        f'\n      <td class="small">{_e(row.types)}</td>'
        f'\n      <td class="small">{_e(row.section)}</td>'
        f'\n      <td class="small">{_e(row.occurred)}</td>'
        f"\n      {_age_cell(row.age, labels)}"
        f'\n      <td><span class="badge text-bg-secondary">{_e(row.status)}</span></td>'
        f"\n      <td>{_e(row.difficulty or '—')}</td>"
        f'\n      <td class="small">{_e(row.handler)}</td>'
        f"{_urgent_cell(row, labels)}\n    </tr>\n"
    )


def _report_row_html_without_ratings(row: QueueRow, labels: dict[str, str]) -> str:
    return _report_row_html(row, labels).replace(_urgent_cell(row, labels), "", 1)


def _urgent_cell(row: QueueRow, labels: dict[str, str]) -> str:
    urgent = f'<span class="badge text-bg-warning">{labels["urgent"]}</span>' if row.urgent else "—"
    return f"\n      <td>{urgent}</td>"


def _consultation_row_html(row: ConsultationRow, labels: dict[str, str]) -> str:
    return (
        f"{_tr(row)}\n      {_number_cell(row, labels)}"
        f'\n      <td class="small">{_e(row.received)}</td>'
        f'\n      <td class="small">{_e(row.section)}</td>'
        f'\n      <td><span class="badge text-bg-secondary">{_e(row.state)}</span></td>'
        f'\n      <td class="small">{_e(row.handler)}</td>'
        f"\n      {_age_cell(row.age, labels)}\n    </tr>\n"
    )


def _url_maker(name: str):
    """``pk → URL`` of a one-pk route, reversed once per page instead of once per row."""
    marker = "987654321"
    prefix, _sep, suffix = reverse(name, args=[int(marker)]).partition(marker)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _rows(page_ids: list[int], ages: BusinessAges, within: int) -> list[QueueRow]:
    """The page's rows in two queries (the reports' columns with 課 and 担当者, then their 態様),
    as plain values: no model instances."""
    if not page_ids:
        return []
    data = {row[0]: row for row in IncidentReport.objects.filter(pk__in=page_ids).order_by().values_list(
        "pk", "title", "section__name", "occurred_start", "submitted_at", "status", "difficulty",
        "handler__display_name", "handler__username", "urgent")}
    through = IncidentReport.harassment_types.through
    types: dict[int, list[str]] = {}
    for report_id, name in through.objects.filter(incidentreport_id__in=page_ids).order_by(
            "harassmenttype__number").values_list("incidentreport_id", "harassmenttype__name"):
        types.setdefault(report_id, []).append(name)
    statuses, difficulties = _labels(Status.choices), _labels(Difficulty.choices)
    untitled, unassigned = gettext("（件名なし）"), gettext("未定")
    url = _url_maker("incidents:detail")
    rows = []
    for pk in page_ids:
        (_pk, title, section, occurred, submitted, status, difficulty, handler_name, handler_username,
         urgent) = data[pk]
        age = ages(submitted) if submitted else None
        rows.append(QueueRow(
            pk=pk, url=url(pk), title=title or untitled, types="、".join(types.get(pk, ())),
            section=section or "", occurred=wareki_date(occurred) or "—", age=age,
            overdue=status in WAITING and age is not None and age > within,
            status=statuses.get(status, status), difficulty=difficulties.get(difficulty, "") if difficulty else "",
            handler=handler_name or handler_username or unassigned, urgent=urgent,
        ))
    return rows


def _consultations(user: User, query: str, ages: BusinessAges, within: int) -> ConsultationQueue:
    """The 相談窓口's open 相談 (oldest first, at most ``CONSULTATIONS_SHOWN``, found by the same
    search box) and the counts by state: two queries whatever the number."""
    counts = consultation_selectors.counts_by_state(user)
    labels = _labels(ConsultationState.choices)
    found = list(
        consultation_selectors.queue_consultations(user, search=query)
        .filter(state__in=CONSULTATION_OPEN)
        .values_list("pk", "created_at", "state", "section__name", "handler__display_name", "handler__username")
        [:CONSULTATIONS_SHOWN + 1]
    )
    more = len(found) > CONSULTATIONS_SHOWN
    found = found[:CONSULTATIONS_SHOWN]
    unassigned = gettext("未定")
    url = _url_maker("consultations:detail")
    rows = []
    for pk, created_at, state, section, handler_name, handler_username in found:
        age = ages(created_at)
        rows.append(ConsultationRow(
            pk=pk, url=url(pk), received=wareki_date(created_at), section=section or "",
            state=labels.get(state, state), handler=handler_name or handler_username or unassigned, age=age,
            overdue=state == ConsultationState.NEW and age > within,
        ))
    return ConsultationQueue(
        counts=[(state, labels[state], counts.get(state, 0)) for state in ConsultationState.values],
        rows=rows, more=more, searched=fold(query).strip(),
    )


def ignored_note(labels: list[str]) -> str:
    return gettext("次の条件は正しくないため、使わずに表示しています：%s") % "、".join(labels)
