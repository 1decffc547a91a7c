"""Background jobs of the incidents app."""

from celery import shared_task

from . import services


@shared_task(name="incidents.tasks.purge_stale_staged_attachments")
def purge_stale_staged_attachments() -> int:
    """Delete evidence uploads that were staged on a failed form and never claimed."""
    return services.purge_stale_staged()
