"""Charts of a ``kasuhara.figures.Table``, drawn on the server as inline SVG by pygal (pinned in
requirements.txt): no JavaScript, no CDN, no external reference at all (pygal's ``js`` is emptied;
its comments, which name its web site, and its configuration script are removed).

What a chart draws: the table's first column, and the second as a second series when
``table.compare`` is true (this 年度 beside the previous one). Cells that are not numbers (「3件未満」,
「—」) are not drawn; their row's label says why (e.g. 「市民課（3件未満）」), so the chart never shows
a hidden count. Colours: dark grey and light grey with a dark outline, which stay apart when
printed in black and white; the numbers themselves are in the data table beside the chart
(``templates/figures/_table.html``), which is what screen readers and printouts rely on.

The SVG carries ``role="img"`` and an ``aria-label`` ("グラフ：<caption>"); the figure's caption
and the table beside it say the same in text.

Content-Security-Policy: pygal's ``<style>`` element (scoped to the chart's id) stays, carrying the
request's nonce (``render_svg(table, nonce=request.csp_nonce)``, given by the template tag); its one
``style`` attribute (the hidden tooltip's ``opacity``) becomes the SVG presentation attribute.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

from .figures import Table

#: Series colours: near-black, then a mid grey (≥ 3:1 against white, WCAG 1.4.11).
SERIES_COLOURS = ("#262626", "#8c8c8c")

_STYLE = Style(
    background="#ffffff", plot_background="#ffffff",
    foreground="#222222", foreground_strong="#000000", foreground_subtle="#555555",
    colors=SERIES_COLOURS, opacity="1", opacity_hover="1",
    font_family="sans-serif", label_font_size=13, major_label_font_size=13, legend_font_size=14,
    value_font_size=12, tooltip_font_size=12,
)

_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: pygal writes its configuration for its (absent) script; nothing reads it.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_URL = re.compile(r"https?://[^\s\"'<>]+")
_STYLE_TAG = "<style>"
#: ``style="opacity: 0"`` and the like: one ``property: value`` pair SVG also knows as an attribute.
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="\s*([a-z-]+)\s*:\s*([^;"]+?)\s*;?\s*"')
_PRESENTATION = frozenset({"opacity", "fill", "stroke", "stroke-width", "fill-opacity", "stroke-opacity"})


def _presentation(match: re.Match) -> str:
    prop, value = match.group(1), match.group(2)
    if prop not in _PRESENTATION:
        return match.group(0)
    return f' {prop}="{value}"'
#: The only URLs an SVG may hold: its namespaces.
ALLOWED_URLS = frozenset({"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"})


def caption_id(table: Table) -> str:
    return f"fig-{table.key}-caption"


def _number(cell) -> float | None:
    return cell if isinstance(cell, (int, float)) and not isinstance(cell, bool) else None


def _label(heading: str, cells: list) -> str:
    hidden = [str(cell) for cell in cells if isinstance(cell, str) and cell not in ("", "—")]
    return f"{heading}（{hidden[0]}）" if hidden else heading


def render_svg(table: Table, *, nonce: str | None = None) -> SafeString:
    """The table's chart as an inline ``<svg>`` (empty when ``table.chart`` is None or there is
    nothing to draw). pygal takes some 50–100 ms a chart; the SVG depends on nothing but the table
    (and the language), so it is kept per process for the same content (``_svg``); the request's
    CSP ``nonce`` is put on its ``<style>`` afterwards."""
    if not table.chart or not table.rows:
        return mark_safe("")
    key = json.dumps([table.as_dict(), get_language()], ensure_ascii=False, sort_keys=True, default=str)
    svg = _svg(key)
    if nonce is not None:  # django-csp's lazy nonce is falsy until read: test for None
        svg = svg.replace(_STYLE_TAG, f'<style nonce="{escape(str(nonce))}">')
    return mark_safe(svg)  # noqa: S308 - built by _draw


@lru_cache(maxsize=256)
def _svg(key: str) -> str:
    table = Table.from_dict(json.loads(key)[0])
    return str(_draw(table))


def _draw(table: Table) -> SafeString:
    series = 2 if table.compare and len(table.headers) > 1 else 1
    labels = [_label(heading, cells[:series]) for heading, cells in table.rows]
    horizontal = table.chart == "bar" and (len(table.rows) > 6 or max(len(label) for label in labels) > 8)
    kind = pygal.Line if table.chart == "line" else (pygal.HorizontalBar if horizontal else pygal.Bar)
    height = max(260, 34 * len(table.rows) * (series if horizontal else 1) + 110) if horizontal else 320
    chart = kind(
        js=[], style=_STYLE, disable_xml_declaration=True, explicit_size=False, width=720, height=height,
        legend_at_bottom=True, legend_at_bottom_columns=series, show_legend=series > 1,
        print_values=False, show_y_guides=True, x_label_rotation=0 if horizontal else (30 if len(labels) > 6 else 0),
        truncate_label=-1, truncate_legend=-1, include_x_axis=True, min_scale=1, order_min=0,
        dots_size=4, stroke_style={"width": 3},
        css=["file://style.css", "file://graph.css", "inline:.pygal-chart rect.reactive{stroke:#000 !important;stroke-width:1px !important}"],
    )
    chart.x_labels = labels
    for column in range(series):
        values = [_number(cells[column]) if column < len(cells) else None for _heading, cells in table.rows]
        # Bars get a dark outline so that the light grey keeps its edge on paper.
        chart.add(table.headers[column], values, stroke_style={"width": 3 if table.chart == "line" else 1,
                                                               "dasharray": "6,4" if column else "none"})
    svg = _SCRIPT.sub("", _COMMENT.sub("", chart.render(is_unicode=True)))
    svg = _STYLE_ATTRIBUTE.sub(_presentation, svg)
    if re.search(r'\sstyle="', svg):  # an inline style the CSP would refuse
        raise ValueError("chart SVG has a style attribute")
    svg = svg.replace('<style type="text/css">', _STYLE_TAG)
    name = escape(_("グラフ：%(caption)s") % {"caption": table.caption})
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{name}" focusable="false" ', 1)
    svg = svg.replace('class="pygal-chart"', 'class="pygal-chart figure-chart"', 1)
    stray = set(_URL.findall(svg)) - ALLOWED_URLS
    if stray:  # never let a chart reach out of the closed network
        raise ValueError(f"chart SVG refers to {sorted(stray)}")
    return mark_safe(svg)  # noqa: S308 - pygal escapes the labels it writes


def external_urls(svg: str) -> set[str]:
    """The URLs in an SVG other than its namespaces (what a test asserts is empty)."""
    return set(_URL.findall(svg)) - ALLOWED_URLS
