"""Forms of the care pages; every rule beside its field, with a Japanese message."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy

from incidents.forms import MAX_TEXT_CHARS

from .models import SHARE_PARTS, Outcome


def _text_limit() -> MaxLengthValidator:
    return MaxLengthValidator(
        MAX_TEXT_CHARS, message=gettext_lazy("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。")
    )


class CheckinForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("結果"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("結果を選んでください。"),
                        "invalid_choice": gettext_lazy("結果は「話を聞いた」か「本人が辞退した」から選んでください。")},
    )
    note = forms.CharField(
        label=gettext_lazy("記録"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("相談窓口だけが読めます（本人・所属長・保健室には表示されません）。"
                               "例：体調は落ち着いている。保健室への紹介を案内した。"),
        validators=[_text_limit()],
    )


class ProposeForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("本人と保健室への紹介文"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("本人が読み、本人が同意したときは保健室も読みます。内部だけの記録は書かないでください。"
                               "例：事案の後、眠れない日が続いているとのことです。保健師との面談をおすすめします。"),
        validators=[_text_limit()],
    )


class ConsentForm(forms.Form):
    """The staff member's own choices: each part of the report the 保健室 may read, and whether the
    所属長 may know that a referral exists."""

    share_with_chief = forms.BooleanField(
        label=gettext_lazy("所属長に、保健室への紹介があることを伝えてよい"), required=False,
        help_text=gettext_lazy("伝わるのは紹介があることと同意した日だけです。内容は伝わりません。"),
    )
    contact = forms.CharField(
        label=gettext_lazy("保健室からの連絡方法"), max_length=200, required=False,
        help_text=gettext_lazy("例：内線1234、平日15時以降に電話、メールで"),
        error_messages={"max_length": gettext_lazy("%(limit_value)s文字以内で入力してください。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parts = {
            name: forms.BooleanField(label=label, required=False, help_text=holds)
            for name, label, holds in SHARE_PARTS
        }
        self.fields = {**parts, **self.fields}

    def share(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name, _label, _holds in SHARE_PARTS}

    def part_fields(self):
        return [self[name] for name, _label, _holds in SHARE_PARTS]
