"""The live recorder (対応中の記録) gives up a sync that has no answer after ``KASUHARA_LIVE_SYNC_TIMEOUT_MS``."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def live_sync_timeout_ms() -> int:
    return settings.KASUHARA_LIVE_SYNC_TIMEOUT_MS
