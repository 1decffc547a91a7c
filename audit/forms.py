"""The audit viewer's search: by actor, 発生連絡票 number, action, trail and date range."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organization.models import User

from . import selectors


class SearchForm(forms.Form):
    actor = forms.CharField(label=_("操作者"), required=False, max_length=100,
                            help_text=_("氏名・ユーザー名・職員番号の一部"))
    report = forms.CharField(label=_("連絡票の番号"), required=False, max_length=20, help_text=_("例：12 または No.12"))
    action = forms.ChoiceField(label=_("操作"), required=False)
    source = forms.ChoiceField(label=_("記録の種類"), required=False)
    since = forms.DateField(label=_("期間（から）"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("日付は 2026-11-24 の形で入力してください。")})
    until = forms.DateField(label=_("期間（まで）"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("日付は 2026-11-24 の形で入力してください。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("すべて")), *selectors.action_choices()]
        self.fields["source"].choices = [("", _("すべて")), *((s.key, s.label) for s in selectors.sources())]

    def clean_report(self) -> int | None:
        text = self.cleaned_data["report"].strip().removeprefix("No.").removeprefix("no.").strip()
        if not text:
            return None
        if not text.isdigit():
            raise forms.ValidationError(gettext("連絡票の番号は数字で入力してください（例：12）。"))
        return int(text)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", gettext("「まで」は「から」より後の日付にしてください。"))
        return data

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        actors = None
        if data.get("actor"):
            text = data["actor"].strip()
            actors = list(User.objects.filter(
                Q(username__icontains=text) | Q(display_name__icontains=text) | Q(employee_number=text)
            ).values_list("pk", flat=True)[:500])
        return selectors.Filters(actors=actors, report=data.get("report"), action=data.get("action") or "",
                                 source=data.get("source") or "", since=data.get("since"), until=data.get("until"))

    def described(self) -> dict:
        """The filters as typed, for the viewer's own audit record."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}
