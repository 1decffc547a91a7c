"""The call form: the place (typed, or the caller's 課) and, from a live view, the 態様."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from manual.models import HarassmentType

from .models import HelpCall


class HelpCallForm(forms.Form):
    place = forms.CharField(
        label=_("場所"), required=False, max_length=HelpCall._meta.get_field("place").max_length,
        help_text=_("例：本庁舎1階 3番窓口。空のときは課の名前で送ります。"),
        error_messages={"max_length": _("場所は %(limit_value)d 文字以内で書いてください（いま %(show_value)d 文字）。")},
    )
    type = forms.ModelChoiceField(
        label=_("態様"), required=False, queryset=HarassmentType.objects.order_by("number"), to_field_name="code",
        empty_label=_("選ばない"),
        error_messages={"invalid_choice": _("態様は一覧から選んでください。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.attrs.update({"autocomplete": "off"})
