"""The committee's pages: meetings, agenda, attendance, votes, decisions, measures.

Thin: ask the policy (404 for anyone who may not see the record), build the form, make one service
call, render. A refused change comes back to the page with the service's Japanese message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incidents import policies as report_policies
from organization.audit import client_ip

from . import forms, policies, selectors, services
from .models import AgendaState, Invitation


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _to_meeting(meeting_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("committee:meeting", meeting_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policies.can_use_committee(user):
        raise Http404
    return render(request, "committee/meeting_list.html", {
        "meetings": selectors.meetings_for(user),
        "measures": selectors.open_measures_for_committee(user),
        "can_manage": policies.can_manage_meetings(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_meetings(request.user):
        raise Http404
    form = forms.MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        meeting = services.create_meeting(actor=request.user, ip_address=client_ip(request), **form.cleaned_data)
        messages.success(request, _("会議を作成しました。委員を招集し、議題を加えてください。"))
        return redirect("committee:meeting", meeting.pk)
    return render(request, "committee/meeting_form.html", {"form": form, "meeting": None},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    if not policies.can_manage_agenda(request.user, meeting):
        raise Http404
    form = forms.MeetingForm(request.POST if request.method == "POST" else None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(actor=request.user, meeting=meeting, data=form.cleaned_data,
                                    ip_address=client_ip(request))
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("会議の内容を保存しました。"))
        return redirect("committee:meeting", pk)
    return render(request, "committee/meeting_form.html", {"form": form, "meeting": meeting},
                  status=400 if request.method == "POST" else 200)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, policies.get_meeting_for_user(request.user, pk))


def _render_meeting(request: HttpRequest, meeting, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The meeting page. ``bound``: {item id: {form name: a refused form}}, shown as typed (400)."""
    user = request.user
    bound = bound or {}
    detail = selectors.meeting_detail(meeting, viewer=user)
    can_record = policies.can_record(user, meeting)
    can_manage = policies.can_manage_agenda(user, meeting)
    items = []
    for view in detail.items:
        pending = view.item.state == AgendaState.PENDING
        # Each item's forms get their own ids: with the default ``id_%s`` the second item's labels
        # would point at the first item's fields (``id_vote-<user>``, ``id_notes``, ``id_casting_vote``).
        ids = f"id_item{view.item.pk}_%s"
        refused = bound.get(view.item.pk, {})
        items.append({
            "view": view,
            "votes_form": refused.get("votes_form") or (
                forms.VotesForm(voters=view.voters, votes=view.votes, auto_id=ids) if can_record and pending else None),
            "notes_form": refused.get("notes_form") or (
                forms.NotesForm(initial={"notes": view.item.notes}, auto_id=ids) if can_record and pending else None),
            "defer_form": forms.DeferForm(meeting=meeting, auto_id=f"id_item{view.item.pk}_defer_%s")
            if can_manage and pending else None,
            "finalise_form": forms.FinaliseForm(auto_id=ids)
            if view.draft and policies.can_finalise(user, meeting) else None,
        })
    return render(request, "committee/meeting_detail.html", {
        "meeting": meeting,
        "detail": detail,
        "items": items,
        "can_record": can_record,
        "can_manage": can_manage,
        "can_finalise": policies.can_finalise(user, meeting),
        "invite_form": forms.InviteForm() if can_manage else None,
        "attendance_form": forms.AttendanceForm(invitations=detail.invitations) if can_record else None,
        "add_item_form": forms.AddItemForm() if can_manage else None,
    }, status=status)


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    if not policies.can_manage_meetings(request.user):
        raise Http404
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError([m for errors in form.errors.values() for m in errors]))
        return _to_meeting(pk, "members")
    try:
        invitation = services.invite(actor=request.user, meeting=meeting, ip_address=client_ip(request),
                                     **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(user)s を%(role)sとして招集しました。")
                         % {"user": invitation.user, "role": invitation.get_role_display()})
    return _to_meeting(pk, "members")


