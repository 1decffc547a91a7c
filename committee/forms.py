"""The committee's forms: each owns its inputs and their validation, with Japanese messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.models import Section

from . import selectors
from .models import VOTING_ROLES, Judged, Meeting, MemberRole, VoteChoice
from .services import MeasureInput

MAX_TEXT = 10_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _limit(field: forms.CharField, chars: int = MAX_TEXT) -> None:
    field.validators.append(MaxLengthValidator(chars))
    field.widget.attrs["maxlength"] = chars


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "place"]
        widgets = {"starts_at": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["starts_at"].error_messages["invalid"] = _("開催日時は 2025-06-18 14:00 のように入力してください。")


class InviteForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("招集する人"), queryset=get_user_model().objects.none(),
        help_text=gettext_lazy("委員長・副委員長・委員は対策委員から、オブザーバーは職員のだれでも選べます。"),
    )
    role = forms.ChoiceField(label=gettext_lazy("役割"), choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).select_related("section")
        self.fields["user"].queryset = users.order_by("-is_committee_chair", "-is_committee_member", "section", "pk")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u}（{u.section.name if u.section else ''}）" + (_("・対策委員") if u.is_committee_member or u.is_committee_chair else "")
        )

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user and role and role != MemberRole.OBSERVER and not (user.is_committee_member or user.is_committee_chair):
            self.add_error("role", _("対策委員ではない人は、オブザーバーとしてだけ招集できます。"))
        return data


ATTENDANCE = [("", gettext_lazy("未記録")), ("yes", gettext_lazy("出席")), ("no", gettext_lazy("欠席"))]


class AttendanceForm(forms.Form):
    """One choice per invitation: 出席 / 欠席 / 未記録."""

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        for invitation in invitations:
            initial = {True: "yes", False: "no"}.get(invitation.attended, "")
            self.fields[f"attended-{invitation.pk}"] = forms.ChoiceField(
                label=f"{invitation.user}（{invitation.get_role_display()}）", choices=ATTENDANCE,
                required=False, initial=initial, widget=forms.RadioSelect,
            )

    def rows(self):
        return [(invitation, self[f"attended-{invitation.pk}"]) for invitation in self.invitations]

    def attended(self) -> dict[int, bool | None]:
        values = {"yes": True, "no": False, "": None}
        return {i.pk: values[self.cleaned_data.get(f"attended-{i.pk}") or ""] for i in self.invitations}


class AddItemForm(forms.Form):
    report = forms.ModelChoiceField(
        label=gettext_lazy("議題にする事案（委員会付議）"), queryset=selectors.referable_cases(),
        empty_label=gettext_lazy("選んでください"),
        error_messages={"invalid_choice": gettext_lazy("この事案は議題にできません（付議されていないか、すでに議題です）。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = selectors.referable_cases()
        self.fields["report"].label_from_instance = lambda r: f"No.{r.pk} {r.title}"


class NotesForm(forms.Form):
    notes = forms.CharField(label=gettext_lazy("審議の記録"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["notes"])


class DeferForm(forms.Form):
    to_meeting = forms.ModelChoiceField(label=gettext_lazy("継続先の会議"), queryset=Meeting.objects.none(),
                                        empty_label=gettext_lazy("選んでください"))
    notes = forms.CharField(label=gettext_lazy("継続の理由・審議の記録"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_meeting"].queryset = selectors.later_meetings(meeting)
        _limit(self.fields["notes"])


VOTE_CHOICES = [("", gettext_lazy("（記録なし）")), *VoteChoice.choices]


class VotesForm(forms.Form):
    """One choice per voting-role invitee. A member who may not vote on this case (conflict, absent,
    the chair who only breaks ties) still has a field, so the refusal says who and why."""

    def __init__(self, *args, voters, votes: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = [v for v in voters if v.invitation.role in VOTING_ROLES]
        for voter in self.voters:
            self.fields[f"vote-{voter.invitation.user_id}"] = forms.ChoiceField(
                label=str(voter.invitation.user), choices=VOTE_CHOICES, required=False,
                initial=votes.get(voter.invitation.user_id, ""), help_text=voter.why_not,
            )

    def rows(self):
        return [(voter, self[f"vote-{voter.invitation.user_id}"]) for voter in self.voters]

    def votes(self) -> dict[int, str]:
        return {v.invitation.user_id: self.cleaned_data.get(f"vote-{v.invitation.user_id}") or "" for v in self.voters}


class DecisionForm(forms.Form):
    judged = forms.ChoiceField(label=gettext_lazy("判断"), choices=Judged.choices, widget=forms.RadioSelect)
    policy = forms.CharField(label=gettext_lazy("対応方針"), widget=forms.Textarea(attrs={"rows": 4}))
    by_consensus = forms.BooleanField(
        label=gettext_lazy("異議なし（全会一致）として決する"), required=False,
        help_text=gettext_lazy("表決を取らずに、出席した委員に異議がないことを記録します。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["policy"])


class MeasureForm(forms.Form):
    type = forms.ModelChoiceField(label=gettext_lazy("措置"), queryset=selectors.active_measure_types(),
                                  empty_label=gettext_lazy("選んでください"))
    detail = forms.CharField(label=gettext_lazy("内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner_section = forms.ModelChoiceField(label=gettext_lazy("担当課"), queryset=Section.objects.all(), required=False)
    owner = forms.ModelChoiceField(label=gettext_lazy("担当者"), queryset=get_user_model().objects.none(), required=False)
    due_on = forms.DateField(label=gettext_lazy("期限"), widget=DateInput())
    starts_on = forms.DateField(label=gettext_lazy("開始日（出入禁止など）"), widget=DateInput(), required=False)
    ends_on = forms.DateField(label=gettext_lazy("終了予定日"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = selectors.active_measure_types()
        self.fields["owner_section"].queryset = Section.objects.select_related("department")
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).filter(
            ~Q(section=None)).select_related("section")
        _limit(self.fields["detail"], 2_000)
        for name in ("due_on", "starts_on", "ends_on"):
            self.fields[name].error_messages["invalid"] = _("日付は 2025-06-18 のように入力してください。")

    def clean(self):
        data = super().clean()
        if not data.get("type"):
            return data
        if not data.get("owner") and not data.get("owner_section"):
            self.add_error("owner_section", _("担当課か担当者を指定してください。"))
        if data["type"].counterpart_measure == "ban" and not data.get("starts_on"):
            self.add_error("starts_on", _("出入禁止には開始日を入力してください。"))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("終了予定日は開始日以降にしてください。"))
        return data

    def measure(self) -> MeasureInput:
        d = self.cleaned_data
        return MeasureInput(type=d["type"], due_on=d["due_on"], detail=d.get("detail", ""),
                            owner_section=d.get("owner_section"), owner=d.get("owner"),
                            starts_on=d.get("starts_on"), ends_on=d.get("ends_on"))


class BaseMeasureFormSet(forms.BaseFormSet):
    def measures(self) -> list[MeasureInput]:
        return [f.measure() for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                and f.cleaned_data.get("type")]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.measures():
            raise forms.ValidationError(_("措置を一つ以上選んでください（措置がないときは「措置なし」）。"))


MeasureFormSet = forms.formset_factory(MeasureForm, formset=BaseMeasureFormSet, extra=0, min_num=1,
                                       max_num=20, validate_max=True, absolute_max=20)


def measure_formset(data=None, *, decision=None) -> BaseMeasureFormSet:
    initial = None
    if decision is not None:
        initial = [{"type": m.type, "detail": m.detail, "owner_section": m.owner_section, "owner": m.owner,
                    "due_on": m.due_on, "starts_on": m.starts_on, "ends_on": m.ends_on}
                   for m in decision.measures.all()]
    formset = MeasureFormSet(data, initial=initial, prefix="measures")
    if data is None:
        formset.extra = 3 if not initial else 1
    return formset


CASTING = [("", gettext_lazy("（可否同数でないとき、または決しないとき）")), ("for", gettext_lazy("可とする")),
           ("against", gettext_lazy("否とする"))]


class FinaliseForm(forms.Form):
    casting_vote = forms.ChoiceField(label=gettext_lazy("可否同数のときの委員長の決"), choices=CASTING, required=False)


class CorrectionForm(DecisionForm):
    reason = forms.CharField(label=gettext_lazy("訂正の理由"), widget=forms.Textarea(attrs={"rows": 2}))
    casting_vote = forms.ChoiceField(label=gettext_lazy("可否同数のときの委員長の決"), choices=CASTING, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["reason"], 2_000)


class MeasureDoneForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("完了の記録（何をしたか）"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["note"], 2_000)
