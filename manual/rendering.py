"""Showing manual content safely: the city's blanks filled, Markdown turned into sanitised HTML.

Content is written by admins, but it is still never trusted as HTML: Markdown output passes
through nh3 (the Ammonia sanitiser) with a short allow-list, so a ``<script>`` shows as text.
"""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "h5", "blockquote", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "code",
}


def fill(text: str, placeholders: dict[str, str]) -> str:
    """Replace the city blanks ({city}, {police_station} …); other braces stay as they are."""
    for key, value in placeholders.items():
        text = text.replace(key, value)
    return text


def render_markdown(text: str, placeholders: dict[str, str]) -> SafeString:
    # Escape first: content is Markdown, not HTML; any tag an editor typed is shown as text.
    html = markdown_lib.markdown(escape(fill(text, placeholders)), extensions=["tables", "sane_lists"])
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308 - sanitised
