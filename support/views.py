"""Thin views of the requests for help: ask the policy, build the form, make one service call, render.
A request the user may not read answers 404; a refused form comes back with what was typed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import policies as case_policies
from organization.audit import client_ip

from . import forms, policies, selectors, services
from .models import BuildingMove, BuildingRequest, LegalMove, LegalRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class MoveForm:
    """A move's form on a request's page, with its heading and its button's words."""

    name: str
    form: Form
    heading: str
    button: str


LEGAL_WORDS = {
    LegalMove.ARRANGE: (_lazy("日程と弁護士（総務課）"), _lazy("日程と弁護士を記録する")),
    LegalMove.HOLD: (_lazy("相談の実施"), _lazy("実施したことを記録する")),
    LegalMove.REPORT: (_lazy("報告書の添付"), _lazy("報告書を添付する")),
    LegalMove.WITHDRAW: (_lazy("依頼の取下げ"), _lazy("依頼を取り下げる")),
}
BUILDING_WORDS = {
    BuildingMove.ANSWER: (_lazy("回答（庁舎を管理する課）"), _lazy("回答を送る")),
    BuildingMove.WITHDRAW: (_lazy("依頼の取下げ"), _lazy("依頼を取り下げる")),
}


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """法律相談・庁舎管理の依頼: the 総務課 sees every 法律相談依頼, the building 課's 所属長 every
    庁舎管理 request; anyone else the ones they asked for. Open ones first."""
    user = request.user
    default = "building" if policies.is_building_chief(user) and not policies.is_legal_office(user) else "legal"
    kind = request.GET.get("kind", default)
    if kind not in ("legal", "building"):
        kind = default
    rows = selectors.legal_list(user) if kind == "legal" else selectors.building_list(user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "support/request_list.html", {"kind": kind, "page": page})


# -- 法律相談依頼 ------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def legal_new(request: HttpRequest, report_pk: int) -> HttpResponse:
    report = case_policies.get_report_for_user(request.user, report_pk)
    if not policies.can_request(request.user, report):
        raise Http404
    if request.method == "GET":
        form = forms.LegalRequestForm(initial={"form_token": uuid.uuid4()})
        return render(request, "support/legal_form.html", {"form": form, "report": report})
    form = forms.LegalRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "support/legal_form.html", {"form": form, "report": report}, status=400)
    try:
        legal = services.request_legal(actor=request.user, report=report, ip_address=client_ip(request),
                                       **form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("法律相談を総務課（文書係）に依頼しました。日程が決まるとお知らせが届きます。"))
    return redirect("support:legal", legal.pk)


@login_required
@require_GET
def legal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    legal = policies.get_legal_for_user(request.user, pk)
    return _render_legal(request, legal)


def _render_legal(request: HttpRequest, legal: LegalRequest, *, status: int = 200, **bound: Form) -> HttpResponse:
    """The request's page (every showing is an audit event); ``bound`` replaces a blank form with
    the refused one, so what was typed stays beside its messages."""
    user = request.user
    services.record_view(actor=user, legal=legal, ip_address=client_ip(request))
    moves = policies.legal_moves_for(user, legal)
    blank = {
        LegalMove.ARRANGE: lambda: forms.ArrangeForm(initial={
            "scheduled_at": timezone.localtime(legal.scheduled_at) if legal.scheduled_at else None,
            "lawyer": legal.lawyer, "venue": legal.venue}),
        LegalMove.HOLD: lambda: forms.HoldForm(initial={
            "held_on": timezone.localtime(legal.scheduled_at).date() if legal.scheduled_at else None}),
        LegalMove.REPORT: forms.ReportFileForm,
        LegalMove.WITHDRAW: forms.WithdrawForm,
    }
    return render(request, "support/legal_detail.html", {
        "legal": legal,
        "case_readable": policies.can_open_case(user, legal.report),
        "moves": [MoveForm(name, bound.get(name) or blank[name](), *LEGAL_WORDS[name]) for name in _shown(moves, bound)],
        "history": selectors.history(legal=legal),
    }, status=status)


@login_required
@require_GET
def legal_print(request: HttpRequest, pk: int) -> HttpResponse:
    """法律相談依頼書 on A4, dates in 和暦 beside the Western ones."""
    legal = policies.get_legal_for_user(request.user, pk)
    services.record_view(actor=request.user, legal=legal, ip_address=client_ip(request), printed=True)
    report = legal.report
    return render(request, "support/legal_print.html", {
        "legal": legal, "report": report,
        "types": [t.name for t in report.harassment_types.order_by("number")],
    })


