"""The content of the annual report 「カスハラ発生状況報告（令和N年度）」 for 年度 N, whole city: the
dashboard's tables (each figure beside the previous 年度's), the committee's measures decided in the
年度 and their state, and the staff survey's results when there is one. ``build_tables`` is what a
report stores as its snapshot.

Queries: the dashboard's and the survey's own, plus one for the 年度's measures; none grows with
the data.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from kasuhara.figures import Table, fiscal_year_bounds, fiscal_year_label
from kasuhara.wareki import wareki_with_western

#: A measure's state as the report counts it, in the order the table lists them.
DONE, OVERDUE, IN_PROGRESS = "done", "overdue", "in_progress"


def state_labels() -> dict[str, str]:
    return {DONE: _("完了"), OVERDUE: _("期限超過"), IN_PROGRESS: _("実施中")}


def build_tables(fiscal_year: int, *, today: datetime.date | None = None) -> list[Table]:
    """Every table of the report for ``fiscal_year``, in the order the report shows them; states
    and ages as of ``today`` (the day of generation)."""
    today = today or timezone.localdate()
    return [*dashboard_tables(fiscal_year, today=today), *measure_tables(fiscal_year, today=today),
            *survey_tables(fiscal_year)]


def dashboard_tables(fiscal_year: int, *, today: datetime.date) -> list[Table]:
    """The dashboard's tables for the whole city, each beside the previous 年度."""
    from stats import selectors
    from stats.policies import CITY

    return list(selectors.year_tables(fiscal_year, scope=CITY, today=today))


def survey_tables(fiscal_year: int) -> list[Table]:
    """The staff survey's results for the 年度 (none when no survey closed in it)."""
    from surveys import selectors

    return list(selectors.tables_for_fiscal_year(fiscal_year))


def _year_window(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    first, last = fiscal_year_bounds(fiscal_year)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def measure_state(measure, today: datetime.date) -> str:
    if measure.done_at is not None:
        return DONE
    return OVERDUE if measure.due_on < today else IN_PROGRESS


def _measures(fiscal_year: int) -> list:
    """The measures of the committee's decisions finalised in ``fiscal_year`` (a decision corrected
    later counts once: only the one in force), with what the table names. One query."""
    from committee.models import Measure

    start, end = _year_window(fiscal_year)
    return list(
        Measure.objects.filter(decision__finalised_at__gte=start, decision__finalised_at__lt=end,
                               decision__superseded_by__isnull=True)
        .select_related("type", "owner_section", "owner__section")
        .order_by("due_on", "id")
    )


def measure_tables(fiscal_year: int, *, today: datetime.date) -> list[Table]:
    """The 年度's measures, one row each: 措置, 担当課, 期限, 状態 (as of ``today``, the day of
    generation). The counts by state, beside the previous 年度, are the dashboard's table
    「対策委員会の措置（完了・期限超過）」."""
    labels = state_labels()
    year = fiscal_year_label(fiscal_year)

    def owner(measure) -> str:
        section = measure.owner_section or (measure.owner.section if measure.owner else None)
        return section.name if section else "—"

    rows = [(m.type.name, [owner(m), wareki_with_western(m.due_on), labels[measure_state(m, today)]])
            for m in _measures(fiscal_year)]
    return [Table(
        key="committee_measure_list", caption=_("対策委員会が決定した措置（%(year)s）") % {"year": year},
        headers=[_("担当課"), _("期限"), _("状態")], rows=rows, row_header=_("措置"),
        note=(_("その年度に確定した対応方針（訂正された決定は訂正後のもの）の措置。状態は報告の作成日現在。")
              if rows else _("この年度に決定した措置はありません。")),
    )]


# -- reading ----------------------------------------------------------------------------------------

#: How many 年度 the list offers besides those that have a report: this one and the four before.
YEARS_OFFERED = 5


def year_rows(*, today: datetime.date | None = None) -> list[dict]:
    """The list page: one row per 年度 (newest first), with its report if there is one. One query."""
    from kasuhara.figures import fiscal_year_of
    from stats.models import AnnualReport

    current = fiscal_year_of(today or timezone.localdate())
    reports = {r.fiscal_year: r for r in AnnualReport.objects.select_related("generated_by", "finalised_by")}
    years = sorted({*range(current - YEARS_OFFERED + 1, current + 1), *reports}, reverse=True)
    return [{"year": year, "label": fiscal_year_label(year), "report": reports.get(year)} for year in years]


def report_or_none(fiscal_year: int):
    from stats.models import AnnualReport

    return AnnualReport.objects.select_related("generated_by", "finalised_by").filter(fiscal_year=fiscal_year).first()
