"""Forms of the counterpart register, with their rules and Japanese messages beside each field."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.forms import EARLIEST_DATE
from incidents.models import IncidentReport

from .models import Counterpart, Measure, MeasureKind, split_contact

MAX_TEXT_CHARS = 2_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("氏名・電話番号・住所で検索"), max_length=100, required=False,
        help_text=gettext_lazy("全角・半角、空白やハイフンの違いは区別しません。"),
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class CounterpartForm(forms.ModelForm):
    class Meta:
        model = Counterpart
        fields = ["name", "phone", "address", "sex", "age_band", "relation", "description"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"phone": gettext_lazy("例：090-1234-5678（全角でも構いません）")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("address", 300), ("description", MAX_TEXT_CHARS)):
            self.fields[name].validators.append(MaxLengthValidator(limit))
            self.fields[name].widget.attrs["maxlength"] = limit

    @classmethod
    def initial_from_report(cls, report: IncidentReport) -> dict[str, str]:
        """The report's 相手方 fields, the phone number taken out of its free-text 住所・連絡先."""
        phone, address = split_contact(report.counterpart_contact)
        return {
            "name": report.counterpart_name,
            "phone": phone,
            "address": address[:300],
            "sex": report.counterpart_sex,
            "age_band": report.counterpart_age_band,
            "relation": report.counterpart_relation,
            "description": report.counterpart_description[:MAX_TEXT_CHARS],
        }

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in ("name", "phone", "address")):
            raise forms.ValidationError(
                _("氏名・名称、電話番号、住所のうち少なくとも一つを入力してください（照合に使います）。")
            )
        return cleaned


class LinkForm(forms.Form):
    """「この相手方に紐付け」: which counterpart the report is about."""

    counterpart = forms.ModelChoiceField(
        queryset=Counterpart.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("紐付ける相手方を選んでください。"),
            "invalid_choice": gettext_lazy("その相手方は見つかりません。一覧から選び直してください。"),
        },
    )


class ReasonForm(forms.Form):
    """The reason of an unlink, kept in the audit trail."""

    reason = forms.CharField(
        label=gettext_lazy("理由"), max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例：別人であることが分かったため"),
        error_messages={"required": gettext_lazy("理由を入力してください。")},
    )


def desk_users():
    return get_user_model().objects.filter(is_desk=True, is_active=True).order_by("display_name", "username")


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["kind", "description", "handler", "decided_by", "decided_on", "starts_on", "ends_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "decided_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "handler": gettext_lazy("「対応者を一本化」のとき、相手方に対応する相談窓口の職員。"),
            "ends_on": gettext_lazy("出入禁止では必須です。空欄なら終了を記録するまで続きます。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = desk_users()
        self.fields["description"].validators.append(MaxLengthValidator(MAX_TEXT_CHARS))
        today = timezone.localdate()
        self.fields["decided_on"].initial = today
        self.fields["starts_on"].initial = today

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if kind == MeasureKind.BAN and not ends_on:
            self.add_error("ends_on", _("出入禁止は期間を決めてください（終了予定日を入力）。"))
        if kind == MeasureKind.SINGLE_HANDLER and not cleaned.get("handler"):
            self.add_error("handler", _("対応者を一本化するときは、対応する職員を選んでください。"))
        if kind != MeasureKind.SINGLE_HANDLER and cleaned.get("handler"):
            self.add_error("handler", _("対応者は「対応者を一本化」のときだけ選びます。"))
        if kind in (MeasureKind.OTHER, MeasureKind.TIME_LIMIT) and not (cleaned.get("description") or "").strip():
            self.add_error("description", _("どのような措置か、内容を入力してください。"))
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("終了予定日は開始日以降にしてください。"))
        earliest, latest = EARLIEST_DATE, timezone.localdate() + timedelta(days=3653)  # ten years ahead
        for name in ("decided_on", "starts_on", "ends_on"):
            value = cleaned.get(name)
            if value and not earliest <= value <= latest and name not in self.errors:
                self.add_error(name, _("2000年1月1日から%(latest)sまでの日付を入力してください。")
                               % {"latest": f"{latest:%Y-%m-%d}"})
        decided_on = cleaned.get("decided_on")
        if decided_on and decided_on > timezone.localdate():
            self.add_error("decided_on", _("決定日に未来の日付は入れられません。"))
        return cleaned


class EndMeasureForm(forms.Form):
    ended_on = forms.DateField(label=gettext_lazy("終了日"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("終了の理由"), max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("終了の理由を入力してください。")},
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["ended_on"].initial = timezone.localdate()

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on > timezone.localdate():
            raise forms.ValidationError(_("終了日に未来の日付は入れられません。終了する日に記録してください。"))
        if ended_on < self.measure.starts_on:
            raise forms.ValidationError(_("終了日は開始日（%(date)s）以降にしてください。") % {"date": self.measure.starts_on})
        return ended_on
