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
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kasuhara.textnorm import fold
from manual.models import HarassmentType
from organization import calendar
from organization.models import Department, Section, User

from . import policies
from .lifecycle import WAITING, Status
from .models import Channel, Difficulty, IncidentReport, Level

if TYPE_CHECKING:
    from organization.calendar import BusinessCalendar

PER_PAGE = 50
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

class HandlerChoice:
    MINE = "mine"
    UNASSIGNED = "unassigned"


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the URL (GET) so a view can be bookmarked and shared.

    A value that does not validate is dropped (``ignored`` names the fields) and the rest applies.
    """

    tab = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("キーワード"), required=False, max_length=200,
        help_text=_("件名・要求内容・言動・経過・相手方の氏名から探します。空白で区切るとすべてを含むものを探します。"),
    )
    types = forms.ModelMultipleChoiceField(
        label=_("態様"), required=False, queryset=HarassmentType.objects.order_by("number"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    department = forms.ModelChoiceField(label=_("部"), required=False, queryset=Department.objects.none(),
                                        empty_label=_("すべての部"))
    section = forms.ModelChoiceField(label=_("課"), required=False, queryset=Section.objects.none(),
                                     empty_label=_("すべての課"))
    difficulty = forms.MultipleChoiceField(label=_("難易度"), required=False, choices=Difficulty.choices,
                                           widget=forms.CheckboxSelectMultiple)
    continuity = forms.ChoiceField(label=_("継続性"), required=False, choices=[("", _("指定なし")), *Level.choices])
    malice = forms.ChoiceField(label=_("悪質性"), required=False, choices=[("", _("指定なし")), *Level.choices])
    urgent = forms.ChoiceField(label=_("至急"), required=False,
                               choices=[("", _("指定なし")), ("1", _("至急のみ")), ("0", _("至急以外"))])
    overdue = forms.BooleanField(label=_("受付期限を過ぎたものだけ"), required=False)
    handler = forms.ChoiceField(label=_("担当者"), required=False)
    channel = forms.ChoiceField(label=_("場所・手段"), required=False, choices=[("", _("指定なし")), *Channel.choices])
    date_field = forms.ChoiceField(label=_("期間の基準"), required=False,
                                   choices=[("occurred", _("発生日")), ("submitted", _("提出日"))])
    date_from = forms.DateField(label=_("期間（から）"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("期間（まで）"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sort = forms.ChoiceField(label=_("並び順"), required=False, choices=[(k, v[0]) for k, v in SORTS.items()])

    def __init__(self, data, *, user: User, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        sections = Section.objects.select_related("department").order_by("department__order", "order", "name")
        if not user.is_desk:
            sections = sections.filter(_section_scope(user))
        self.fields["section"].queryset = sections
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=sections.values("department_id")).order_by("order", "name")
        handler_choices = [("", _("指定なし")), (HandlerChoice.MINE, _("自分")),
                           (HandlerChoice.UNASSIGNED, _("未定"))]
        if user.is_desk:
            handler_choices += [(str(u.pk), str(u)) for u in
                                User.objects.filter(is_desk=True, is_active=True).order_by("username")]
        self.fields["handler"].choices = handler_choices
        css = {forms.Select: "form-select", forms.SelectMultiple: "form-select",
               forms.CheckboxSelectMultiple: "form-check-input", forms.CheckboxInput: "form-check-input",
               forms.HiddenInput: ""}
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", css.get(type(f.widget), "form-control"))

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
            harassmenttype_id__in=[t.pk for t in values["types"]]).values("incidentreport_id"))
    if values.get("section"):
        reports = reports.filter(section_id=values["section"].pk)
    if values.get("department"):
        reports = reports.filter(section_id__in=Section.objects.filter(
            department_id=values["department"].pk).values("pk"))
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
    report: IncidentReport
    age: int | None
    overdue: bool


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

    @property
    def ignored(self) -> list[str]:
        return self.form.ignored


def business_ages(moments: list[datetime.datetime], now: datetime.datetime,
                  cal: BusinessCalendar) -> dict[datetime.date, int]:
    """The age in business days (``calendar.business_age``) of each moment's local date, walking
    the calendar once from today back to the oldest date instead of once per row: a page of
    3-year-old cases would otherwise test some 50,000 days."""
    ages: dict[datetime.date, int] = {}
    later, age = calendar.local_date(now), 0
    for day in sorted({calendar.local_date(m) for m in moments}, reverse=True):
        if day < later:
            age += calendar.business_days_between(day, later, cal)
            later = day
        ages[day] = age
    return ages


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
    by_id = IncidentReport.objects.select_related("section__department", "handler").prefetch_related(
        "harassment_types").in_bulk(page_ids)
    within = accept_within_days()
    ages = business_ages([by_id[pk].submitted_at for pk in page_ids if by_id[pk].submitted_at], now, cal)
    rows = []
    for pk in page_ids:
        report = by_id[pk]
        age = ages[calendar.local_date(report.submitted_at)] if report.submitted_at else None
        rows.append(QueueRow(report, age, report.status in WAITING and age is not None and age > within))
    page.object_list = [row.report for row in rows]
    return Queue(form=form, tabs=[(t, counts[t.key]) for t in tabs], tab=tab, sort=sort, page=page, rows=rows,
                 accept_within=within, searched=search_words(values.get("q") or ""))


def ignored_note(labels: list[str]) -> str:
    return gettext("次の条件は正しくないため、使わずに表示しています：%s") % "、".join(labels)
