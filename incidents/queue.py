"""The 相談窓口's queue (/queue/): its filter form and the one selector behind the list.

Everything starts from ``policies.visible_reports(user)`` (the access rule stays there), never
shows a draft, and narrows to the cases the role looks after: the 相談窓口 every case, the 所属長
their 課, the 部長 their 部, the 総務部長 the cases under cross review.

Cost, whatever the rows, besides the session and the user: five queries for the 相談窓口 (three
for the others). ``read_lookups``: one plain-SQL statement for the city's closing days (the ages of
all rows use one calendar), the form's choices (態様, 課 with 部, 相談窓口 users) and the 課 that
base.html names. The tab counts: for the 相談窓口, the count table PostgreSQL keeps
(``incidents/counts.py``); otherwise one GROUP BY status × 難易度 over the filtered cases — the
current tab's count is also the paginator's, so the paginator sends no COUNT of its own. The page's
rows: one query with 担当者 and 態様 joined, for the ids of the page given as a subquery (a narrow
ORDER BY … LIMIT/OFFSET on the report row only). The 相談 (the 相談窓口 only): their counts by state
and the open ones, from ``consultations.selectors``.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consultations import selectors as consultation_selectors
from consultations.models import OPEN as CONSULTATION_OPEN
from consultations.models import State as ConsultationState
from kasuhara.filterforms import LenientFilters
from kasuhara.textnorm import fold
from organization import calendar
from organization.models import Section, User

from . import counts, policies
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
    return not user.is_desk and (user.acts_as_director or user.is_ga_director)


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

def _text(value) -> str:
    """``value`` as escaped HTML text (the standard library's escape: Django's is the same, slower)."""
    return html.escape(str(value))


def _attrs_html(attrs: dict) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them (True: the bare name)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_text(value)}"'
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
        parts = [f'<select name="{_text(name)}"{_attrs_html(attrs)}>']
        found = False
        for option_value, label in self.choices:
            v = "" if option_value is None else str(option_value)
            if v in chosen and (self.allow_multiple_selected or not found):
                found = True
                parts.append(f'\n  <option value="{_text(v)}" selected>{_text(label)}</option>')
            else:
                parts.append(f'\n  <option value="{_text(v)}">{_text(label)}</option>')
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class _FastInput:
    """An <input> written in Python from the widget's own context (value formatting, checked)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        return mark_safe(  # noqa: S308 - escaped above
            f'<input type="{_text(widget["type"])}" name="{_text(name)}"{shown}{_attrs_html(widget["attrs"])}>')


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


class QueueFilterForm(LenientFilters, forms.Form):
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

    def __init__(self, data, *, user: User, lookups: Lookups | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        lookups = lookups or read_lookups()
        type_rows, section_rows, desk_rows = lookups.types, lookups.sections, lookups.desk_users
        self.fields["types"].choices = list(type_rows)
        #: {態様 id: (place in the manual's order, name)}: the rows' 態様 are named from here.
        self.type_names = {pk: (place, name) for place, (pk, name) in enumerate(type_rows)}
        # Today's 課 (labelled 「部 課」 as Section's __str__) and their 部; the filter on a 課 finds
        # the cases of the abolished 課 whose work it took over too (``apply_filters``).
        section_rows = lookups.filter_sections(section_rows)
        if not user.is_desk:
            section_rows = _sections_in_scope(user, section_rows)
        self.fields["section"].choices = [("", _("すべての課")),
                                          *((pk, f"{dept} {name}") for pk, name, _d, dept, _o in section_rows)]
        departments = sorted({(order, dept, dept_id) for _pk, _n, dept_id, dept, order in section_rows})
        self.fields["department"].choices = [("", _("すべての部")),
                                             *((dept_id, dept) for _o, dept, dept_id in departments)]
        handler_choices = [("", _("指定なし")), (HandlerChoice.MINE, _("自分")),
                           (HandlerChoice.UNASSIGNED, _("未定"))]
        if user.is_desk:
            handler_choices += [(str(pk), display_name or username) for pk, display_name, username in desk_rows]
        self.fields["handler"].choices = handler_choices
        if not user.is_desk:
            # 継続性・悪質性・至急 are the 相談窓口's own ratings: not a filter (or a sort) for others.
            for name in ("continuity", "malice", "urgent"):
                del self.fields[name]
            self.fields["sort"].choices = [c for c in self.fields["sort"].choices if c[0] != "urgent"]

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
            id_html = f' id="{_text(option_id)}"' if option_id else ""
            checked = " checked" if str(value) in chosen else ""
            tag = mark_safe(  # noqa: S308 - escaped
                f'<input type="checkbox" name="{_text(bound.html_name)}" value="{_text(value)}"{common}'
                f"{id_html}{checked}>")
            options.append((option_id, tag, str(label)))
        return options



def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.HiddenInput):
        return ""
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


