"""The banner region of every page asks how often to look for calls (``KASUHARA_HELP_POLL_SECONDS``)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def help_poll_seconds() -> int:
    return settings.KASUHARA_HELP_POLL_SECONDS
