"""The annual report's forms: the comments (the 総評 and one box per table) and the confirmation of
確定, each carrying the version the page was opened at."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.forms import MAX_TEXT_CHARS

from .models import AnnualReport

_LENGTH = gettext_lazy("%(limit_value)s文字以内で入力してください（現在%(show_value)s文字）。")


def _box(label: str, rows: int) -> forms.CharField:
    return forms.CharField(label=label, required=False,
                           widget=forms.Textarea(attrs={"rows": rows, "maxlength": MAX_TEXT_CHARS}),
                           validators=[MaxLengthValidator(MAX_TEXT_CHARS, message=_LENGTH)])


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                 error_messages={"required": gettext_lazy("ページを開き直してください。"),
                                                 "invalid": gettext_lazy("ページを開き直してください。")})


class CommentsForm(VersionForm):
    """``summary`` and ``comment-<key>`` for each of the report's tables (by the table's key)."""

    def __init__(self, *args, report: AnnualReport, **kwargs):
        kwargs.setdefault("initial", {
            "version": report.version, "summary": report.summary,
            **{f"comment-{t.get('key')}": report.comments.get(t.get("key"), "") for t in report.tables},
        })
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["summary"] = _box(_("総評"), 8)
        for table in report.tables:
            self.fields[f"comment-{table.get('key')}"] = _box(_("「%(caption)s」へのコメント") % {"caption": table.get("caption", "")}, 3)

    def table_field(self, key: str):
        return self[f"comment-{key}"]

    def comments(self) -> dict[str, str]:
        return {t.get("key"): self.cleaned_data.get(f"comment-{t.get('key')}", "") for t in self.report.tables}
