"""Thin views of the care pages: ask the policy, build the form, make one service call, render.
Every showing of a check-in or a referral is an audit event (``CareEvent``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents.models import IncidentReport
from organization.audit import client_ip

from . import forms, policies, selectors, services
from .models import CheckIn, Referral

PAGE_SIZE = 50


# -- check-ins (相談窓口) --------------------------------------------------------------------------------

@login_required
@require_GET
def checkin_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_checkins(request.user):
        raise Http404
    return render(request, "care/checkin_list.html", {"lists": selectors.checkin_lists(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_detail(request: HttpRequest, checkin: int) -> HttpResponse:
    found = policies.get_checkin_for_user(request.user, checkin)
    if request.method == "GET":
        return _checkin_page(request, found, forms.CheckinForm())
    form = forms.CheckinForm(request.POST)
    if not form.is_valid():
        return _checkin_page(request, found, form, status=400)
    try:
        services.record_checkin(checkin=found, actor=request.user, ip_address=client_ip(request), **form.cleaned_data)
    except ValidationError as error:  # recorded by someone else meanwhile: what was typed stays
        form.add_error(None, error)
        found.refresh_from_db()
        return _checkin_page(request, found, form, status=409)
    messages.success(request, _("フォローの結果を記録しました。"))
    return redirect("care:checkin", found.pk)


def _checkin_page(request: HttpRequest, checkin: CheckIn, form, *, status: int = 200) -> HttpResponse:
    services.record_checkin_view(checkin=checkin, actor=request.user, ip_address=client_ip(request))
    return render(request, "care/checkin_detail.html", {
        "checkin": checkin,
        "report": checkin.report,
        "schedule": selectors.checkins_of(checkin.report_id),
        "referral": selectors.referral_of(checkin.report_id),
        "history": selectors.checkin_history(checkin),
        "form": form,
    }, status=status)


# -- referrals -------------------------------------------------------------------------------------------

@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.visible_referrals(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/referral_list.html", {
        "page": page,
        "is_desk": policies.is_desk(user),
        "is_health_office": policies.is_health_office(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, report: int) -> HttpResponse:
    """保健室への紹介を提案する (相談窓口): the staff member is asked for consent on their own page."""
    found = IncidentReport.objects.select_related("reporter", "section").filter(pk=report).first()
    if found is None or not policies.can_propose(request.user, found):
        raise Http404
    existing = selectors.referral_of(found.pk)
    if existing is not None:
        messages.info(request, _("この連絡票の保健室への紹介はすでに提案されています。"))
        return redirect("care:referral", existing.pk)
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.propose_referral(report=found, actor=request.user, ip_address=client_ip(request),
                                                 **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("保健室への紹介を提案しました。本人が同意したときだけ、保健室に届きます。"))
            return redirect("care:referral", referral.pk)
    status = 200 if request.method == "GET" else (409 if form.non_field_errors() else 400)
    return render(request, "care/propose.html", {"report": found, "form": form}, status=status)


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral: int) -> HttpResponse:
    found = policies.get_referral_for_user(request.user, referral)
    return _referral_page(request, found)


def _referral_page(request: HttpRequest, referral: Referral, *, status: int = 200) -> HttpResponse:
    user = request.user
    services.record_referral_view(referral=referral, actor=user, ip_address=client_ip(request))
    is_person = policies.is_person(user, referral)
    details = policies.can_read_details(user, referral)
    parts = policies.can_read_shared_parts(user, referral)
    return render(request, "care/referral_detail.html", {
        "referral": referral,
        "is_person": is_person,
        "is_desk": policies.is_desk(user),
        "details": details,
        # The 所属長 (and only they) see no more than that it exists.
        "existence_only": not (details or parts),
        "report": selectors.shared_report(user, referral),
        "history": selectors.history(user, referral),
        "can_receive": policies.can_receive(user, referral),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, referral: int) -> HttpResponse:
    """The staff member's own page: what the 保健室 would read, part by part, and their choice."""
    found = policies.get_referral_for_user(request.user, referral)
    if not policies.can_consent(request.user, found):
        raise Http404
    if request.method == "POST":
        form = forms.ConsentForm(request.POST)
        if form.is_valid():
            services.consent(referral=found, actor=request.user, share=form.share(), ip_address=client_ip(request),
                             share_with_chief=form.cleaned_data["share_with_chief"],
                             contact=form.cleaned_data["contact"])
            messages.success(request, _("保健室への紹介に同意しました。選んだ内容だけが保健室に伝わります。"))
            return redirect("care:referral", found.pk)
        status = 400
    else:
        initial = {name: getattr(found, name) for name in services.SHARE_FIELDS}
        form = forms.ConsentForm(initial={**initial, "share_with_chief": found.share_with_chief,
                                          "contact": found.contact})
        status = 200
    services.record_referral_view(referral=found, actor=request.user, ip_address=client_ip(request))
    return render(request, "care/consent.html", {
        "referral": found, "form": form, "report": selectors.shared_report(request.user, found),
    }, status=status)


def _person_move(request: HttpRequest, referral: int, perform, done: str) -> HttpResponse:
    found = policies.get_referral_for_user(request.user, referral)
    if not policies.can_consent(request.user, found):
        raise Http404
    try:
        perform(referral=found, actor=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("care:referral", found.pk)


@login_required
@require_POST
def decline(request: HttpRequest, referral: int) -> HttpResponse:
    return _person_move(request, referral, services.decline,
                        _("紹介を希望しないことを記録しました。保健室には何も伝わりません。"))


@login_required
@require_POST
def withdraw(request: HttpRequest, referral: int) -> HttpResponse:
    return _person_move(request, referral, services.withdraw,
                        _("同意を取り消しました。保健室と所属長は、この紹介を読めなくなりました。"))


@login_required
@require_POST
def receive(request: HttpRequest, referral: int) -> HttpResponse:
    found = policies.get_referral_for_user(request.user, referral)
    if not policies.is_health_office(request.user):
        raise Http404
    try:
        services.receive(referral=found, actor=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("紹介を受け付けました。本人と相談窓口に表示されます。"))
    return redirect("care:referral", found.pk)
