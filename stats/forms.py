"""The dashboard's filters, read from the URL (GET) so a view can be bookmarked and shared: 年度,
a month range inside it, 部, 課, 態様 and 場所・手段. The choices are only what the user's scope
covers (a 所属長 is offered their own 課 only), among today's 部 and 課; a value that is not among them, or does not parse,
is dropped and named in ``ignored`` (the page says so in Japanese), and the rest applies."""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Channel
from kasuhara.figures import fiscal_year_label
from kasuhara.filterforms import LenientFilters

from .policies import Scope
from .selectors import MONTHS, Lookups, Period, Selection, sections_in

#: How many 年度 back the 年度 list goes.
YEARS_BACK = 10


class DashboardFilterForm(LenientFilters, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    month_from = forms.TypedChoiceField(label=_("月（から）"), required=False, coerce=int, empty_value=None)
    month_to = forms.TypedChoiceField(label=_("月（まで）"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("部"), required=False, coerce=int, empty_value=None)
    section = forms.TypedChoiceField(label=_("課"), required=False, coerce=int, empty_value=None)
    type = forms.TypedChoiceField(label=_("態様"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("場所・手段"), required=False, choices=[("", _("すべて")), *Channel.choices])

    def __init__(self, data, *, scope: Scope, lookups: Lookups, current_year: int, **kwargs):
        super().__init__(data, **kwargs)
        self.scope, self.current_year = scope, current_year
        self.fields["year"].choices = [(y, fiscal_year_label(y)) for y in
                                       range(current_year, current_year - YEARS_BACK - 1, -1)]
        months = [(m, _("%(m)s月") % {"m": m}) for m in MONTHS]
        self.fields["month_from"].choices = [("", _("4月")), *months]
        self.fields["month_to"].choices = [("", _("3月")), *months]
        # Today's 課 that exist (an abolished 課's cases count under the 課 that took over its work).
        sections = [s for s in sections_in(scope, lookups.sections) if s[0] in lookups.active]
        departments: dict[int, str] = {}
        for _pk, _name, department_id, department in sections:
            departments.setdefault(department_id, department)
        self.fields["department"].choices = [("", _("すべての部")), *departments.items()]
        self.fields["section"].choices = [("", _("すべての課")),
                                          *((pk, f"{department} {name}") for pk, name, _d, department in sections)]
        self.fields["type"].choices = [("", _("すべての態様")), *lookups.types]
        self.section_department = {pk: department_id for pk, _n, department_id, _d in sections}
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        first, last = data.get("month_from"), data.get("month_to")
        if first and last and MONTHS.index(first) > MONTHS.index(last):
            self.add_error("month_to", _("月の範囲が逆です。"))
        section, department = data.get("section"), data.get("department")
        if section and department and self.section_department.get(section) != department:
            self.add_error("section", _("選んだ部の課ではありません。"))
        return data

    @cached_property
    def selection(self) -> Selection:
        values = self.values
        return Selection(
            Period(values.get("year") or self.current_year, values.get("month_from") or 4, values.get("month_to") or 3),
            department_id=values.get("department"), section_id=values.get("section"),
            type_id=values.get("type"), channel=values.get("channel") or "")

    @property
    def active(self) -> bool:
        """Any filter beyond the 年度."""
        s = self.selection
        return bool(not s.period.whole_year or s.department_id or s.section_id or s.type_id or s.channel)
