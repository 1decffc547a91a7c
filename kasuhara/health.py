"""Health of the outside services the app depends on."""

from django.conf import settings
from kombu import Connection


def broker_status(timeout: float = 2.0) -> str:
    """'ok', 'not configured' (tasks run in-process) or 'error: …'."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not configured"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {error.__class__.__name__}"
