"""Template filters for manual content: ``text|fill:placeholders`` and ``body|markdown:placeholders``."""

from django import template
from django.utils.safestring import SafeString

from manual.rendering import fill as fill_text
from manual.rendering import render_markdown

register = template.Library()


@register.filter
def fill(text: str, placeholders: dict[str, str]) -> str:
    return fill_text(text or "", placeholders or {})


@register.filter
def markdown(text: str, placeholders: dict[str, str]) -> SafeString:
    return render_markdown(text or "", placeholders or {})
