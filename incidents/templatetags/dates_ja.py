"""Dates as Japanese staff expect them: 和暦 beside the Western date, durations in 時間/分."""

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

from kasuhara.wareki import format_duration, wareki_with_western

register = template.Library()


@register.filter
def wareki_date(value: date | datetime | None) -> str:
    """令和7年6月18日 (2025-06-18)."""
    return wareki_with_western(value) if value else ""


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    """令和7年6月18日 (2025-06-18) 14:05."""
    if not value:
        return ""
    return f"{wareki_with_western(value)} {timezone.localtime(value):%H:%M}"


@register.filter
def duration_ja(value: timedelta | None) -> str:
    return format_duration(value) if value else ""
