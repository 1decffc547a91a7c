"""Pages of the letters a decision calls for (相談窓口 only) and of the minutes (those who see the
meeting; the chair approves). Thin: ask the policy, read the form, one service call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from counterparts.models import Counterpart
from organization.audit import client_ip

from . import letters, minutes, policies
from .models import Decision, Letter, LetterTemplate

# -- forms -------------------------------------------------------------------------------------------

class DraftForm(forms.Form):
    template = forms.ModelChoiceField(label=gettext_lazy("作成する文書"), queryset=LetterTemplate.objects.none(),
                                      empty_label=None)
    counterpart = forms.ModelChoiceField(
        label=gettext_lazy("宛先（相手方）"), queryset=Counterpart.objects.none(), required=False,
        empty_label=gettext_lazy("登録された相手方を使わない（連絡票の記載から作成）"),
        help_text=gettext_lazy("事案に紐付けた相手方の氏名と住所で宛先を作ります。"),
    )

    def __init__(self, *args, decision: Decision, **kwargs):
        super().__init__(*args, **kwargs)
        templates = letters.templates_for(decision)
        self.fields["template"].queryset = LetterTemplate.objects.filter(pk__in=[t.pk for t in templates])
        counterparts = letters.counterparts_for(decision)
        self.fields["counterpart"].queryset = Counterpart.objects.filter(pk__in=[c.pk for c in counterparts])
        if len(counterparts) == 1:
            self.fields["counterpart"].initial = counterparts[0].pk
        self.has_templates = bool(templates)


class LetterForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("表題"), max_length=100)
    addressee = forms.CharField(label=gettext_lazy("宛名（住所・氏名）"), max_length=200, required=False)
    body = forms.CharField(label=gettext_lazy("本文"), widget=forms.Textarea(attrs={"rows": 24}))
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class IssueForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class ApproveForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


def _status(error: Exception) -> int:
    return 409 if getattr(error, "conflict", False) else 400


# -- letters -----------------------------------------------------------------------------------------

def _decision_for_desk(request: HttpRequest, pk: int) -> Decision:
    if not policies.can_handle_letters(request.user):
        raise Http404
    return policies.get_decision_for_user(request.user, pk)


def _decision_page(request, decision: Decision, form: DraftForm, *, error: str = "", status: int = 200):
    return render(request, "committee/letter_list.html", {
        "decision": decision,
        "form": form,
        "error": error,
        "final": decision.final,
        "superseded": letters.superseded(decision),
        "measures": decision.measures.select_related("type", "owner", "owner_section").order_by("type__position", "id"),
        "letters": letters.letters_for_decision(decision),
    }, status=status)


@login_required
@require_GET
def decision_letters(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for_desk(request, pk)
    return _decision_page(request, decision, DraftForm(decision=decision))


@login_required
@require_POST
def letter_draft(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for_desk(request, pk)
    form = DraftForm(request.POST, decision=decision)
    if not form.is_valid():
        return _decision_page(request, decision, form, status=400)
    try:
        letter, missing = letters.draft_letter(
            decision=decision, template=form.cleaned_data["template"], counterpart=form.cleaned_data["counterpart"],
            actor=request.user, ip_address=client_ip(request),
        )
    except letters.LetterError as error:
        return _decision_page(request, decision, form, error=str(error), status=_status(error))
    messages.success(request, _("「%(title)s」の下書きを作成しました。内容を確認し、必要なら修正してから発出してください。")
                     % {"title": letter.title})
    return redirect("committee:letter", letter.pk)


def _letter_page(request, letter: Letter, form: LetterForm | None = None, *, error: str = "", status: int = 200):
    if form is None and not letter.issued:
        form = LetterForm(initial={"title": letter.title, "addressee": letter.addressee, "body": letter.body,
                                   "seen": letters.digest(letter)})
    return render(request, "committee/letter_detail.html", {
        "letter": letter,
        "form": form,
        "issue_form": IssueForm(initial={"seen": letters.digest(letter)}),
        "unfilled": list(dict.fromkeys(letters.unfilled(letter))) if not letter.issued else [],
        "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter: the draft's edit form, or the issued text (read only)."""
    letter = letters.get_letter_for_user(request.user, pk)
    if request.method == "GET":
        return _letter_page(request, letter)
    form = LetterForm(request.POST)
    if not form.is_valid():
        return _letter_page(request, letter, form, status=409 if letter.issued else 400,
                            error=_("この文書は発出済みのため、変更できません。") if letter.issued else "")
    data = form.cleaned_data
    try:
        letters.edit_letter(letter=letter, actor=request.user, title=data["title"], addressee=data["addressee"],
                            body=data["body"], seen=data["seen"] or None, ip_address=client_ip(request))
    except letters.LetterError as error:
        letter.refresh_from_db()
        return _letter_page(request, letter, None if letter.issued else form, error=str(error), status=_status(error))
    messages.success(request, _("文書を保存しました。"))
    return redirect("committee:letter", letter.pk)


@login_required
@require_POST
def letter_issue(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letters.get_letter_for_user(request.user, pk)
    form = IssueForm(request.POST)
    form.is_valid()
    try:
        letters.issue_letter(letter=letter, actor=request.user, seen=form.cleaned_data.get("seen") or None,
                             ip_address=client_ip(request))
    except letters.LetterError as error:
        letter.refresh_from_db()
        return _letter_page(request, letter, error=str(error), status=_status(error))
    messages.success(request, _("文書を発出しました。発出した文書は変更できません。"))
    return redirect("committee:letter", letter.pk)


@login_required
@require_GET
def letter_print(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letters.get_letter_for_user(request.user, pk)
    return render(request, "committee/letter_print.html", {"letter": letter})


# -- minutes -----------------------------------------------------------------------------------------

def _minutes_page(request, meeting, *, template="committee/minutes.html", error: str = "", status: int = 200):
    text = minutes.text_of(meeting)
    can_approve = policies.can_approve_minutes(request.user, meeting)
    return render(request, template, {
        "meeting": meeting,
        "minutes_html": minutes.as_html(text),
        "problems": [] if meeting.locked else minutes.problems(meeting),
        "can_approve": can_approve,
        "approve_form": ApproveForm(initial={"seen": minutes.digest(text)}) if can_approve else None,
        "error": error,
    }, status=status)


@login_required
@require_GET
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    return _minutes_page(request, meeting)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        minutes.approve_minutes(meeting=meeting, actor=request.user, seen=form.cleaned_data.get("seen") or None,
                                ip_address=client_ip(request))
    except minutes.MinutesError as error:
        meeting.refresh_from_db()
        return _minutes_page(request, meeting, error=str(error), status=409 if error.conflict else 403)
    messages.success(request, _("議事録を承認しました。この会議の記録は変更できなくなりました。"))
    return redirect("committee:minutes", meeting.pk)


@login_required
@require_GET
def minutes_print(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    return _minutes_page(request, meeting, template="committee/minutes_print.html")
