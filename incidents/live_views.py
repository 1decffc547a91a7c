"""Thin views of the live recorder (対応中の記録): the sync the live view's script calls, the
owner's list of records, a record's page, and 「連絡票にする」. Anyone but the owner gets 404."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kasuhara.errors import BadInput
from organization.audit import client_ip

from . import live, live_services


@never_cache
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """The recorder's steps, as JSON: stores what is new, answers the record as the server has it,
    which operations are stored, which are refused (with why), and the user's other open records.
    Signed out: 401 (the page says so and keeps the steps), never the sign-in page's HTML."""
    if not request.user.is_authenticated or not request.user.is_active:
        return JsonResponse({"error": _("ログインが切れています。もう一度ログインしてください（記録はこの端末に残っています）。"),
                             "signed_out": True}, status=401)
    try:
        if len(request.body) > live.MAX_BODY:
            raise BadInput(_("一度に送れる記録の量を超えています。"))
        payload = json.loads(request.body.decode("utf-8"))
        sync_request = live.parse_sync(payload, now=timezone.now())
        result = live_services.sync(owner=request.user, request=sync_request, ip_address=client_ip(request))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested beyond reason
        return _error(_("送信された記録を読み取れませんでした。ページを開き直してください（記録はこの端末に残っています）。"))
    except BadInput as error:
        return _error(str(error))
    except ValidationError as error:
        return _error(" ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    record = result.record
    current = record
    if record is None or live.is_reported(record) or record.ended_at is not None:
        current = live.current_record(request.user, sync_request.type_code)
    return JsonResponse({
        "record": live.state(record, result.steps) if record is not None else None,
        "current": live.state(current) if current is not None and current != record else None,
        "confirmed": result.confirmed,
        "rejected": [{"id": op_id, "message": message} for op_id, message in result.rejected],
        "waiting": live.waiting(request.user, besides=(record, current)),
    })


def _error(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """対応中の記録: the user's own records, newest first; those not made into a report are marked."""
    page = Paginator(live.records_of(request.user), 20).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.when = live.when_label(record)
        record.is_reported = live.is_reported(record)
    return render(request, "incidents/live_list.html", {"page": page})


@login_required
@require_GET
def record_detail(request: HttpRequest, record: uuid.UUID) -> HttpResponse:
    """One record: its steps with their times, the counts, and 「連絡票にする」 (or its report)."""
    found = live.get_record_for_user(request.user, record)
    live_services.record_view(record=found, actor=request.user, ip_address=client_ip(request))
    steps = sorted(found.steps.all(), key=lambda s: (s.at, s.pk))
    return render(request, "incidents/live_record.html", {
        "record": found,
        "steps": steps,
        "summary": live.summarise(steps),
        "when": live.when_label(found),
        "reported": live.is_reported(found),
    })


@login_required
@require_POST
def make_report(request: HttpRequest, record: uuid.UUID) -> HttpResponse:
    """「連絡票にする」: the draft, then its edit page where the user completes 言動 and the rest."""
    found = live.get_record_for_user(request.user, record)
    try:
        report, made = live_services.make_report(owner=request.user, record=found, ip_address=client_ip(request))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("live:record", record=found.client_id)
    if made:
        messages.success(request, _("対応中の記録から連絡票の下書き（No.%(number)s）を作りました。"
                                    "件名・場所・相手方・要求内容・言動などを書き足して、提出してください。")
                         % {"number": report.pk})
    else:
        messages.info(request, _("この記録はすでに連絡票（No.%(number)s）にしています。") % {"number": report.pk})
    if report.is_editable:
        return redirect("incidents:edit", pk=report.pk)
    return redirect("incidents:detail", pk=report.pk)
