"""Shared fixtures: the demo organisation with a user per role, evidence storage in a temporary
folder, and (for browser tests) Debian's Chromium driven by Playwright.

On CI (``CI`` set) the real services must be there: PostgreSQL via DATABASE_URL, Redis via
CELERY_BROKER_URL and Chromium. A missing one stops the run with an error instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.helpers import ON_CI, require_or_fail

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.helpers import CHROMIUM  # noqa: E402


def pytest_configure(config):
    if not ON_CI:
        return
    problems = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL on CI")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        problems.append("CELERY_BROKER_URL must point at Redis on CI")
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        problems.append(f"Chromium not found at {CHROMIUM}")
    if problems:
        raise pytest.UsageError("; ".join(problems))


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    return "live_server" in names or "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _migrated_data(request):
    """A test that commits (transactional or browser) starts from the database as migrations left
    it. The flush after an earlier committing test empties every table; post_migrate brings back
    content types and permissions, and this brings back what the data migrations loaded (the
    manual and its first edition). Django's serialized rollback cannot be used here: Playwright's
    event loop gives later tests a fresh connection object without the serialized contents."""
    if not _commits(request):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    import_module("manual.migrations.0003_load_seed_content").load(apps, None)
    import_module("organization.migrations.0003_year_end_closing_days").load(apps, None)
    import_module("committee.migrations.0002_seed_measures_and_letters").load(apps, None)
    import_module("notifications.migrations.0002_default_rules").load(apps, None)


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks a test causes (a notice's delivery after commit) run in the test's own process; the
    tests of the worker and the broker (tests/notifications/test_worker.py) switch to the real ones."""
    from kasuhara.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo users get a password; PBKDF2 would cost seconds per test and is not what is tested."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
        },
    }


@pytest.fixture
def users(db) -> dict:
    """The demo organisation and one user per role (staff, staff2, chief, director, desk, chair,
    member, admin), as the demo loader makes them, without the sample reports."""
    from demo.management.commands.load_demo import Command

    command = Command()
    return command._users(command._organisation())


@pytest.fixture
def client_as(users):
    """``client_as("staff")``: a test client signed in as that demo user."""
    from django.test import Client

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return signed_in


@pytest.fixture
def staff_client(client_as):
    return client_as("staff")


@pytest.fixture
def types(db) -> dict:
    from manual.models import HarassmentType

    return {t.code: t for t in HarassmentType.objects.all()}


# -- browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    require_or_fail(os.path.exists(CHROMIUM), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class OutsideRequests(list):
    """Every request a page made to anything but 127.0.0.1 / localhost (the closed-network rule)."""


@pytest.fixture
def page_factory(browser, live_server) -> Iterator:
    """``new_page()`` gives a fresh browser context; each records requests leaving 127.0.0.1."""
    contexts = []
    outside = OutsideRequests()

    def new_page(**context_options):
        context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)

        def check(request):
            host = urlparse(request.url).hostname
            if request.url.startswith(("data:", "blob:", "about:")):
                return
            if host not in ("127.0.0.1", "localhost"):
                outside.append(request.url)

        page.on("request", check)
        page.outside_requests = outside
        return page

    yield new_page
    for context in contexts:
        context.close()
