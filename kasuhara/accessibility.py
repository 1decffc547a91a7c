"""The accessibility test's results (``tests/e2e/test_accessibility.py``), as the
「ウェブアクセシビリティ方針」 page and the README's accessibility section show them.

The test writes one row per page × role × screen size to ``accessibility_results.json`` beside
this module when run with ``A11Y_RECORD=1``; this module reads that file and nothing else, so the
page and the README always say what the last complete run found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: The axe-core rule sets run on every page: WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: axe-core impacts that fail a page; moderate and minor ones are counted and shown.
FAILING_IMPACTS = ("critical", "serious")
#: The last complete run, committed (``A11Y_RECORD=1 pytest tests/e2e/test_accessibility.py``).
RESULTS_FILE = Path(__file__).resolve().parent / "accessibility_results.json"

#: The demo user each role was tested as, and the role in words.
ROLE_LABELS = {
    "anonymous": gettext_lazy("ログイン前"),
    "staff": gettext_lazy("職員"),
    "staff2": gettext_lazy("職員（別の課）"),
    "chief": gettext_lazy("所属長"),
    "chief2": gettext_lazy("所属長（別の課）"),
    "director": gettext_lazy("部長"),
    "desk": gettext_lazy("相談窓口"),
    "desk2": gettext_lazy("相談窓口（2人目）"),
    "gachief": gettext_lazy("総務課長"),
    "gadir": gettext_lazy("総務部長"),
    "chair": gettext_lazy("対策委員長"),
    "member": gettext_lazy("対策委員"),
    "nurse": gettext_lazy("職員保健室（保健師）"),
    "kanzai": gettext_lazy("庁舎を管理する課の所属長"),
    "admin": gettext_lazy("管理者"),
}


@dataclass
class Cell:
    """One page at one screen size, over every role that opened it."""

    failing: int = 0  # serious + critical violations (elements)
    other: int = 0  # moderate + minor
    overflow: bool = False
    passed: bool = True
    rules: set[str] = field(default_factory=set)
    notes: set[str] = field(default_factory=set)  # what else failed: a wrong answer, a shared title


@dataclass
class PageResult:
    name: str
    roles: list[str]
    cells: dict[str, Cell]

    @property
    def passed(self) -> bool:
        return all(cell.passed for cell in self.cells.values())

    def role_names(self) -> str:
        return "、".join(str(ROLE_LABELS.get(role, role)) for role in self.roles)


@dataclass
class Results:
    tested_on: date
    axe_version: str
    browser: str
    tags: list[str]
    viewports: list[tuple[int, int]]
    roles: list[str]
    complete: bool
    pages: list[PageResult]
    views: int

    @property
    def passed(self) -> bool:
        return self.complete and all(page.passed for page in self.pages)

    @property
    def conformance(self) -> str:
        """The claim, in the words of 総務省「みんなの公共サイト運用ガイドライン」: 「準拠」 only when
        every page passed for every role at every size, else 「一部準拠」."""
        return _("準拠") if self.passed else _("一部準拠")

    @property
    def passed_pages(self) -> int:
        return sum(page.passed for page in self.pages)

    def viewport_keys(self) -> list[str]:
        return [str(width) for width, _height in self.viewports]

    def role_names(self) -> str:
        return "、".join(str(ROLE_LABELS.get(role, role)) for role in self.roles)


def load(path: Path | None = None) -> Results | None:
    """The recorded results, or None before the first recorded run."""
    path = path or RESULTS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return summarise(document)


def summarise(document: dict) -> Results:
    pages: dict[str, PageResult] = {}
    keys = [str(width) for width, _height in document["viewports"]]
    for row in document["results"]:
        page = pages.setdefault(row["page"], PageResult(row["page"], [], {key: Cell() for key in keys}))
        if row["role"] not in page.roles:
            page.roles.append(row["role"])
        cell = page.cells.setdefault(row["viewport"], Cell())
        counts = row["violations"]
        cell.failing += sum(counts.get(impact, 0) for impact in FAILING_IMPACTS)
        cell.other += sum(n for impact, n in counts.items() if impact not in FAILING_IMPACTS)
        cell.overflow = cell.overflow or row["overflow"]
        cell.passed = cell.passed and row["passed"]
        cell.rules.update(detail["rule"] for detail in row.get("details", ()))
        cell.notes.update(row.get("problems", ()))
    return Results(
        tested_on=date.fromisoformat(document["date"]),
        axe_version=document["axe_version"],
        browser=document["browser"],
        tags=document["tags"],
        viewports=[tuple(v) for v in document["viewports"]],
        roles=document["roles"],
        complete=document["complete"],
        pages=list(pages.values()),
        views=len(document["results"]),
    )


# -- the README's section ----------------------------------------------------------------------------

README_START = "<!-- accessibility-results: `python manage.py accessibility_report --write` writes this from kasuhara/accessibility_results.json -->"
README_END = "<!-- /accessibility-results -->"


def _cell_markdown(cell: Cell) -> str:
    if cell.passed:
        return f"pass ({cell.other} moderate/minor)" if cell.other else "pass"
    problems = []
    if cell.failing:
        problems.append(f"{cell.failing} serious/critical: {', '.join(sorted(cell.rules))}")
    problems += sorted(cell.notes)
    return "**fail** — " + "; ".join(problems)


def readme_section(results: Results | None) -> str:
    """The README's generated part of the accessibility section, between its two markers."""
    if results is None:
        return f"{README_START}\nNo recorded run yet.\n{README_END}"
    sizes = " and ".join(f"{w}×{h}" for w, h in results.viewports)
    lines = [
        README_START,
        f"**JIS X 8341-3:2016 適合レベル AA に{results.conformance}** — tested {results.tested_on.isoformat()} with "
        f"axe-core {results.axe_version} in {results.browser} at {sizes}, rules `{'`, `'.join(results.tags)}`, "
        f"as {len(results.roles)} roles (before sign-in and each demo user): {results.views} page views, "
        f"{results.passed_pages} of {len(results.pages)} pages pass"
        + ("" if results.complete else " (**incomplete run**: not every role and size was tested)") + ".",
        "",
        "| page | roles | " + " | ".join(f"{w}×{h}" for w, h in results.viewports) + " |",
        "|---|---|" + "---|" * len(results.viewports),
    ]
    for page in results.pages:
        cells = " | ".join(_cell_markdown(page.cells[key]) for key in results.viewport_keys())
        lines.append(f"| {page.name} | {', '.join(page.roles)} | {cells} |")
    lines.append(README_END)
    return "\n".join(lines)


def replace_readme_section(readme: str, section: str) -> str:
    start, end = readme.index(README_START), readme.index(README_END) + len(README_END)
    return readme[:start] + section + readme[end:]
