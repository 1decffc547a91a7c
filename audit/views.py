"""/audit/: search every audit trail, and export the result as CSV. Auditors only (404 otherwise)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasuhara import csvstream
from organization.audit import client_ip

from . import selectors, services
from .forms import SearchForm
from .models import AuditViewEvent
from .policies import may_audit

PER_PAGE = 50


def _form(request: HttpRequest) -> SearchForm:
    if not may_audit(request.user):
        raise Http404
    return SearchForm(request.GET or None)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    page = None
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else selectors.Filters()
        qs = selectors.events(filters)
        paginator = Paginator(qs if qs is not None else [], PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.rows = selectors.label_rows(list(page.object_list))
        services.record_view(actor=request.user, action=AuditViewEvent.Action.SEARCHED,
                             filters=form.described() if request.GET else {}, row_count=paginator.count,
                             ip_address=client_ip(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "query": query.urlencode()})


HEADER = [_("日時"), _("記録の種類"), _("番号"), _("操作者"), _("操作"), _("対象"), _("内容"), _("接続元"), _("詳細")]


def _cells(rows: Iterator[selectors.Row]) -> Iterator[list]:
    for row in rows:
        yield [timezone.localtime(row.at), row.table, row.id, row.actor, row.action, row.record, row.note, row.ip,
               json.dumps(row.detail, ensure_ascii=False) if row.detail else ""]


@login_required
def export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.GET and not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "page": None, "query": ""}, status=400)
    filters = form.filters() if request.GET else selectors.Filters()
    qs = selectors.events(filters)
    count = qs.count() if qs is not None else 0
    services.record_view(actor=request.user, action=AuditViewEvent.Action.EXPORTED,
                         filters=form.described() if request.GET else {}, row_count=count,
                         ip_address=client_ip(request))
    stream = csvstream.stream(HEADER, _cells(selectors.iter_rows(filters)), datetime_format="%Y-%m-%d %H:%M:%S")
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    return response