@login_required
@require_POST
def uninvite(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    if not policies.can_manage_meetings(request.user):
        raise Http404
    invitation = Invitation.objects.filter(pk=invitation_id, meeting=meeting).select_related("user", "meeting").first()
    if invitation is None:
        raise Http404
    try:
        services.uninvite(actor=request.user, invitation=invitation, ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(user)s の招集を取り消しました。") % {"user": invitation.user})
    return _to_meeting(pk, "members")


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    if not policies.can_record(request.user, meeting) and not meeting.locked:
        raise Http404
    form = forms.AttendanceForm(request.POST, invitations=list(meeting.invitations.select_related("user")))
    if not form.is_valid():
        messages.error(request, _("出欠は「出席」「欠席」「未記録」から選んでください。"))
        return _to_meeting(pk, "members")
    try:
        services.record_attendance(actor=request.user, meeting=meeting, attended=form.attended(),
                                   ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("出欠を記録しました。"))
    return _to_meeting(pk, "members")


@login_required
@require_POST
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = policies.get_meeting_for_user(request.user, pk)
    if not policies.can_manage_meetings(request.user):
        raise Http404
    form = forms.AddItemForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError([m for errors in form.errors.values() for m in errors]))
        return _to_meeting(pk, "agenda")
    try:
        services.add_item(actor=request.user, meeting=meeting, report=form.cleaned_data["report"],
                          ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("議題に加えました。"))
    return _to_meeting(pk, "agenda")


def _item_action(request: HttpRequest, item_id: int, allowed) -> tuple:
    item = policies.get_item_for_user(request.user, item_id)
    if not allowed(request.user, item.meeting) and not item.meeting.locked:
        raise Http404
    return item, item.meeting


@login_required
@require_POST
def move_item(request: HttpRequest, item_id: int, direction: str) -> HttpResponse:
    item, meeting = _item_action(request, item_id, lambda u, m: policies.can_manage_meetings(u))
    if direction not in ("up", "down"):
        raise Http404
    try:
        services.move_item(actor=request.user, item=item, up=direction == "up", ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    return _to_meeting(meeting.pk, "agenda")


@login_required
@require_POST
def defer_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item, meeting = _item_action(request, item_id, lambda u, m: policies.can_manage_meetings(u))
    form = forms.DeferForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, _("継続先の会議を選んでください（この会議より後の、議事録が承認されていない会議）。"))
        return _to_meeting(meeting.pk, f"item-{item.pk}")
    try:
        services.defer_item(actor=request.user, item=item, to_meeting=form.cleaned_data["to_meeting"],
                            notes=form.cleaned_data["notes"], ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("「%(meeting)s」に継続審議としました。") % {"meeting": form.cleaned_data["to_meeting"]})
    return _to_meeting(meeting.pk, f"item-{item.pk}")


@login_required
@require_POST
def save_notes(request: HttpRequest, item_id: int) -> HttpResponse:
    item, meeting = _item_action(request, item_id, policies.can_record)
    form = forms.NotesForm(request.POST, auto_id=f"id_item{item.pk}_%s")
    if form.is_valid():
        try:
            services.save_notes(actor=request.user, item=item, notes=form.cleaned_data["notes"],
                                ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("審議の記録を保存しました。"))
            return _to_meeting(meeting.pk, f"item-{item.pk}")
    # Refused: the page again, with the notes as typed and the reason beside them.
    return _render_meeting(request, meeting, bound={item.pk: {"notes_form": form}}, status=400)


@login_required
@require_POST
def record_votes(request: HttpRequest, item_id: int) -> HttpResponse:
    item, meeting = _item_action(request, item_id, policies.can_record)
    form = forms.VotesForm(request.POST, voters=services.voters(meeting, item.report), votes={},
                           auto_id=f"id_item{item.pk}_%s")
    if form.is_valid():
        try:
            services.record_votes(actor=request.user, item=item, votes=form.votes(), ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("表決を記録しました。"))
            return _to_meeting(meeting.pk, f"item-{item.pk}")
    # Refused: the page again, with the votes as chosen and the reason beside them.
    return _render_meeting(request, meeting, bound={item.pk: {"votes_form": form}}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def decision_draft(request: HttpRequest, item_id: int) -> HttpResponse:
    item = policies.get_item_for_user(request.user, item_id)
    meeting = item.meeting
    if not policies.can_record(request.user, meeting) or item.state != AgendaState.PENDING:
        raise Http404
    draft = item.decisions.filter(finalised_at__isnull=True).first()
    posted = request.POST if request.method == "POST" else None
    initial = {"judged": draft.judged, "policy": draft.policy, "by_consensus": draft.by_consensus} if draft else None
    form = forms.DecisionForm(posted, initial=initial)
    formset = forms.measure_formset(posted, decision=draft)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.save_draft(actor=request.user, item=item, measures=formset.measures(),
                                ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("決定案を保存しました。内容を確かめて「確定する」を押してください。"))
            return _to_meeting(meeting.pk, f"item-{item.pk}")
    return render(request, "committee/decision_form.html", {
        "form": form, "formset": formset, "item": item, "meeting": meeting, "correcting": None,
        "can_open": _can_open(request.user, item.report),
    }, status=400 if request.method == "POST" else 200)


def _can_open(user, report) -> bool:
    return report_policies.can_view_report(user, report)


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    decision = policies.get_decision_for_user(request.user, pk)
    meeting = decision.item.meeting
    if not policies.can_finalise(request.user, meeting) and not meeting.locked:
        raise Http404
    form = forms.FinaliseForm(request.POST)
    casting = form.cleaned_data["casting_vote"] if form.is_valid() else ""
    try:
        services.finalise_decision(actor=request.user, decision=decision, casting_vote=casting or None,
                                   ip_address=client_ip(request))
    except ValidationError as error:
        _refused(request, error)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("決定を確定しました。事案は「対応方針決定」になりました。"))
    return _to_meeting(meeting.pk, f"item-{decision.item_id}")


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    decision = policies.get_decision_for_user(request.user, pk)
    meeting = decision.item.meeting
    if not decision.final or not policies.can_finalise(request.user, meeting):
        raise Http404
    posted = request.POST if request.method == "POST" else None
    form = forms.CorrectionForm(posted, initial={"judged": decision.judged, "policy": decision.policy,
                                                 "by_consensus": decision.by_consensus})
    formset = forms.measure_formset(posted, decision=decision)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            services.correct_decision(
                actor=request.user, decision=decision, reason=data["reason"], judged=data["judged"],
                policy=data["policy"], by_consensus=data["by_consensus"], measures=formset.measures(),
                casting_vote=data["casting_vote"] or None, ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("決定を訂正しました。訂正前の決定も記録に残っています。"))
            return _to_meeting(meeting.pk, f"item-{decision.item_id}")
    return render(request, "committee/decision_form.html", {
        "form": form, "formset": formset, "item": decision.item, "meeting": meeting, "correcting": decision,
        "can_open": _can_open(request.user, decision.report),
    }, status=400 if request.method == "POST" else 200)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = policies.get_decision_for_user(request.user, pk)
    return render(request, "committee/decision_detail.html", {
        "decision": decision,
        "meeting": decision.item.meeting,
        "measures": decision.measures.select_related("type", "owner", "owner_section"),
        "can_open": _can_open(request.user, decision.report),
        "superseded_by": decision.__class__.objects.filter(supersedes=decision).first(),
        "can_handle_letters": policies.can_handle_letters(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = policies.get_measure_for_user(request.user, pk)
    can_done = policies.can_mark_measure_done(request.user, measure)
    form = forms.MeasureDoneForm(request.POST if request.method == "POST" else None) if can_done else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.mark_measure_done(actor=request.user, measure=measure, note=form.cleaned_data["note"],
                                           ip_address=client_ip(request))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("措置「%(type)s」の完了を記録しました。") % {"type": measure.type})
                return redirect("committee:measure", measure.pk)
    return render(request, "committee/measure_detail.html", {
        "measure": measure,
        "form": form,
        "overdue": measure.overdue_on(timezone.localdate()),
        "can_open": _can_open(request.user, measure.decision.report),
        "can_see_meeting": policies.can_see_meeting(request.user, measure.decision.item.meeting),
    }, status=400 if request.method == "POST" else 200)