# Bootstrap's class on every widget, set once on the class's fields (each form copies them).
for _field in QueueFilterForm.base_fields.values():
    _field.widget.attrs.setdefault("class", _css_class(_field.widget))


#: What the page reads of the organisation, the calendar and the manual, in one statement (plain
#: SQL that PostgreSQL and SQLite both read: four ORM queries cost more to write and to send than
#: the database takes to answer them): the city's closing days, the 態様 in the manual's order,
#: every 課 with its 部 in the organisation's order (and today's 課: ``current_id``, ``is_active``),
#: and the active 相談窓口 users.
#: Columns: kind, id, three sort keys, label, second text, second id, a date, a flag, third id, flag.
LOOKUPS_SQL = """
SELECT 0 AS kind, id, "month" AS o1, "day" AS o2, '' AS o3, '' AS label, '' AS text2, 0 AS id2,
       "date" AS day_off, FALSE AS flag, 0 AS id3, FALSE AS flag2
  FROM organization_closingday
UNION ALL
SELECT 1, id, number, 0, '', name, '', 0, NULL, FALSE, 0, FALSE
  FROM manual_harassmenttype
UNION ALL
SELECT 2, s.id, d."order", s."order", s.name, s.name, d.name, s.department_id, NULL, s.is_general_affairs,
       s.current_id, s.is_active
  FROM organization_section s JOIN organization_department d ON d.id = s.department_id
UNION ALL
SELECT 3, id, 0, 0, username, display_name, username, 0, NULL, FALSE, 0, FALSE
  FROM organization_user WHERE is_desk AND is_active
ORDER BY kind, o1, o2, o3, id
"""


@dataclass
class Lookups:
    """The rows of ``LOOKUPS_SQL``, each list in the order the page shows it."""

    #: The business calendar (``calendar.load_calendar`` reads the same rows the same way).
    calendar: BusinessCalendar
    #: 態様: (id, name).
    types: list[tuple[int, str]]
    #: 課: (id, name, 部 id, 部 name, 部 order).
    sections: list[tuple[int, str, int, str, int]]
    #: 相談窓口 users: (id, display name, username).
    desk_users: list[tuple[int, str, str]]
    #: Every 課's columns by id: (id, 部 id, name, is_general_affairs, order).
    section_columns: dict[int, tuple[int, int, str, bool, int]]
    #: Today's 課 of every 課 (``Section.current``: itself unless it was abolished with a successor).
    current_of: dict[int, int] = field(default_factory=dict)
    #: The 課 that no longer exist (「現存」 unticked).
    abolished: frozenset[int] = frozenset()

    @cached_property
    def section_names(self) -> dict[int, str]:
        return {pk: columns[2] for pk, columns in self.section_columns.items()}

    @cached_property
    def today_names(self) -> dict[int, str]:
        """Every 課's today's name by id: the name of the 課 at the end of its successor chain."""
        names = self.section_names
        return {pk: names.get(current, names[pk]) for pk, current in self.current_of.items()}

    def filter_sections(self, sections: list[tuple[int, str, int, str, int]]) -> list[tuple[int, str, int, str, int]]:
        """The 課 to offer as a filter: today's 課 (an abolished 課's cases are found under the 課 that
        took over its work); one abolished without a successor stays, labelled 「（廃止）」."""
        label = gettext("%(section)s（廃止）")
        return [(pk, label % {"section": name} if pk in self.abolished else name, *rest)
                for pk, name, *rest in sections if self.current_of.get(pk, pk) == pk]

    def section(self, pk: int | None) -> Section | None:
        """The 課 ``pk`` as the model would read it (None if there is none)."""
        if pk not in self.section_columns:
            return None
        return Section.from_db(connection.alias, ["id", "department_id", "name", "is_general_affairs", "order"],
                               self.section_columns[pk])


