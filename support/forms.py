"""Forms of the request pages; every rule beside its field, with a Japanese message."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.evidence import evidence_error
from incidents.forms import DATETIME_INPUT_FORMATS, EARLIEST_DATE, MAX_TEXT_CHARS

#: A consultation or a guard may be arranged this far ahead.
MAX_DAYS_AHEAD = 366


def _required(message) -> dict:
    return {"required": message}


def _text(label, *, required_message, rows: int = 5, help_text="", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT_CHARS}),
        error_messages=_required(required_message),
        validators=[MaxLengthValidator(
            MAX_TEXT_CHARS,
            message=gettext_lazy("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。"),
        )],
    )


def _line(label, *, max_length: int, required_message=None, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required_message is not None, help_text=help_text,
        error_messages={**(_required(required_message) if required_message else {}),
                        "max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )


def _window() -> tuple[datetime, datetime]:
    """From 2000-01-01 to a year ahead, local time."""
    tz = timezone.get_current_timezone()
    latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    return datetime.combine(EARLIEST_DATE, time.min, tzinfo=tz), datetime.combine(latest, time.max, tzinfo=tz)


class AheadDateTimeInput(forms.DateTimeInput):
    """The browser's date-time field, bounded to the window below (dates ahead are allowed)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")

    def get_context(self, name, value, attrs):
        earliest, latest = _window()
        attrs = {"min": f"{earliest:%Y-%m-%dT%H:%M}", "max": f"{latest:%Y-%m-%dT23:59}", **(attrs or {})}
        return super().get_context(name, value, attrs)


class AheadDateTimeField(forms.DateTimeField):
    widget = AheadDateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        kwargs.setdefault("error_messages", {
            "required": gettext_lazy("日時を入力してください（例：2025-06-18 14:05）。"),
            "invalid": gettext_lazy("日時は「2025-06-18 14:05」のように、年-月-日 時:分 の形で入力してください。"),
        })
        super().__init__(**kwargs)

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None:
            earliest, latest = _window()
            if not earliest <= moment <= latest:
                raise forms.ValidationError(
                    _("2000年1月1日から1年後（%(date)s）までの日時を入力してください（例：2025-06-18 14:05）。")
                    % {"date": f"{latest:%Y-%m-%d}"})
        return moment


class LegalRequestForm(forms.Form):
    """法律相談依頼書: the three parts the seed's form asks for."""

    #: New for each opened page, posted back as it was: the same page sent twice asks once.
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    background = _text(
        gettext_lazy("経緯・背景"), required_message=gettext_lazy("経緯・背景を書いてください。"), rows=6,
        help_text=gettext_lazy("いつから、どのような要求や言動があり、これまでどう対応したか。"),
    )
    planned_response = _text(
        gettext_lazy("検討している対処内容"), required_message=gettext_lazy("検討している対処内容を書いてください。"),
        help_text=gettext_lazy("例：文書による警告、出入禁止、面談の打切り、警察への相談。"),
    )
    legal_issues = _text(
        gettext_lazy("法的な問題点"), required_message=gettext_lazy("弁護士に確かめたい法的な問題点を書いてください。"),
        help_text=gettext_lazy("例：出入禁止は庁舎管理規則の範囲で可能か。警告文の表現に問題はないか。"),
    )


class ArrangeForm(forms.Form):
    scheduled_at = AheadDateTimeField(label=gettext_lazy("相談の日時"))
    lawyer = _line(gettext_lazy("弁護士"), max_length=100,
                   required_message=gettext_lazy("相談する弁護士の名前（事務所名）を書いてください。"))
    venue = _line(gettext_lazy("場所・方法"), max_length=200,
                  help_text=gettext_lazy("例：本庁舎3階 法務相談室、オンライン"))


class HoldForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("実施日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        error_messages={"required": gettext_lazy("実施日を入力してください。"),
                        "invalid": gettext_lazy("日付を 2025-06-18 の形で入力してください。")},
    )

    def clean_held_on(self) -> date:
        held_on = self.cleaned_data["held_on"]
        if not EARLIEST_DATE <= held_on <= timezone.localdate() + timedelta(days=1):
            raise forms.ValidationError(_("2000年1月1日から明日までの日付を入力してください。"))
        return held_on


class ReportFileForm(forms.Form):
    """The consultation's report: one file, checked like evidence (by its bytes and size)."""

    file = forms.FileField(
        label=gettext_lazy("報告書のファイル"),
        help_text=gettext_lazy("PDF か画像（スキャンしたもの）を1つ選んでください。"),
        error_messages={"required": gettext_lazy("報告書のファイルを選んでください。"),
                        "empty": gettext_lazy("選んだファイルは空です。"),
                        "invalid": gettext_lazy("ファイルを読み取れませんでした。もう一度選んでください。")},
    )
    summary = _text(gettext_lazy("報告の要旨"), required=False, required_message="", rows=3,
                    help_text=gettext_lazy("弁護士の見解の要点（任意）。"))

    def __init__(self, *args, refusals: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusals = refusals or []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        error = evidence_error(upload)
        if error:
            raise forms.ValidationError(error)
        return upload

    def clean(self):
        # A file refused while the request was read (too large) never reaches the form: say so here.
        if self.refusals:
            self.errors.pop("file", None)
            self.add_error("file", self.refusals)
        return super().clean()


class WithdrawForm(forms.Form):
    reason = _text(gettext_lazy("取下げの理由"), required_message=gettext_lazy("取下げの理由を書いてください。"), rows=2)


class BuildingRequestForm(forms.Form):
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    place = _line(gettext_lazy("場所"), max_length=200, required_message=gettext_lazy("場所を書いてください（例：本庁舎1階 市民課窓口）。"))
    guard = forms.BooleanField(label=gettext_lazy("警備員の出動を依頼する"), required=False)
    exit_order = forms.BooleanField(label=gettext_lazy("退去命令の発出・支援を依頼する（庁舎管理規則）"), required=False)
    needed_at = AheadDateTimeField(
        label=gettext_lazy("希望日時"), required=False,
        help_text=gettext_lazy("空欄のときは「できるだけ早く」として伝わります。相手方が再び来る予定の日時など。"),
    )
    details = _text(
        gettext_lazy("状況と依頼の内容"), required_message=gettext_lazy("状況と依頼の内容を書いてください。"),
        help_text=gettext_lazy("例：退去を3回求めても退去しない。次回の来庁予定は月曜10時。"),
    )

    def clean(self):
        data = super().clean()
        if not data.get("guard") and not data.get("exit_order"):
            self.add_error("guard", _("「警備員の出動」か「退去命令の発出・支援」の少なくとも一方を選んでください。"))
        return data


class AnswerForm(forms.Form):
    answer = _text(gettext_lazy("回答"), required_message=gettext_lazy("回答を書いてください。"), rows=4,
                   help_text=gettext_lazy("例：月曜10時から警備員1名を市民課窓口に配置します。"))
