"""保存期間の削除の記録 (/queue/retention/): every nightly run and what it removed from which case and
which 相談, for the 相談窓口, the 管理者 and 監査. The record holds no personal data: numbers, field
names and counts. Consultation numbers link only for the 相談窓口 (nobody else may open them)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from consultations import policies as consultation_policies
from consultations import retention as consultation_retention
from consultations.models import Consultation

from . import policies, retention
from .lifecycle import Status
from .models import IncidentReport, RetentionRun

#: Japanese names of what a run removes, for the page.
FIELD_LABELS = {name: IncidentReport._meta.get_field(name).verbose_name for name in retention.REPORT_FIELDS}
CONSULTATION_LABELS = {name: Consultation._meta.get_field(name).verbose_name for name in consultation_retention.FIELDS}


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    if not policies.can_see_retention_runs(request.user):
        raise Http404
    page = Paginator(RetentionRun.objects.all(), 20).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.rows = [{**item, "labels": [FIELD_LABELS.get(name, name) for name in item["fields"]]}
                    for item in run.items]
        run.consultation_rows = [
            {**item, "labels": [CONSULTATION_LABELS.get(name, name) for name in item["fields"]]}
            for item in run.consultation_items]
    held = (IncidentReport.objects.filter(legal_hold=True).exclude(status__in=[Status.DRAFT, Status.DISCARDED])
            .order_by("pk").values("pk", "legal_hold_at"))
    return render(request, "incidents/retention_runs.html", {
        "page": page,
        "years": settings.KASUHARA_RETAIN_CLOSED_YEARS,
        "fiscal": settings.KASUHARA_RETAIN_FROM_FISCAL_YEAR_END,
        "closed_before": retention.closed_before(timezone.now()),
        "held": list(held),
        # 相談 kept by their own hold or by their report's (consultations/retention.py).
        "held_consultations": list(
            consultation_retention.on_hold().order_by("pk").values("pk", "legal_hold", "legal_hold_at", "report_id")),
        "consultation_links": consultation_policies.can_answer(request.user),
    })