def read_lookups() -> Lookups:
    """The page's lookups (``LOOKUPS_SQL``) in one query."""
    dates, recurring = set(), set()
    types, sections, desk, columns, current_of, abolished = [], [], [], {}, {}, set()
    with connection.cursor() as cursor:
        cursor.execute(LOOKUPS_SQL)
        for kind, pk, o1, o2, _o3, label, text2, id2, day_off, flag, id3, flag2 in cursor.fetchall():
            if kind == 0:
                if day_off is None:
                    recurring.add((o1, o2))
                else:  # SQLite gives the date of a compound SELECT as text
                    dates.add(day_off if isinstance(day_off, datetime.date) else datetime.date.fromisoformat(day_off))
            elif kind == 1:
                types.append((pk, label))
            elif kind == 2:
                sections.append((pk, label, id2, text2, o1))
                columns[pk] = (pk, id2, label, bool(flag), o2)
                current_of[pk] = id3 or pk
                if not flag2:
                    abolished.add(pk)
            else:
                desk.append((pk, label, text2))
    return Lookups(calendar.BusinessCalendar(frozenset(dates), frozenset(recurring)), types, sections, desk, columns,
                   current_of, frozenset(abolished))


def _sections_in_scope(user: User, sections: list[tuple[int, str, int, str, int]]) -> list[tuple[int, str, int, str, int]]:
    """The 課 a non-desk user's queue can show (for the 課 choices): the 所属長's own, the 部長's 部
    (abolished 課 whose work they took over included), every 課 for the 総務部長."""
    if user.is_ga_director:
        return sections
    reach = user.chief_sections | user.director_sections
    return [row for row in sections if row[0] in reach]


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
    # 課 and 部 as today's organisation has them: a 課's filter finds the cases of the abolished 課
    # that ended there (``Section.current``), a 部's those of every 課 whose today's 課 is in it.
    if values.get("section"):
        reports = reports.filter(section_id__in=Section.objects.filter(current_id=values["section"]).values("pk"))
    if values.get("department"):
        reports = reports.filter(section_id__in=Section.objects.filter(
            current__department_id=values["department"]).values("pk"))
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
    #: The URL's query (a QueryDict) the page was built from.
    params: QueryDict
    #: The 相談 section (the 相談窓口 only; None for the 所属長 and 部長).
    consultations: ConsultationQueue | None = None
    #: 継続性・悪質性・至急 are the 相談窓口's own ratings (policies.can_see_internal): its columns and
    #: filters only.
    show_ratings: bool = False
    #: (tab, count, its link: this address with that tab, page 1) for the tabs' <a>.
    tab_links: list[tuple[Tab, int, str]] = field(default_factory=list)
    #: The user's 課, read with the page's other lookups (base.html shows its name).
    user_section: Section | None = None

    @cached_property
    def page_links(self) -> dict[str, str]:
        """This address at the first, previous, next and last page (those there are), as
        ``{% querystring page=… %}`` writes it."""
        page = self.page
        numbers = {"first": 1, "last": page.paginator.num_pages}
        if page.has_previous():
            numbers["previous"] = page.previous_page_number()
        if page.has_next():
            numbers["next"] = page.next_page_number()
        query = self.params.copy()
        links = {}
        for name, number in numbers.items():
            query["page"] = number
            links[name] = f"?{query.urlencode()}"
        return links

    @cached_property
    def rows_html(self) -> SafeString:
        """The <tr> of every row (see ``_report_row_html``)."""
        return _rows_html(self.rows, _report_row_html if self.show_ratings else _report_row_html_without_ratings)

    @property
    def ignored(self) -> list[str]:
        return self.form.ignored


