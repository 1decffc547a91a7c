"""Background jobs of the incidents app."""

from celery import shared_task

from . import counts, services


@shared_task(name="incidents.tasks.purge_stale_staged_attachments")
def purge_stale_staged_attachments() -> int:
    """Delete evidence uploads that were staged on a failed form and never claimed."""
    return services.purge_stale_staged()


@shared_task(name="incidents.tasks.compact_report_counts")
def compact_report_counts() -> int:
    """Fold the queue's count rows (each move adds two) into one per 課 × 状態 × 難易度."""
    return counts.compact()


@shared_task(name="incidents.tasks.apply_retention")
def apply_retention() -> int:
    """Nightly: remove evidence and the 相手方's personal data of closed cases past their 保存期間."""
    from . import retention

    return retention.run().report_count
