"""``manage.py retention [--dry-run]``: the nightly 保存期間 removal now (beat runs it at 03:00), or
with ``--dry-run`` only how many cases it would remove and how many a legal hold keeps, and the
same for 相談 (with their numbers)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from consultations import retention as consultations
from incidents import retention
from incidents.lifecycle import Status
from incidents.models import IncidentReport


class Command(BaseCommand):
    help = ("Remove evidence and the counterpart's personal data of closed cases, and the free text of closed "
            "consultations, past their retention period.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed.")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        cutoff = retention.closed_before(now)
        if dry_run:
            held = IncidentReport.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff, legal_hold=True,
                                                 retention_applied_at__isnull=True).count()
            self.stdout.write(f"closed before {cutoff:%Y-%m-%d}: {retention.due(now).count()} to remove, "
                              f"{held} on legal hold")
            due = list(consultations.due(cutoff).order_by("pk").values_list("pk", flat=True))
            self.stdout.write(f"consultations: {len(due)} to remove{_numbers(due)}, "
                              f"{consultations.held(cutoff).count()} on legal hold")
            return
        run = retention.run(now=now)
        self.stdout.write(f"removed {run.report_count} cases, {run.file_count} files, "
                          f"{run.counterpart_count} counterparts; {run.held_count} on legal hold")
        self.stdout.write(f"removed {run.consultation_count} consultations; "
                          f"{run.consultation_held_count} on legal hold")


def _numbers(pks: list[int]) -> str:
    return f" ({', '.join(f'No.{pk}' for pk in pks)})" if pks else ""
