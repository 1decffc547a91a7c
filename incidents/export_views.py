"""Exports of the queue (/queue/export/): the page that chooses columns and format, and the file."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organization.audit import client_ip

from . import exports, policies


def _page(request: HttpRequest, plan: exports.ExportPlan, *, status: int = 200) -> HttpResponse:
    return render(request, "incidents/queue_export.html", {
        "plan": plan,
        "form": plan.form,
        "count": plan.count(),
        "problems": plan.problems,
        "redacted": exports.is_redacted(request.user),
        "personal_offered": policies.can_export_personal_data(request.user),
    }, status=status)


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    """The queue's current filter (from the URL), how many rows it gives, the columns and the format."""
    if not policies.can_export_queue(request.user):
        raise Http404
    return _page(request, exports.plan_export(request.user, request.GET, download=False))


@login_required
@require_GET
def export_file(request: HttpRequest) -> HttpResponse:
    """The file; a URL that asks for what cannot be given gets the page again (400) saying what."""
    if not policies.can_export_queue(request.user):
        raise Http404
    plan = exports.plan_export(request.user, request.GET, download=True)
    if plan.problems:
        return _page(request, plan, status=400)
    return exports.export_response(plan, actor=request.user, ip_address=client_ip(request))
