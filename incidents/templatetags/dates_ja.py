"""Dates as Japanese staff expect them: 和暦 beside the Western date, durations in 時間/分."""

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

from kasuhara.wareki import format_duration, wareki_with_western

register = template.Library()


def _as_stored(value: date | datetime) -> str:
    """A value that cannot be shown in local time (out of Python's range after the conversion):
    shown as stored, so a page with an odd row still answers instead of failing."""
    return value.isoformat()


@register.filter
def wareki_date(value: date | datetime | None) -> str:
    """令和7年6月18日 (2025-06-18)."""
    if not value:
        return ""
    try:
        return wareki_with_western(value)
    except (OverflowError, ValueError):
        return _as_stored(value)


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    """令和7年6月18日 (2025-06-18) 14:05."""
    if not value:
        return ""
    try:
        return f"{wareki_with_western(value)} {timezone.localtime(value):%H:%M}"
    except (OverflowError, ValueError):
        return _as_stored(value)


@register.filter
def local_time(value: datetime | None) -> str:
    """14:05 in local time."""
    if not value:
        return ""
    try:
        return f"{timezone.localtime(value):%H:%M}"
    except (OverflowError, ValueError):
        return _as_stored(value)


@register.filter
def duration_ja(value: timedelta | None) -> str:
    return format_duration(value) if value else ""
