"""Template helpers of ``templates/figures/_table.html`` (any page showing a ``kasuhara.figures.Table``):
``{% figure_chart table %}`` (the inline SVG of ``kasuhara.charts``) and ``{{ cell|figure_cell }}``
(a number with thousands separators, a float with one decimal, text such as 「3件未満」 as it is,
None as 「—」)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from kasuhara import charts

register = template.Library()


@register.simple_tag(takes_context=True)
def figure_chart(context, table):
    request = context.get("request")
    return charts.render_svg(table, nonce=getattr(request, "csp_nonce", None))


@register.filter
def figure_cell(cell) -> str:
    if cell is None or cell == "":
        return "—"
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return number_format(cell, force_grouping=True)
    if isinstance(cell, float):
        return number_format(round(cell, 1), decimal_pos=0 if float(cell).is_integer() else 1, force_grouping=True)
    return str(cell)
