"""Helpers for tests: service requirements and browser log-in."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ON_CI = bool(os.environ.get("CI"))
DEMO_PASSWORD = "kasuhara-demo"


def with_changes(data: dict, changes: dict) -> dict:
    """A form's POST data with ``changes`` applied: a value replaces the field's, None leaves the
    field out (as a browser leaves out an unticked box)."""
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def uses_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def require_or_fail(condition: bool, what: str) -> None:
    """Locally a missing service skips the test; on CI it fails it."""
    if condition:
        return
    if ON_CI:
        pytest.fail(f"{what} is required on CI")
    pytest.skip(f"{what} not available")


def login(page, live_server, username: str, password: str = "kasuhara-demo") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def submit_report_form(page, *, title: str, minutes: int, counterpart_name: str, demand: str, conduct: str,
                       warning: str, counterpart_contact: str = "", actor_name: str = "") -> int:
    """File the shortest complete 暴言型 report through the real form (from the menu's 連絡票を書く),
    an hour or two ago, with one 経過 row (a warning); returns the new report's id once the page says
    it was submitted (else the form's messages are the assertion's text)."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.lifecycle import Status
    from incidents.models import IncidentReport

    def local(moment) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    page.get_by_role("link", name="連絡票を書く").first.click()
    page.wait_for_url("**/reports/new/")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    page.fill("#id_title", title)
    page.fill("#id_occurred_start", local(start))
    page.fill("#id_occurred_end", local(start + timedelta(minutes=minutes)))
    page.select_option("#id_channel", "counter")
    page.fill("#id_place", "本庁舎1階 市民課窓口")
    page.fill("#id_staff_count", "1")
    page.fill("#id_counterpart_count", "1")
    page.locator("summary", has_text="相手方の情報").click()
    page.fill("#id_counterpart_name", counterpart_name)
    if counterpart_contact:
        page.fill("#id_counterpart_contact", counterpart_contact)
    page.fill("#id_demand", demand)
    page.fill("#id_conduct", conduct)
    page.get_by_label("3. 暴言型").check()
    page.get_by_label("要求を実現するための手段・態様が社会通念上不相当").check()
    page.fill("#id_timeline-0-at", local(start + timedelta(minutes=5)))
    page.select_option("#id_timeline-0-kind", "warning")
    page.fill("#id_timeline-0-description", warning)
    if actor_name:
        page.fill("#id_timeline-0-actor_name", actor_name)
    page.get_by_role("button", name="提出する").click()
    page.wait_for_url("**/reports/*/")
    assert "連絡票を提出しました" in page.content(), page.locator(".invalid-feedback, .alert").all_inner_texts()
    report = IncidentReport.objects.get(title=title)
    assert report.status == Status.SUBMITTED
    return report.pk
