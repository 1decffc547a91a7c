"""Forms of the 庁内共有 board: the summary the 相談窓口 writes, and the board's search."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from incidents.models import Channel
from manual.models import HarassmentType

from .models import BoardEntry

MAX_TEXT_CHARS = 4_000


class BoardEntryForm(forms.ModelForm):
    channel = forms.ChoiceField(label=_("場所・手段"), choices=[("", "—"), *Channel.choices], required=False)
    types = forms.ModelMultipleChoiceField(
        label=_("態様"), queryset=HarassmentType.objects.order_by("number"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("態様を一つ以上選んでください。")},
    )
    reviewed = forms.BooleanField(
        label=_("確認しました（個人を特定できる情報が含まれていないことを読んで確かめました）"), required=False,
        help_text=_("公開するときに必要です。公開すると事案は「庁内共有済み」になり、すべての職員が読めます。"),
    )

    class Meta:
        model = BoardEntry
        fields = ["title", "types", "channel", "what_happened", "how_handled", "policy", "lessons"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 5}),
            "how_handled": forms.Textarea(attrs={"rows": 5}),
            "policy": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "title": _("個人名・地名を含めず、何が起きたかが分かる短い見出し（例：窓口で書類を投げつけられた）。"),
            "lessons": _("ほかの職場が同じ場面で役立てられること（早めの交代、記録の取り方など）。"),
        }
        error_messages = {
            "title": {"required": _("見出しを入力してください。")},
            "what_happened": {"required": _("何が起きたかを入力してください。")},
            "how_handled": {"required": _("どう対応したかを入力してください。")},
            "policy": {"required": _("対応方針を入力してください。")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("what_happened", "how_handled", "policy", "lessons"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT_CHARS))
            self.fields[name].widget.attrs["maxlength"] = MAX_TEXT_CHARS
        self.fields["types"].label_from_instance = lambda t: t.name


class BoardSearchForm(forms.Form):
    q = forms.CharField(label=_("言葉で探す"), max_length=100, required=False,
                        help_text=_("全角・半角の違いは区別しません。空白で区切ると、すべてを含む記事を探します。"))
    type = forms.ChoiceField(label=_("態様"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("すべての態様")),
                                       *HarassmentType.objects.order_by("number").values_list("code", "name")]

    def criteria(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["q"].strip(), self.cleaned_data["type"]
