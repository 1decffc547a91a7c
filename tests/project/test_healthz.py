"""GET /healthz: the state of the database and of the broker, 200 when healthy, 503 otherwise."""

import os

import pytest

from tests.helpers import require_or_fail


@pytest.mark.django_db
def test_healthz_without_broker_says_tasks_run_in_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


@pytest.mark.django_db
def test_healthz_checks_the_real_broker_when_configured(client, settings):
    url = os.environ.get("CELERY_BROKER_URL", "")
    require_or_fail(url.startswith("redis://"), "Redis broker (CELERY_BROKER_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["broker"].startswith("error")
