"""Thin views for 相談: ask the policy, build the form, make one service call, render."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import policies as report_policies
from organization.audit import client_ip

from . import forms, policies, retention, selectors, services
from .models import Consultation, State

if TYPE_CHECKING:
    from organization.models import User

PAGE_SIZE = 50


@login_required
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    """私の相談; the 相談窓口 sees every consultation here, filtered by state and searched."""
    user = request.user
    state = request.GET.get("state", "")
    search = request.GET.get("q", "")[:100]
    is_desk = policies.can_answer(user)
    counts = selectors.counts_by_state(user)
    consultations = selectors.queue_consultations(user, state=state, search=search) if is_desk \
        else selectors.my_consultations(user)
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    shared = None
    if not is_desk and (user.acts_as_section_chief or user.acts_as_director):
        shared = list(selectors.shared_with_me(user)[:PAGE_SIZE])
    return render(request, "consultations/consultation_list.html", {
        "page": page,
        "is_desk": is_desk,
        "state": state if state in State.values else "",
        "search": search,
        "states": [(value, label, counts[value]) for value, label in State.choices] if is_desk else [],
        "shared": shared,
    })


@login_required
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    if not policies.can_ask(request.user):
        raise Http404
    form = forms.ConsultationForm(request.POST or None, initial={"form_token": uuid.uuid4()})
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "consultations/consultation_form.html", {"form": form}, status=400)
        consultation = services.create_consultation(
            author=request.user, ip_address=client_ip(request), **form.cleaned_data
        )
        messages.success(request, _("相談を受け付けました。相談窓口から連絡します。"))
        return redirect("consultations:detail", consultation.pk)
    return render(request, "consultations/consultation_form.html", {"form": form})


@login_required
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = policies.get_consultation_for_user(request.user, pk)
    return _render_detail(request, consultation)


def _render_detail(request: HttpRequest, consultation: Consultation, *, status: int = 200, **bound) -> HttpResponse:
    """The consultation page (every showing is an audit event); ``bound`` replaces a blank form
    with the refused one, so what was typed stays beside its messages."""
    user = request.user
    services.record_view(consultation=consultation, actor=user, ip_address=client_ip(request))
    context = {
        "consultation": consultation,
        "follow_ups": selectors.follow_ups(consultation),
        "notes": selectors.notes(user, consultation),
        "history": selectors.history(user, consultation),
        "can_answer": policies.can_answer(user),
        "can_link": policies.can_link_report(user, consultation),
        "is_author": consultation.author_id == user.pk,
        "report_readable": bool(consultation.linked_report
                                and report_policies.can_view_report(user, consultation.linked_report)),
    }
    context["can_change"] = policies.can_change(user, consultation)
    if context["can_answer"]:  # the 相談窓口 is told what keeps the text past its 保存期間
        context["kept_by"] = retention.kept_by(consultation)
    if context["can_change"]:
        context |= {
            "answer_form": forms.AnswerForm(initial={"text": consultation.answer}),
            "assign_form": forms.AssignForm(initial={"handler": consultation.handler_id}),
            "follow_up_form": forms.FollowUpForm(initial={"done_on": timezone.localdate(), "done_by": str(user)}),
            "note_form": forms.NoteForm(),
            "close_form": forms.CloseForm(),
            "reopen_form": forms.ReopenForm(),
        }
        if policies.can_set_hold(user, consultation):
            context["hold_form"] = forms.HoldForm()
    if policies.can_lift_hold(user, consultation):
        context["release_form"] = forms.ReleaseForm()
    if context["can_link"] and consultation.linked_report is None:
        context["link_form"] = forms.LinkForm(reports=selectors.linkable_reports(consultation))
    context |= bound
    return render(request, "consultations/consultation_detail.html", context, status=status)


@dataclass(frozen=True)
class Action:
    """One change posted from the consultation page: its form, who may post it, the service call."""

    form_name: str
    form: Callable[[QueryDict, Consultation], Form]
    allowed: Callable[[User, Consultation], bool]
    perform: Callable[[Consultation, User, str | None, dict], object]
    done: str


def _desk(user: User, consultation: Consultation) -> bool:
    return policies.can_answer(user)


def _plain(form_class: type[Form]) -> Callable[[QueryDict, Consultation], Form]:
    return lambda data, consultation: form_class(data)


ACTIONS: dict[str, Action] = {
    "answer": Action(
        "answer_form", _plain(forms.AnswerForm), _desk,
        lambda c, user, ip, data: services.answer(consultation=c, actor=user, text=data["text"], ip_address=ip),
        _lazy("回答を記録しました。相談者に表示されます。"),
    ),
    "assign": Action(
        "assign_form", _plain(forms.AssignForm), _desk,
        lambda c, user, ip, data: services.assign_handler(
            consultation=c, actor=user, handler=data["handler"], ip_address=ip),
        _lazy("担当者を指定しました。"),
    ),
    "follow-up": Action(
        "follow_up_form", _plain(forms.FollowUpForm), _desk,
        lambda c, user, ip, data: services.add_follow_up(consultation=c, actor=user, ip_address=ip, **data),
        _lazy("対応の記録を追加しました。"),
    ),
    "note": Action(
        "note_form", _plain(forms.NoteForm), _desk,
        lambda c, user, ip, data: services.add_note(consultation=c, actor=user, body=data["body"], ip_address=ip),
        _lazy("内部メモを追加しました。"),
    ),
    "close": Action(
        "close_form", _plain(forms.CloseForm), _desk,
        lambda c, user, ip, data: services.close(consultation=c, actor=user, outcome=data["outcome"], ip_address=ip),
        _lazy("相談を完了にしました。"),
    ),
    "reopen": Action(
        "reopen_form", _plain(forms.ReopenForm), _desk,
        lambda c, user, ip, data: services.reopen(consultation=c, actor=user, reason=data["reason"], ip_address=ip),
        _lazy("相談を再開しました。"),
    ),
    # 保存期間 (consultations/retention.py): 訴訟・警察対応中 keeps this consultation's text.
    "hold": Action(
        "hold_form", _plain(forms.HoldForm), policies.can_hold,
        lambda c, user, ip, data: services.set_hold(consultation=c, actor=user, hold=True, reason=data["reason"],
                                                    ip_address=ip),
        _lazy("訴訟・警察対応中として、保存期間による削除を保留しました。"),
    ),
    "release": Action(
        "release_form", _plain(forms.ReleaseForm), policies.can_hold,
        lambda c, user, ip, data: services.set_hold(consultation=c, actor=user, hold=False, reason=data["reason"],
                                                    ip_address=ip),
        _lazy("削除の保留を解除しました。"),
    ),
    "link": Action(
        "link_form", lambda data, c: forms.LinkForm(data, reports=selectors.linkable_reports(c)),
        policies.can_link_report,
        lambda c, user, ip, data: services.link_report(consultation=c, actor=user, report=data["report"],
                                                       ip_address=ip),
        _lazy("発生連絡票と関連付けました。"),
    ),
}


@login_required
@require_POST
def consultation_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    consultation = policies.get_consultation_for_user(request.user, pk)
    action = ACTIONS.get(name)
    if action is None:
        raise Http404
    if not action.allowed(request.user, consultation):
        raise Http404
    form = action.form(request.POST, consultation)
    if form.is_valid():
        try:
            action.perform(consultation, request.user, client_ip(request), form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        if not policies.can_change(request.user, consultation):  # its form is not on the page any more
            messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
        return _render_detail(request, consultation, status=400, **{action.form_name: form})
    messages.success(request, action.done)
    return redirect("consultations:detail", consultation.pk)


@login_required
@require_POST
def make_report(request: HttpRequest, pk: int) -> HttpResponse:
    """発生連絡票にする: a draft owned by the author; the author goes on to fill it in."""
    consultation = policies.get_consultation_for_user(request.user, pk)
    if not policies.can_link_report(request.user, consultation):
        raise Http404
    try:
        report = services.make_report_draft(consultation=consultation, actor=request.user,
                                            ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("consultations:detail", consultation.pk)
    if report.reporter_id == request.user.pk:
        messages.success(request, _("相談の内容から発生連絡票の下書きを作りました。内容を確かめて提出してください。"))
        return redirect("incidents:edit", report.pk)
    messages.success(request, _("相談者の発生連絡票の下書き（No.%(id)s）を作りました。相談者本人が内容を確かめて提出します。")
                     % {"id": report.pk})
    return redirect("consultations:detail", consultation.pk)
