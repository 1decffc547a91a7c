"""/stats/: the dashboard. Policy first (a user without a scope gets 404), then the filters from
the URL (narrowed to the scope: an out-of-scope or bad value is ignored with a note), then the
numbers (``selectors``: a fixed number of queries, 17 for the page on PostgreSQL) and the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from incidents.queue import ignored_note

from . import policies, selectors
from .forms import DashboardFilterForm


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = policies.get_scope_or_404(request.user)
    today = timezone.localdate()
    lookups = selectors.read_lookups()
    form = DashboardFilterForm(request.GET or None, scope=scope, lookups=lookups,
                               current_year=selectors.current_fiscal_year(today))
    selection = form.selection
    tables = selectors.dashboard_tables(scope, selection, today=today, lookups=lookups)
    by_key = {t.key: t for t in tables}
    return render(request, "stats/dashboard.html", {
        "form": form, "selection": selection, "scope": scope, "tables": tables, "by_key": by_key,
        "scope_label": _scope_label(scope, lookups), "masked": selectors.single_section(scope, selection),
        "min_cell": policies.min_cell(), "ignored_note": ignored_note(form.ignored) if form.ignored else "",
    })


def _scope_label(scope: policies.Scope, lookups: selectors.Lookups) -> str:
    """「市全体」, the 部, or the 課 (「部 課」) the scope covers, joined with 「、」."""
    from django.utils.translation import gettext as _

    if scope.whole_city:
        return _("市全体")
    departments = [name for pk, name in lookups.departments if pk in scope.departments]
    sections = [f"{d} {n}" for pk, n, i, d in lookups.sections if pk in scope.sections and i not in scope.departments]
    return "、".join(departments + sections)
