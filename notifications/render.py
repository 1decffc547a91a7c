"""A notice's subject, body and link, from its kind and params: the same words in the inbox and in
the e-mail. Bodies name the case by its number and link to it; they never carry the counterpart's
personal data nor the reporter's name (the params hold numbers, dates and 態様 only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from kasuhara.wareki import wareki_with_western

from .kinds import SPECS
from .models import Notice


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    path: str  # the page the notice leads to, '' if none

    @property
    def url(self) -> str:
        return settings.KASUHARA_BASE_URL.rstrip("/") + self.path if self.path else ""


def _when(value) -> str:
    """A stored date or date-time (ISO text from either database) as 令和8年11月25日 (2026-11-25) 10:00."""
    if not value:
        return ""
    text = str(value)
    if len(text) == 10:  # a date (fromisoformat would read it as midnight UTC)
        day = parse_date(text)
        return wareki_with_western(day) if day else text
    moment = parse_datetime(text)
    if moment is not None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)  # SQLite keeps UTC without an offset
        return f"{wareki_with_western(moment)} {timezone.localtime(moment):%H:%M}"
    return text


def display_params(params: dict) -> dict:
    shown = dict(params)
    if "starts_at" in shown:
        shown["date"] = _when(shown["starts_at"])
    if "due_on" in shown:
        shown["due"] = _when(shown["due_on"])
    return shown


def link_path(notice: Notice) -> str:
    name, param = SPECS[notice.kind].link
    value = notice.params.get(param)
    if value is None:
        return ""
    try:
        return reverse(name, args=[value])
    except NoReverseMatch:
        return ""


def subject(notice: Notice) -> str:
    try:
        return str(SPECS[notice.kind].subject) % display_params(notice.params)
    except (KeyError, TypeError, ValueError):
        return str(notice.get_kind_display())


def render(notice: Notice) -> Rendered:
    path = link_path(notice)
    text = subject(notice)
    body = render_to_string(
        "notifications/email.txt",
        {"notice": notice, "subject": text, "params": display_params(notice.params),
         "url": settings.KASUHARA_BASE_URL.rstrip("/") + path if path else "", "kind": notice.kind},
    )
    return Rendered(text, body, path)
