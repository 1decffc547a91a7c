"""The home page (what each role needs first), the health check and the accessibility policy:
project-level pages that read every app, so they live here rather than in ``organization`` (which
imports no other app)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from committee import selectors as committee_selectors
from incidents import policies as report_policies
from incidents import selectors as report_selectors
from incidents.lifecycle import Status
from manual import selectors as manual_selectors

from . import accessibility as accessibility_results
from .health import broker_status


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = report_selectors.my_reports(user)
    readable = report_selectors.readable_reports(user).exclude(reporter=user)
    return render(
        request,
        "home.html",
        {
            "can_file": report_policies.can_file_report(user),
            "drafts": mine.filter(status=Status.DRAFT)[:5],
            "recent": mine.exclude(status=Status.DRAFT)[:5],
            "others": readable[:8] if (user.is_desk or user.acts_as_section_chief or user.acts_as_director) else [],
            "types": manual_selectors.manual_content()["types"],
            "measures": committee_selectors.my_open_measures(user),
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, if one is configured) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {error.__class__.__name__}"
    checks["broker"] = broker_status()
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """「ウェブアクセシビリティ方針」: open before sign-in too; the results are the last recorded run's."""
    return render(request, "accessibility.html", {"results": accessibility_results.load()})
