"""The code field of the second factor: six digits from the app (or, where allowed, a recovery code)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The 6-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("認証アプリの6桁のコード"),
        max_length=20,
        strip=True,
        error_messages={"required": _("コードを入力してください。")},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric",
            "class": "form-control form-control-lg otp-code", "size": 10, "spellcheck": "false",
        }),
    )


class VerifyForm(CodeForm):
    """At sign-in: the app's code, or one of the recovery codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("認証アプリの6桁のコード（または回復コード）")
        self.fields["code"].help_text = _("スマートフォンを手元に持っていないときは、保管している回復コードを1つ入力できます（1回限り）。")
        self.fields["code"].widget.attrs["inputmode"] = "text"
        self.fields["code"].widget.attrs["autocapitalize"] = "off"
        self.fields["code"].widget.attrs["autofocus"] = True  # the page asks for nothing else
