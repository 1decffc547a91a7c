"""The user's choice, per kind of notice: e-mail and inbox, or inbox only (urgent ones: always both)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL = "email"
INBOX = "inbox"
CHOICES = [(EMAIL, _("メールと受信箱")), (INBOX, _("受信箱のみ"))]


class PreferencesForm(forms.Form):
    def __init__(self, *args, choices: list[tuple[str, str, bool, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed = []
        for kind, label, by_email, fixed in choices:
            if fixed:
                self.fixed.append(label)
                continue
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=CHOICES, widget=forms.RadioSelect, initial=EMAIL if by_email else INBOX,
            )

    def by_email(self) -> dict[str, bool]:
        return {kind: value == EMAIL for kind, value in self.cleaned_data.items()}
