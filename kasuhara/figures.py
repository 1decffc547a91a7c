"""Tables of figures, the one shape every count of the product is shown in: the dashboard
(``stats``), the annual report, the staff survey's results. A ``Table`` is what a page renders
(``templates/figures/_table.html``: the chart, then its data table beside it), what the annual
report stores as its snapshot (``as_dict`` / ``from_dict``, plain JSON) and what the XLSX export
writes, one sheet or block per table.

The 年度 (fiscal year, April–March) is here too: every figure of the city is counted by 年度.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from .wareki import ERAS

# -- the 年度 ----------------------------------------------------------------------------------------

def fiscal_year_of(day: datetime.date) -> int:
    """The 年度 (by its Western starting year) a local date belongs to: 2026-03-31 → 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the 年度 that starts on 1 April ``year``."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def fiscal_year_label(year: int) -> str:
    """令和7年度 for 2025 (the era of the 年度's first day; 令和元年度 for 2019)."""
    first = datetime.date(year, 4, 1)
    for name, start in ERAS:
        if first >= start or (name == "令和" and year == 2019):
            era_year = year - start.year + 1
            return f"{name}{'元' if era_year == 1 else era_year}年度"
    return f"{year}年度"


# -- tables -----------------------------------------------------------------------------------------

#: A cell: a number, text (「3件未満」 for a masked small count, 「—」 for no data) or None (no data).
Cell = int | float | str | None


@dataclass
class Table:
    """One table of figures.

    ``headers``: the column headings after the row heading (e.g. 「令和7年度」「令和6年度」);
    ``rows``: (row heading, cells), one cell per header. ``chart``: "bar", "line" or None; a chart
    draws the first column (and the second as a second series when ``compare`` is true).
    ``note``: a sentence printed under the table (e.g. that a case with two 態様 counts in both).
    """

    key: str
    caption: str
    headers: list[str]
    rows: list[tuple[str, list[Cell]]]
    unit: str = ""
    chart: str | None = None
    compare: bool = False
    note: str = ""
    #: The row heading's column heading (e.g. 「態様」).
    row_header: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        data = dict(data)
        data["rows"] = [(label, list(cells)) for label, cells in data.get("rows", [])]
        return cls(**data)
