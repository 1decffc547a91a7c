"""Helpers for tests: service requirements and browser log-in."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ON_CI = bool(os.environ.get("CI"))
DEMO_PASSWORD = "kasuhara-demo"


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