@login_required
@require_GET
def legal_file(request: HttpRequest, pk: int) -> FileResponse:
    """The consultation's report is only ever served here, after the policy said yes; each view is recorded."""
    legal = policies.get_legal_for_user(request.user, pk)
    if not legal.report_file:
        raise Http404
    services.record_download(actor=request.user, legal=legal, ip_address=client_ip(request))
    response = FileResponse(
        legal.report_file.open("rb"), content_type=legal.report_file_type,
        as_attachment=request.GET.get("inline") != "1", filename=legal.report_file_name or "report",
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response


def _shown(allowed: list[str], bound: dict[str, Form]) -> list[str]:
    """The moves whose forms the page shows: those allowed now, and a refused one even when it no
    longer applies (someone else moved the request first), so its message and what was typed stay."""
    return [*bound, *(name for name in allowed if name not in bound)]


@dataclass(frozen=True)
class Step:
    """One step posted from a request's page: its form, the service call, what the user is told."""

    form: Callable[[HttpRequest], Form]
    perform: Callable[..., object]
    done: str


LEGAL_STEPS: dict[str, Step] = {
    LegalMove.ARRANGE: Step(
        lambda r: forms.ArrangeForm(r.POST),
        lambda legal, user, ip, data: services.arrange_legal(request=legal, actor=user, ip_address=ip, **data),
        _lazy("日程と弁護士を記録しました。依頼者にお知らせが届きます。"),
    ),
    LegalMove.HOLD: Step(
        lambda r: forms.HoldForm(r.POST),
        lambda legal, user, ip, data: services.hold_legal(request=legal, actor=user, ip_address=ip, **data),
        _lazy("法律相談を実施したことを記録しました。報告書を添付してください。"),
    ),
    LegalMove.REPORT: Step(
        lambda r: forms.ReportFileForm(r.POST, r.FILES, refusals=getattr(r, "evidence_refusals", [])),
        lambda legal, user, ip, data: services.attach_legal_report(
            request=legal, actor=user, ip_address=ip, upload=data["file"], summary=data["summary"]),
        _lazy("報告書を添付しました。"),
    ),
    LegalMove.WITHDRAW: Step(
        lambda r: forms.WithdrawForm(r.POST),
        lambda legal, user, ip, data: services.withdraw_legal(request=legal, actor=user, ip_address=ip, **data),
        _lazy("法律相談の依頼を取り下げました。"),
    ),
}


def _move(request: HttpRequest, record, name: str, *, steps: dict, allowed: dict, page: str, render) -> HttpResponse:
    """A step of a request's state table: its policy (404 if not allowed), its form, one service
    call; a refused step comes back with what was typed (400, or 409 when someone moved it first)."""
    step = steps.get(name)
    if step is None or not allowed[name](request.user, record):
        raise Http404
    form = step.form(request)
    status = 400
    if form.is_valid():
        try:
            step.perform(record, request.user, client_ip(request), form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
            status = 409 if isinstance(error, services.WrongState) else 400
        else:
            messages.success(request, step.done)
            return redirect(page, record.pk)
    record.refresh_from_db()
    return render(request, record, status=status, **{name: form})


@login_required
@require_POST
def legal_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    legal = policies.get_legal_for_user(request.user, pk)
    return _move(request, legal, name, steps=LEGAL_STEPS, allowed=policies.LEGAL_POLICIES, page="support:legal",
                 render=_render_legal)


# -- 庁舎管理 ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def building_new(request: HttpRequest, report_pk: int) -> HttpResponse:
    report = case_policies.get_report_for_user(request.user, report_pk)
    if not policies.can_request(request.user, report):
        raise Http404
    context = {"report": report, "sections": services.building_sections()}
    if request.method == "GET":
        form = forms.BuildingRequestForm(initial={
            "form_token": uuid.uuid4(), "place": report.place,
            "exit_order": report.exit_request_count >= 2, "guard": True,
        })
        return render(request, "support/building_form.html", {**context, "form": form})
    form = forms.BuildingRequestForm(request.POST)
    if form.is_valid():
        try:
            building = services.request_building(actor=request.user, report=report, ip_address=client_ip(request),
                                                 **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("庁舎を管理する課に依頼しました。回答が届くとお知らせします。"))
            return redirect("support:building", building.pk)
    return render(request, "support/building_form.html", {**context, "form": form}, status=400)


@login_required
@require_GET
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = policies.get_building_for_user(request.user, pk)
    return _render_building(request, building)


def _render_building(request: HttpRequest, building: BuildingRequest, *, status: int = 200,
                     **bound: Form) -> HttpResponse:
    user = request.user
    services.record_view(actor=user, building=building, ip_address=client_ip(request))
    blank = {BuildingMove.ANSWER: forms.AnswerForm, BuildingMove.WITHDRAW: forms.WithdrawForm}
    moves = [MoveForm(name, bound.get(name) or blank[name](), *BUILDING_WORDS[name])
             for name in _shown(policies.building_moves_for(user, building), bound)]
    return render(request, "support/building_detail.html", {
        "building": building,
        "case_readable": policies.can_open_case(user, building.report),
        "moves": moves,
        "history": selectors.history(building=building),
    }, status=status)


BUILDING_STEPS: dict[str, Step] = {
    BuildingMove.ANSWER: Step(
        lambda r: forms.AnswerForm(r.POST),
        lambda b, user, ip, data: services.answer_building(request=b, actor=user, ip_address=ip, **data),
        _lazy("回答を送りました。依頼者にお知らせが届きます。"),
    ),
    BuildingMove.WITHDRAW: Step(
        lambda r: forms.WithdrawForm(r.POST),
        lambda b, user, ip, data: services.withdraw_building(request=b, actor=user, ip_address=ip, **data),
        _lazy("庁舎管理の依頼を取り下げました。"),
    ),
}


@login_required
@require_POST
def building_move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    building = policies.get_building_for_user(request.user, pk)
    return _move(request, building, name, steps=BUILDING_STEPS, allowed=policies.BUILDING_POLICIES,
                 page="support:building", render=_render_building)
