"""和暦 (Japanese era) dates beside Western ones: 令和7年6月18日 (2025-06-18)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

#: Era name and its first day, newest first.
ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 1, 25)),
)


def to_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def wareki(value: date | datetime) -> str:
    """令和7年6月18日; the first year of an era is written 元年 (令和元年5月1日)."""
    day = to_date(value)
    for name, start in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{name}{year_text}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def wareki_with_western(value: date | datetime) -> str:
    """令和7年6月18日 (2025-06-18)."""
    day = to_date(value)
    return f"{wareki(day)} ({day:%Y-%m-%d})"


def format_duration(delta: timedelta) -> str:
    """1時間25分, 45分."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}時間{minutes}分"
    return f"{minutes}分"