@lru_cache(maxsize=128)
def _business_days_through(cal: BusinessCalendar, year: int) -> tuple[int, ...]:
    """``n[i]``: how many business days ``cal`` counts from 1 January of ``year`` to its (i+1)-th day.

    Kept per process for each calendar *content*: the calendar is read from the database on every
    page and is the key, so an edit of the closing days makes a new key, never a stale answer."""
    day, n, through = datetime.date(year, 1, 1), 0, []
    while day.year == year:
        n += cal.is_business_day(day)
        through.append(n)
        day += calendar.ONE_DAY
    return tuple(through)


class BusinessAges:
    """Ages in business days (``calendar.business_days_between(day, today)``) of local dates: the
    days of each year are tested once per process and calendar (``_business_days_through``), so an
    age is two lookups and a sum over the years between, instead of a walk over the days (some
    1,000 for a page of 3-year-old cases, on every load). One instance serves a whole page."""

    def __init__(self, now: datetime.datetime, cal: BusinessCalendar):
        self.cal = cal
        self.zone = timezone.get_current_timezone()
        self.today = self.local(now)
        self.years: dict[int, tuple[int, ...]] = {}
        self.known: dict[datetime.date, int] = {}

    def local(self, moment: datetime.datetime | datetime.date) -> datetime.date:
        """The local date of a moment (``calendar.local_date`` with the time zone looked up once)."""
        return moment.astimezone(self.zone).date() if isinstance(moment, datetime.datetime) else moment

    def _year(self, year: int) -> tuple[int, ...]:
        if year not in self.years:
            self.years[year] = _business_days_through(self.cal, year)
        return self.years[year]

    def _through(self, day: datetime.date) -> int:
        return self._year(day.year)[day.toordinal() - datetime.date(day.year, 1, 1).toordinal()]

    def __call__(self, moment: datetime.datetime | datetime.date) -> int:
        day = self.local(moment)
        if day >= self.today:
            return 0
        if day not in self.known:
            # Business days in (day, today]: those of today's year up to today, less those of day's
            # year up to day, plus every day of the years from day's to the one before today's.
            self.known[day] = self._through(self.today) - self._through(day) + sum(
                self._year(year)[-1] for year in range(day.year, self.today.year))
        return self.known[day]


#: The filters the count table can answer (its rows are per 状態 × 難易度, see ``counts``).
COUNTED_FILTERS = frozenset({"difficulty"})
#: Form fields that choose how to show the rows, not which (``date_field`` without a date).
NOT_FILTERS = frozenset({"tab", "sort", "date_field"})


def status_groups(user: User, values: dict, filtered: QuerySet[IncidentReport]) -> list[tuple[str, str, int]]:
    """(status, difficulty, how many) of the filtered cases, whatever their tab.

    The 相談窓口's queue (every submitted report), unfiltered or narrowed only by 難易度, is read from
    the count table PostgreSQL keeps (``counts.submitted_counts``: a few dozen rows, exact at once).
    Any other queue is counted with one GROUP BY over ``filtered`` — what ``policies.queue_reports``
    lets the user see, with the filters applied — answered from an index (``report_status_difficulty``;
    ``report_section_queue`` for a 課)."""
    active = {name for name, value in values.items() if name not in NOT_FILTERS and value not in (None, "", [], False)}
    if user.is_desk and active <= COUNTED_FILTERS and counts.maintained():
        return counts.submitted_counts(difficulties=values.get("difficulty") or ())
    return list(filtered.order_by().values_list("status", "difficulty").annotate(n=Count("*")))


