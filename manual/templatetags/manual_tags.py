"""Template filters for manual content: ``text|fill:placeholders``, ``body|markdown:placeholders``
and ``{% step_text text %}`` (blanks filled, other 態様 linked)."""

import html
import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from manual.rendering import fill as fill_text
from manual.rendering import render_markdown

register = template.Library()


@register.filter
def fill(text: str, placeholders: dict[str, str]) -> str:
    return fill_text(text or "", placeholders or {})


@register.filter
def markdown(text: str, placeholders: dict[str, str]) -> SafeString:
    return render_markdown(text or "", placeholders or {})


@register.simple_tag(takes_context=True)
def step_text(context, text: str, anchors: bool = False) -> SafeString:
    """A step's text with the city's blanks filled and every other 態様 it names made a link
    (e.g. 権威型 ⑤ refers to 「長時間拘束型」 and 「威嚇・脅迫型」). ``anchors`` links inside the page
    (the printable manual) instead of to each 態様's page."""
    content = context.get("content") or {}
    draft = "?draft=1" if context.get("draft") else ""
    names = {t["name"]: t["code"] for t in content.get("types", [])}
    escaped = escape(fill_text(text or "", context.get("placeholders") or {}))
    if not names:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(escape(name)) for name in sorted(names, key=len, reverse=True)))

    def link(match: re.Match) -> str:
        code = names[html.unescape(match.group(0))]
        href = f"#type-{code}" if anchors else reverse("manual:type", args=[code]) + draft
        return format_html('<a href="{}" class="type-link">{}</a>', href, html.unescape(match.group(0)))

    return mark_safe(pattern.sub(link, escaped))  # noqa: S308 - pieces escaped above


@register.filter
def tel_href(number: str) -> str:
    """A ``tel:`` address phones dial: full-width digits and dashes folded to ASCII, only digits
    and a leading + kept (「２５－０１１０」 → ``tel:250110``)."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", number or "")
    digits = "".join(ch for ch in folded if ch.isascii() and (ch.isdigit() or ch == "+"))
    return f"tel:{digits}"
