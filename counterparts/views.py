"""Thin views of the counterpart register: ask the policy, read the form, one service call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from committee import policies as committee_policies
from organization.audit import client_ip

from . import policies, selectors, services
from .forms import CounterpartForm, EndMeasureForm, LinkForm, MeasureForm, ReasonForm, SearchForm
from .models import CounterpartLink

PAGE_SIZE = 20


def _posted(request: HttpRequest):
    """The posted data on POST (even when empty, so the form shows what is missing), else None."""
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def counterpart_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_see_counterparts(request.user):
        raise Http404
    search = SearchForm(request.GET)
    query = search.query()
    page = Paginator(selectors.search(request.user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_counts(page.object_list)
    return render(request, "counterparts/counterpart_list.html", {"page": page, "search": search, "query": query})


@login_required
@require_GET
def counterpart_detail(request: HttpRequest, pk: int) -> HttpResponse:
    counterpart = policies.get_counterpart_for_user(request.user, pk)
    services.record_view(counterpart=counterpart, actor=request.user, ip_address=client_ip(request))
    page = selectors.counterpart_page(counterpart)
    return render(
        request,
        "counterparts/counterpart_detail.html",
        {
            "counterpart": page,
            "readable": selectors.readable_report_ids(request.user, page),
            "can_manage": policies.can_manage_counterparts(request.user),
            "can_open_letters": committee_policies.can_handle_letters(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, report_id: int) -> HttpResponse:
    """From a report: pick the counterpart it is about (suggestions, search) or register a new one."""
    report = policies.get_report_for_linking(request.user, report_id)
    form = LinkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        counterpart = form.cleaned_data["counterpart"]
        services.link_report(actor=request.user, counterpart=counterpart, report=report, ip_address=client_ip(request))
        messages.success(request, _("連絡票 No.%(pk)s を「%(name)s」に紐付けました。") % {"pk": report.pk, "name": counterpart})
        return redirect("counterparts:detail", counterpart.pk)
    search = SearchForm(request.GET)
    query = search.query()
    return render(
        request,
        "counterparts/link.html",
        {
            "report": report,
            "form": form,
            "search": search,
            "query": query,
            "linked": selectors.linked_to_report(report),
            "suggestions": selectors.suggestions(report),
            "results": (
                selectors.with_counts(selectors.search(request.user, query).exclude(links__report=report)[:PAGE_SIZE])
                if query else None
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_from_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """「この報告の情報から新しく登録」: the form starts with the report's 相手方 fields."""
    report = policies.get_report_for_linking(request.user, report_id)
    form = CounterpartForm(_posted(request), initial=CounterpartForm.initial_from_report(report))
    if request.method == "POST" and form.is_valid():
        counterpart = services.create_from_report(
            actor=request.user, report=report, data=form.cleaned_data, ip_address=client_ip(request)
        )
        messages.success(request, _("相手方を登録し、連絡票 No.%(pk)s を紐付けました。") % {"pk": report.pk})
        return redirect("counterparts:detail", counterpart.pk)
    return render(
        request, "counterparts/counterpart_form.html", {"form": form, "report": report, "counterpart": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    counterpart = policies.get_counterpart_for_user(request.user, pk, for_manage=True)
    form = CounterpartForm(_posted(request), instance=counterpart)
    if request.method == "POST" and form.is_valid():
        services.update_counterpart(
            actor=request.user, counterpart=counterpart, data=form.cleaned_data, ip_address=client_ip(request)
        )
        messages.success(request, _("相手方の情報を保存しました。"))
        return redirect("counterparts:detail", counterpart.pk)
    return render(
        request, "counterparts/counterpart_form.html", {"form": form, "report": None, "counterpart": counterpart},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unlink(request: HttpRequest, pk: int, report_id: int) -> HttpResponse:
    counterpart = policies.get_counterpart_for_user(request.user, pk, for_manage=True)
    link_row = CounterpartLink.objects.select_related("report").filter(counterpart=counterpart, report_id=report_id).first()
    if link_row is None:
        raise Http404
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.unlink_report(
            actor=request.user, counterpart=counterpart, report=link_row.report,
            reason=form.cleaned_data["reason"], ip_address=client_ip(request),
        )
        messages.success(request, _("連絡票 No.%(pk)s の紐付けを解除しました。") % {"pk": report_id})
        return redirect("counterparts:detail", counterpart.pk)
    return render(
        request, "counterparts/unlink.html", {"form": form, "counterpart": counterpart, "report": link_row.report},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_measure(request: HttpRequest, pk: int) -> HttpResponse:
    counterpart = policies.get_counterpart_for_user(request.user, pk, for_manage=True)
    form = MeasureForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        measure = services.add_measure(
            actor=request.user, counterpart=counterpart, data=form.cleaned_data, ip_address=client_ip(request)
        )
        messages.success(request, _("措置「%(kind)s」を記録しました。") % {"kind": measure.get_kind_display()})
        return redirect("counterparts:detail", counterpart.pk)
    return render(
        request, "counterparts/measure_form.html", {"form": form, "counterpart": counterpart},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_measure(request: HttpRequest, pk: int, measure_id: int) -> HttpResponse:
    counterpart = policies.get_counterpart_for_user(request.user, pk, for_manage=True)
    measure = policies.get_measure_for_manager(request.user, counterpart, measure_id)
    if measure.ended_on is not None:
        messages.info(request, _("この措置はすでに終了しています。"))
        return redirect("counterparts:detail", counterpart.pk)
    form = EndMeasureForm(_posted(request), measure=measure)
    if request.method == "POST" and form.is_valid():
        services.end_measure(
            actor=request.user, measure=measure, ended_on=form.cleaned_data["ended_on"],
            reason=form.cleaned_data["reason"], ip_address=client_ip(request),
        )
        messages.success(request, _("措置「%(kind)s」の終了を記録しました。") % {"kind": measure.get_kind_display()})
        return redirect("counterparts:detail", counterpart.pk)
    return render(
        request, "counterparts/measure_end.html", {"form": form, "counterpart": counterpart, "measure": measure},
        status=400 if request.method == "POST" else 200,
    )