def tab_counts(groups: list[tuple[str, str, int]], tabs: list[Tab]) -> dict[str, int]:
    """Each tab's count from the (status, difficulty, how many) groups: a few dozen at most."""
    totals = dict.fromkeys((t.key for t in tabs), 0)
    for status, difficulty, n in groups:
        for tab in tabs:
            if tab.counts(status, difficulty):
                totals[tab.key] += n
    return totals


def build_queue(user: User, params, *, now: datetime.datetime | None = None) -> Queue:
    """The queue as ``user`` sees it with the URL's ``params`` (a QueryDict): tabs with counts,
    one page of rows with their age in business days and whether they are overdue."""
    now = now or timezone.now()
    lookups = read_lookups()
    cal = lookups.calendar
    form = QueueFilterForm(params, user=user, lookups=lookups)
    values = form.values
    tabs = tabs_for(user)
    keys = [t.key for t in tabs]
    tab = values.get("tab") if values.get("tab") in keys else default_tab(user)
    if params.get("tab") and params.get("tab") not in keys and "tab" not in form.ignored:
        form.ignored.append(str(_("表示する状態")))
    sort = values.get("sort") or default_sort(tab)

    filtered = apply_filters(policies.queue_reports(user), values, user=user, now=now, cal=cal)
    totals = tab_counts(status_groups(user, values, filtered), tabs)
    current = next(t for t in tabs if t.key == tab)
    order = SORTS[sort][1]
    ids = filtered.filter(current.condition).order_by(*order).values_list("pk", flat=True)
    page = CountedPaginator(ids, PER_PAGE, count=totals[tab]).get_page(params.get("page"))
    within = accept_within_days()
    ages = BusinessAges(now, cal)
    # page.object_list is still a query (the page's slice of ids): the rows are read with it as a
    # subquery, so the ORDER BY … LIMIT/OFFSET walks the report row only, and one query gets the page.
    rows = _rows(page.object_list, order, ages, within, form.type_names, lookups.today_names)
    page.object_list = rows
    consultations = (_consultations(user, values.get("q") or "", ages, within, lookups.section_names)
                     if user.is_desk else None)
    return Queue(form=form, tabs=[(t, totals[t.key]) for t in tabs], tab=tab, sort=sort, page=page, rows=rows,
                 accept_within=within, searched=search_words(values.get("q") or ""), consultations=consultations,
                 show_ratings=user.is_desk, params=params, user_section=lookups.section(user.section_id),
                 tab_links=[(t, totals[t.key], link) for t, link in _tab_links(params, tabs)])


def _tab_links(params, tabs: list[Tab]) -> list[tuple[Tab, str]]:
    """Each tab's link: the URL's query with its ``tab`` and without ``page`` (what
    ``{% querystring tab=… page=None %}`` writes, once per page rather than once per tab)."""
    query = params.copy()
    links = []
    for tab in tabs:
        query["tab"] = tab.key
        query.pop("page", None)
        links.append((tab, f"?{query.urlencode()}"))
    return links


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


@lru_cache(maxsize=4096)
def _wareki(day: datetime.date) -> str:
    """令和7年6月18日 (2025-06-18): ``wareki_date`` of a local date, remembered (it never changes)."""
    return wareki_date(day)


