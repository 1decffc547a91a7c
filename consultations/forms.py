"""Forms of the consultation pages; every rule beside its field, with a Japanese message."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.forms import EARLIEST_DATE, MAX_TEXT_CHARS
from incidents.models import IncidentReport

from .models import Consultation

_TEXT = {"rows": 4}


def _required(message: str) -> dict:
    return {"required": message}


def _text_limit() -> MaxLengthValidator:
    return MaxLengthValidator(
        MAX_TEXT_CHARS, message=gettext_lazy("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。")
    )


def _date_error(value: date | None) -> str | None:
    if value is None:
        return None
    latest = timezone.localdate() + timedelta(days=1)
    if EARLIEST_DATE <= value <= latest:
        return None
    return _("2000年1月1日から明日（%(date)s）までの日付を入力してください。") % {"date": f"{latest:%Y-%m-%d}"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConsultationForm(forms.ModelForm):
    #: New for each opened page, posted back as it was: the same page sent twice asks once.
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Consultation
        fields = ["what_happened", "wish", "contact", "occurred_on", "channel", "share_with_supervisors"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 6}),
            "wish": forms.Textarea(attrs=_TEXT),
            "occurred_on": DateInput(),
        }
        error_messages = {
            "what_happened": _required(gettext_lazy("何があったかを書いてください。")),
            "wish": _required(gettext_lazy("相談したいことを書いてください（例：カスハラに当たるか判断してほしい）。")),
            "contact": _required(gettext_lazy("相談窓口からの連絡方法を書いてください（例：内線1234）。")),
            "occurred_on": {"invalid": gettext_lazy("日付を 2025-06-18 の形で入力してください。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("what_happened", "wish"):
            self.fields[name].validators.append(_text_limit())
        self.fields["contact"].error_messages["max_length"] = _("%(limit_value)s文字以内で入力してください。")
        self.fields["channel"].choices = [("", _("（選択しない）")), *self.fields["channel"].choices[1:]]

    def clean_occurred_on(self) -> date | None:
        value = self.cleaned_data.get("occurred_on")
        error = _date_error(value)
        if error:
            raise forms.ValidationError(error)
        return value


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("相談者への回答"),
        widget=forms.Textarea(attrs=_TEXT),
        help_text=gettext_lazy("相談者本人に表示されます（共有されていれば所属長・部長にも）。"),
        error_messages=_required(gettext_lazy("回答を書いてください。")),
        validators=[_text_limit()],
    )


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label=gettext_lazy("担当者"),
        queryset=get_user_model().objects.none(),
        empty_label=gettext_lazy("（選んでください）"),
        error_messages={
            "required": gettext_lazy("担当者を選んでください。"),
            "invalid_choice": gettext_lazy("担当者には相談窓口の職員を選んでください。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_desk=True, is_active=True).order_by("username")
        self.fields["handler"].queryset = users


class FollowUpForm(forms.Form):
    done_on = forms.DateField(
        label=gettext_lazy("実施日"), widget=DateInput(),
        error_messages={"required": gettext_lazy("実施日を入力してください。"),
                        "invalid": gettext_lazy("日付を 2025-06-18 の形で入力してください。")},
    )
    description = forms.CharField(
        label=gettext_lazy("行ったこと"), widget=forms.Textarea(attrs=_TEXT),
        help_text=gettext_lazy("相談者にも表示されます。内部だけの記録は「内部メモ」に書いてください。"),
        error_messages=_required(gettext_lazy("行ったことを書いてください。")),
        validators=[_text_limit()],
    )
    done_by = forms.CharField(
        label=gettext_lazy("実施者"), max_length=100,
        error_messages={**_required(gettext_lazy("実施者を書いてください。")),
                        "max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )

    def clean_done_on(self) -> date:
        value = self.cleaned_data["done_on"]
        error = _date_error(value)
        if error:
            raise forms.ValidationError(error)
        return value


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("内部メモ"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("相談窓口だけが読めます。相談者・所属長・部長には表示されません。"),
        error_messages=_required(gettext_lazy("メモを書いてください。")),
        validators=[_text_limit()],
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=gettext_lazy("結果（短く）"), max_length=200,
        help_text=gettext_lazy("例：カスハラに該当すると助言し、発生連絡票の提出を案内した。"),
        error_messages={**_required(gettext_lazy("結果を書いてください。")),
                        "max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("再開の理由"), max_length=200, required=False,
        error_messages={"max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={**_required(gettext_lazy("理由を入力してください。")),
                        "max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )


class HoldForm(forms.Form):
    """訴訟・警察対応中: keep the consultation's text past its 保存期間 (as on a report's page)."""

    reason = _reason(gettext_lazy("理由（例：損害賠償請求訴訟の係属中、警察の捜査に協力中）"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "hold-%s")  # beside the 再開 form's 理由 on the same page
        super().__init__(*args, **kwargs)


class ReleaseForm(forms.Form):
    reason = _reason(gettext_lazy("解除の理由（例：判決確定）"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "release-%s")
        super().__init__(*args, **kwargs)


class LinkForm(forms.Form):
    report = forms.ModelChoiceField(
        label=gettext_lazy("関連付ける発生連絡票"),
        queryset=IncidentReport.objects.none(),
        empty_label=gettext_lazy("（選んでください）"),
        help_text=gettext_lazy("相談者本人の連絡票（下書きを含む）から選びます。"),
        error_messages={
            "required": gettext_lazy("連絡票を選んでください。"),
            "invalid_choice": gettext_lazy("選べるのは相談者本人の連絡票だけです。"),
        },
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"No.{r.pk} {r.title or _('（件名なし）')}（{r.get_status_display()}）"
        )
