"""Thin views of the call for help: ask the policy, read the form, make one service call, render.

The banner's script posts with ``Accept: application/json`` and gets JSON back (the page it is on
stays as it was, with whatever was typed there); without the script the same addresses answer with
pages. ``/help/active/`` is what every open page asks every ``KASUHARA_HELP_POLL_SECONDS``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organization.audit import client_ip

from . import policies, selectors, services
from .forms import HelpCallForm


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _form_page(request: HttpRequest, form: HelpCallForm, *, status: int = 200, refusal: str = "") -> HttpResponse:
    return render(request, "helpcalls/new.html", {"form": form, "refusal": refusal}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request: HttpRequest) -> HttpResponse:
    """「応援を呼ぶ」: the form (GET), and the call (POST, from this page or from any call button)."""
    user = request.user
    if not policies.can_call(user):
        raise Http404
    if request.method == "GET":
        initial = {"place": services.default_place(user), "type": request.GET.get("type", "")[:40] or None}
        return _form_page(request, HelpCallForm(initial=initial))
    form = HelpCallForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return JsonResponse({"error": " ".join(errors)}, status=400)
        return _form_page(request, form, status=400)
    try:
        call = services.call_for_help(caller=user, place=form.cleaned_data["place"],
                                      harassment_type=form.cleaned_data["type"], ip_address=client_ip(request))
    except services.RateLimited as refused:
        if _wants_json(request):
            response = JsonResponse({"error": refused.message}, status=429)
        else:
            response = _form_page(request, form, status=429, refusal=refused.message)
        response["Retry-After"] = str(refused.retry_after)
        return response
    message = _("応援を要請しました（%(place)s）。同じ課の職員と所属長に、至急のお知らせとメールで届きます。") % {
        "place": call.place}
    if _wants_json(request):
        return JsonResponse({"message": message, "call": call.pk,
                             "url": reverse("helpcalls:detail", args=[call.pk])}, status=201)
    messages.success(request, message)
    return redirect("helpcalls:detail", call.pk)


@login_required
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = policies.get_call_for_user(request.user, pk)
    services.record_view(call=call, actor=request.user, ip_address=client_ip(request))
    events, views = selectors.history(call)
    answers = list(selectors.answers(call))
    return render(request, "helpcalls/detail.html", {
        "call": call,
        "answers": answers,
        "answered": any(a.responder_id == request.user.pk for a in answers),
        "is_open": call.is_open(),
        "can_answer": policies.can_answer(request.user, call),
        "can_resolve": policies.can_resolve(request.user, call),
        "events": events,
        "views": views,
        "minutes": settings.KASUHARA_HELP_CALL_MINUTES,
    })


def _after(request: HttpRequest, pk: int, message: str, *, status: int = 200) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message" if status < 400 else "error": message}, status=status)
    if status < 400:
        messages.success(request, message)
    else:
        messages.error(request, message)
    return redirect("helpcalls:detail", pk)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """「向かいます」."""
    call = policies.get_call_for_user(request.user, pk)
    if not policies.can_answer(request.user, call):
        return _after(request, pk, _("自分の応援要請には応答できません。"), status=403)
    try:
        _reply, created = services.answer(call=call, responder=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        return _after(request, pk, " ".join(error.messages), status=409)
    return _after(request, pk, _("「向かいます」と応答しました。%(caller)s さんに伝わります。") % {"caller": call.caller}
                  if created else _("すでに「向かいます」と応答しています。"))


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """解決: the call leaves every banner."""
    call = policies.get_call_for_user(request.user, pk)
    if not policies.can_resolve(request.user, call):
        return _after(request, pk, _("応援要請を解決にできるのは、要請した職員と課の所属長です。"), status=403)
    _call, changed = services.resolve(call=call, actor=request.user, ip_address=client_ip(request))
    return _after(request, pk, _("応援要請を解決にしました。お知らせの表示が消えます。") if changed
                  else _("この応援要請はすでに解決になっています。"))


@login_required
@require_GET
@never_cache
def active(request: HttpRequest) -> JsonResponse:
    """The open calls of the banner, each as its HTML (the script replaces a banner only when its
    HTML changed, so a screen reader hears a call once and again only when someone answers)."""
    incoming, mine = selectors.banner_calls(request.user)
    calls = []
    for call, is_mine in [*((c, False) for c in incoming), *((c, True) for c in mine)]:
        answers = list(call.answers.all())
        html = render_to_string("helpcalls/_banner_call.html", {
            "call": call, "mine": is_mine, "answers": answers,
            "answered": any(a.responder_id == request.user.pk for a in answers),
        })
        calls.append({"id": call.pk, "mine": is_mine, "html": html})
    return JsonResponse({"calls": calls, "poll": settings.KASUHARA_HELP_POLL_SECONDS})