def _url_maker(name: str):
    """``pk → URL`` of a one-pk route, reversed once per page instead of once per row."""
    marker = "987654321"
    prefix, _sep, suffix = reverse(name, args=[int(marker)]).partition(marker)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _rows(page_ids: QuerySet, order: tuple[str, ...], ages: BusinessAges, within: int,
          type_names: dict[int, tuple[int, str]], today_names: dict[int, str]) -> list[QueueRow]:
    """The page's rows in one query whatever their number: the reports of ``page_ids`` in
    ``order``, with their 担当者 and their 態様 joined (a report with two comes twice, one after the
    other). 態様 and 課 are named from what the page has read already: ``type_names`` is ``{id:
    (place in the manual's order, name)}``, ``today_names`` every 課's today's name by id: a row
    shows the 課 it was filed in (``section_name``), and today's name after it when that differs
    (「市民課（現在：市民窓口課）」). Plain values, no model instances."""
    reports: dict[int, tuple] = {}
    types: dict[int, list[tuple[int, str]]] = {}
    for *columns, type_id in IncidentReport.objects.filter(pk__in=page_ids).order_by(*order).values_list(
            "pk", "title", "section_id", "section_name", "occurred_start", "submitted_at", "status", "difficulty",
            "handler__display_name", "handler__username", "urgent", "harassment_types"):
        reports.setdefault(columns[0], columns)
        if type_id is not None:
            types.setdefault(columns[0], []).append(type_names[type_id])
    statuses, difficulties = _labels(Status.choices), _labels(Difficulty.choices)
    untitled, unassigned = gettext("（件名なし）"), gettext("未定")
    url = _url_maker("incidents:detail")
    rows = []
    for (pk, title, section_id, section_name, occurred, submitted, status, difficulty, handler_name, handler_username,
         urgent) in reports.values():
        age = ages(submitted) if submitted else None
        rows.append(QueueRow(
            pk=pk, url=url(pk), title=title or untitled,
            types="、".join(name for _place, name in sorted(types.get(pk, ()))),
            section=filed_section(section_name, today_names.get(section_id, "")), occurred=_wareki(ages.local(occurred)) if occurred else "—", age=age,
            overdue=status in WAITING and age is not None and age > within,
            status=statuses.get(status, status), difficulty=difficulties.get(difficulty, "") if difficulty else "",
            handler=handler_name or handler_username or unassigned, urgent=urgent,
        ))
    return rows


def filed_section(filed: str, today: str) -> str:
    """The 課 a report was filed in, and today's name after it when the 課 was renamed or merged
    since: 「市民課（現在：市民窓口課）」 (a report filed before names were kept shows today's)."""
    if not filed or filed == today:
        return today
    return gettext("%(filed)s（現在：%(today)s）") % {"filed": filed, "today": today}


def _consultations(user: User, query: str, ages: BusinessAges, within: int,
                   section_names: dict[int, str]) -> ConsultationQueue:
    """The 相談窓口's open 相談 (oldest first, at most ``CONSULTATIONS_SHOWN``, found by the same
    search box) and the counts by state: two queries whatever the number. ``section_names``: every
    課's by id."""
    counts = consultation_selectors.counts_by_state(user)
    labels = _labels(ConsultationState.choices)
    consultations = consultation_selectors.queue_consultations(user, search=query)
    if query:
        # The open ones that match, oldest first: the state index finds them.
        consultations = consultations.filter(state__in=CONSULTATION_OPEN).order_by("created_at", "id")
    # Otherwise the selector's order (open ones first, then oldest first) walks its index and stops
    # after a page. Either way the open ones come first: a closed one read means there are no more.
    found = [
        row for row in consultations.values_list(
            "pk", "created_at", "state", "section_id", "handler__display_name", "handler__username",
        )[:CONSULTATIONS_SHOWN + 1]
        if row[2] in CONSULTATION_OPEN
    ]
    more = len(found) > CONSULTATIONS_SHOWN
    found = found[:CONSULTATIONS_SHOWN]
    unassigned = gettext("未定")
    url = _url_maker("consultations:detail")
    rows = []
    for pk, created_at, state, section_id, handler_name, handler_username in found:
        age = ages(created_at)
        rows.append(ConsultationRow(
            pk=pk, url=url(pk), received=_wareki(ages.local(created_at)),
            section=section_names.get(section_id, ""),
            state=labels.get(state, state), handler=handler_name or handler_username or unassigned, age=age,
            overdue=state == ConsultationState.NEW and age > within,
        ))
    return ConsultationQueue(
        counts=[(state, labels[state], counts.get(state, 0)) for state in ConsultationState.values],
        rows=rows, more=more, searched=fold(query).strip(),
    )


def ignored_note(labels: list[str]) -> str:
    return gettext("次の条件は正しくないため、使わずに表示しています：%s") % "、".join(labels)
