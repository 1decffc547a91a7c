"""The 発生連絡票 form and its 経過 formset.

A draft accepts anything well-formed; submitting checks every rule of the report. Every rule is
here, beside the field it concerns, with a Japanese message. The form owns every input of the
page: the fields, the 経過 rows, the files kept from earlier tries (``staged``), the token that
recognises the same form posted twice, and the version it was opened at. The view builds it with
``IncidentReportForm.from_request`` and hands it to ``services.save_report``.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.db import models
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kasuhara.errors import BadInput
from manual.models import HarassmentType

from . import selectors, uploads
from .evidence import evidence_error
from .models import ActionKind, Difficulty, IncidentReport, Judgement, Level, Outcome, TimelineEntry

#: Clocks of PCs at counters drift; a time this far ahead is still "now".
CLOCK_TOLERANCE = timedelta(minutes=5)

#: The earliest date a report may name; the latest is tomorrow (a counter PC's clock may be behind).
EARLIEST_DATE = date(2000, 1, 1)

#: The most 経過 rows one report holds. The page's 「＋ 経過を1行追加」 stops here too.
MAX_TIMELINE_ROWS = 50

#: The most characters of one free-text box (a verbatim record is long, but not a book).
MAX_TEXT_CHARS = 10_000

_ASCII_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


def date_window() -> tuple[datetime, datetime]:
    """From 2000-01-01 00:00 to the end of tomorrow, local time."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(EARLIEST_DATE, time.min, tzinfo=tz),
        datetime.combine(tomorrow, time.max, tzinfo=tz),
    )


def window_error(value: datetime | None) -> str | None:
    """A Japanese message naming the accepted window when ``value`` lies outside it."""
    if value is None:
        return None
    earliest, latest = date_window()
    if earliest <= value <= latest:
        return None
    return _("%(earliest)sから%(latest)sまでの日時を入力してください（例：2025-06-18 14:05）。") % {
        "earliest": _("2000年1月1日"),
        "latest": _("明日（%(date)s）") % {"date": f"{latest:%Y-%m-%d}"},
    }


def parse_ids(values: list[str]) -> list[int]:
    """Ids posted by the page (comma-separated or repeated); anything else is a malformed request."""
    ids = []
    for chunk in values:
        for part in chunk.split(","):
            part = part.strip()
            if not part:
                continue
            if not _ASCII_ID.fullmatch(part):
                raise BadInput(_("添付ファイルの指定が正しくありません。ページを開き直してください。"))
            ids.append(int(part))
    if len(ids) > uploads.max_report_files():
        raise BadInput(_("添付ファイルの指定が多すぎます。"))
    return ids

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-time field, bounded to the accepted window (no year 61123 can be typed)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")

    def get_context(self, name, value, attrs):
        earliest, latest = date_window()
        attrs = {"min": f"{earliest:%Y-%m-%dT%H:%M}", "max": f"{latest:%Y-%m-%dT23:59}", **(attrs or {})}
        return super().get_context(name, value, attrs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once; each is checked by its content and size."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = [error for f in files if (error := evidence_error(f))]
        if errors:
            raise forms.ValidationError(errors)
        return files


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, input_formats=DATETIME_INPUT_FORMATS, widget=LocalDateTimeInput(),
        error_messages={"invalid": gettext_lazy("日時は「2025-06-18 14:05」のように、年-月-日 時:分 の形で入力してください。")},
    )


BIGINT_MAX = 2**63 - 1


class BoundedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice that refuses more than ``max_choices`` values before it queries them."""

    def __init__(self, *args, max_choices: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_choices = max_choices

    def clean(self, value):
        if value and len(value) > self.max_choices:
            raise forms.ValidationError(_("選べるのは %(n)s 件までです。") % {"n": self.max_choices})
        for item in value or ():
            text = str(item)
            # Beyond any id a database holds: refused like an unknown one (SQLite would overflow).
            if text.isascii() and text.isdigit() and int(text) > BIGINT_MAX:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": text})
        return super().clean(value)


class StaffChoiceField(BoundedMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        section = obj.section.name if obj.section_id else ""
        return f"{obj}（{section}）" if section else str(obj)


#: The boxes 提出 needs filled, with the message when one is empty (a draft needs none of them).
REQUIRED_TEXT = {
    "title": gettext_lazy("件名を入力してください。"),
    "occurred_start": gettext_lazy("発生日時（開始）を入力してください。"),
    "occurred_end": gettext_lazy("発生日時（終了）を入力してください。"),
    "channel": gettext_lazy("場所・手段を選んでください。"),
    "demand": gettext_lazy("要求内容を入力してください。"),
    "conduct": gettext_lazy("相手方の言動をそのままの言葉で入力してください。"),
}
#: Every field the page marks 「必須」 (提出 refuses the report without it; see ``_require_for_submission``).
REQUIRED_ON_SUBMIT = (*REQUIRED_TEXT, "staff_members", "staff_count", "counterpart_count", "harassment_types")


def required_mark() -> str:
    return format_html(' <span class="required-mark">{}</span>', _("必須"))


class IncidentReportForm(forms.ModelForm):
    """カスハラ発生連絡票. ``submitting=True`` applies the rules for 提出."""

    occurred_start = _datetime_field(gettext_lazy("発生日時（開始）"))
    occurred_end = _datetime_field(gettext_lazy("発生日時（終了）"))
    police_called_at = _datetime_field(gettext_lazy("警察通報の日時"))
    evidence = EvidenceField(
        label=gettext_lazy("証拠資料（音声・画像・PDF）"),
        required=False,
        help_text=gettext_lazy("録音、写真、SNS 投稿のスクリーンショットなど。複数選択できます。"),
    )

    class Meta:
        model = IncidentReport
        fields = [
            "title",
            "occurred_start",
            "occurred_end",
            "channel",
            "place",
            "staff_members",
            "staff_count",
            "counterpart_count",
            "counterpart_name",
            "counterpart_sex",
            "counterpart_age_band",
            "counterpart_contact",
            "counterpart_relation",
            "counterpart_description",
            "demand",
            "conduct",
            "harassment_types",
            "ground_unreasonable_demand",
            "ground_inappropriate_means",
            "warning_count",
            "recording_started",
            "response_stopped",
            "exit_request_count",
            "exit_order_count",
            "police_called",
            "police_called_at",
            "harm_physical",
            "harm_mental",
            "harm_property",
            "work_minutes_lost",
            "harm_detail",
            "wants_consultation",
            "wants_mental_care",
            "disability_possible",
            "disability_note",
            "related_reports",
            "remarks",
        ]
        widgets = {
            "harassment_types": forms.CheckboxSelectMultiple,
            "related_reports": forms.CheckboxSelectMultiple,
            "counterpart_contact": forms.Textarea(attrs={"rows": 2}),
            "counterpart_description": forms.Textarea(attrs={"rows": 2}),
            "demand": forms.Textarea(attrs={"rows": 3}),
            "conduct": forms.Textarea(attrs={"rows": 5}),
            "harm_detail": forms.Textarea(attrs={"rows": 2}),
            "disability_note": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, submitting: bool = False, staged_ids=(), refused_uploads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.user = user
        #: Files kept from earlier tries of this form (ids); ``staged`` is filled by the service.
        self.staged_ids = list(staged_ids)
        self.staged: list = []
        #: Files refused while the request was read, or by the per-user limit (Japanese messages).
        self.upload_refusals = list(refused_uploads)
        self.token, self.opened_version = self._form_identity()
        from .widgets import STAFF_CHOICE_ERRORS, StaffPicker  # the 対応職員 picker (issue 8)

        self.fields["staff_members"] = StaffChoiceField(
            label=_("対応職員"),
            queryset=selectors.staff_choices(user, report=self.instance),
            required=False,
            max_choices=50,
            widget=StaffPicker(own_section_id=user.section_id, reporter_id=user.pk, max_choices=50),
            error_messages=STAFF_CHOICE_ERRORS,
            help_text=_("対応した職員をすべて選んでください。あなたの課の職員が先に並びます。"),
        )
        self.fields["harassment_types"] = BoundedMultipleChoiceField(
            label=self.fields["harassment_types"].label,
            queryset=HarassmentType.objects.order_by("number"),
            required=False,
            max_choices=10,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["related_reports"] = BoundedMultipleChoiceField(
            label=self.fields["related_reports"].label,
            queryset=selectors.related_report_choices(user).exclude(pk=self.instance.pk),
            required=False,
            max_choices=20,
            widget=forms.CheckboxSelectMultiple,
        )
        for name, field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name) if name in self._meta.fields else None
            if isinstance(model_field, models.TextField):
                field.max_length = MAX_TEXT_CHARS
                field.validators.append(MaxLengthValidator(MAX_TEXT_CHARS))
                field.widget.attrs["maxlength"] = MAX_TEXT_CHARS
        self.timeline = TimelineFormSet(self.data if self.is_bound else None, instance=self.instance, prefix="timeline")
        self.fields["harassment_types"].label_from_instance = lambda t: f"{t.number}. {t.name}"
        self.fields["related_reports"].label_from_instance = (
            lambda r: f"No.{r.pk} {r.title or ''}（{timezone.localtime(r.created_at):%Y-%m-%d}）"
        )
        for name in ("staff_count", "counterpart_count", "warning_count", "exit_request_count",
                     "exit_order_count", "work_minutes_lost"):
            self.fields[name].widget.attrs["min"] = 0
        for field in self.fields.values():
            field.required = False
        if not self.instance.pk and not self.is_bound and not self.initial.get("staff_members"):
            # The reporter is almost always one of the 対応職員; preselect them.
            self.initial["staff_members"] = [user.pk]
        self._mark_required()

    def _mark_required(self) -> None:
        """「必須」 beside the label and ``aria-required`` on the fields 提出 needs; the plain labels
        stay for the error summary."""
        self.plain_labels = {name: str(field.label) for name, field in self.fields.items()}
        for name in REQUIRED_ON_SUBMIT:
            field = self.fields[name]
            field.label = format_html("{}{}", field.label, required_mark())
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["aria-required"] = "true"

    def problems(self) -> list[tuple[str, str, str]]:
        """Every error of the page as (element id to go to, what it concerns, message), in page order:
        the error summary at the top of a refused form lists them and links to each."""
        found = [("report-form", "", str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, ()):
                found.append((f"div_id_{name}", self.plain_labels.get(name, name), str(message)))
        found += [("timeline-table", _("経過記録"), str(m)) for m in self.timeline.non_form_errors()]
        for number, row in enumerate(self.timeline.forms, start=1):
            for name, messages in row.errors.items():
                label = str(row.fields[name].label) if name in row.fields else ""
                where = _("経過記録 %(n)s 行目") % {"n": number}
                target = f"div_{row[name].auto_id}" if name in row.fields else "timeline-table"
                found += [(target, f"{where}・{label}" if label else where, str(m)) for m in messages]
        return found

    @classmethod
    def from_request(cls, request, *, instance: IncidentReport) -> IncidentReportForm:
        """The form bound to a POST of the report page (malformed ids answer 400)."""
        post = request.POST
        rows = post.get("timeline-TOTAL_FORMS", "0")
        if not _ASCII_ID.fullmatch(rows) or int(rows) > MAX_TIMELINE_ROWS:
            # Not something the page sends (its 「＋」 stops at the limit): refused before any row is built.
            raise BadInput(_("経過記録は %(n)s 行までです。行をまとめるか、備考に書いてください。") % {"n": MAX_TIMELINE_ROWS})
        return cls(
            post,
            request.FILES,
            instance=instance,
            user=request.user,
            submitting=post.get("action") == "submit",
            staged_ids=parse_ids(post.getlist("staged")),
            refused_uploads=getattr(request, "evidence_refusals", ()),
        )

    def _form_identity(self) -> tuple[uuid.UUID, int | None]:
        """The token of this form (new when the page is opened, posted back as it was) and the
        version of the report it was opened at."""
        if not self.is_bound:
            return uuid.uuid4(), self.instance.version
        try:
            token = uuid.UUID(self.data.get("form_token", ""))
        except ValueError:
            token = uuid.uuid4()  # an old page without a token: it cannot be recognised, nothing more
        raw_version = self.data.get("version", "")
        version = int(raw_version) if _ASCII_ID.fullmatch(raw_version) else None
        return token, version

    def new_uploads(self) -> list:
        """The files chosen in this post (each is judged by the field; the service stages the good ones)."""
        return self.files.getlist("evidence") if self.is_bound else []

    def is_valid(self) -> bool:
        """The report and its 経過 rows; the rows are judged against the incident window."""
        form_ok = super().is_valid()
        self.timeline.submitting = self.submitting
        self.timeline.window = self.incident_window()
        return self.timeline.is_valid() and form_ok

    def mark_reopened(self, version: int) -> None:
        """After a conflict, a save of this form will overwrite the report at ``version`` on purpose."""
        self.opened_version = version

    # -- rules -------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        for message in self.upload_refusals:
            self.add_error("evidence", message)
        for name in ("occurred_start", "occurred_end", "police_called_at"):
            error = window_error(data.get(name))
            if error and name not in self.errors:
                self.add_error(name, error)
        # These counts cannot be empty in the database; a box the user cleared means 0.
        for name in ("warning_count", "exit_request_count", "exit_order_count"):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        start, end = data.get("occurred_start"), data.get("occurred_end")
        # Consistency rules hold for drafts too: a wrong value is better fixed while remembered.
        if start and end and end < start:
            self.add_error("occurred_end", _("終了日時は開始日時より後にしてください。"))
        if self.submitting:
            self._require_for_submission(data)
        return data

    def _require_for_submission(self, data: dict) -> None:
        now = timezone.now() + CLOCK_TOLERANCE
        for name, message in REQUIRED_TEXT.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        for name in ("occurred_start", "occurred_end", "police_called_at"):
            value = data.get(name)
            if value and value > now and name not in self.errors:
                self.add_error(name, _("未来の日時は入力できません。"))
        if not data.get("harassment_types"):
            self.add_error("harassment_types", _("態様を1つ以上選んでください。"))
        staff = data.get("staff_members")
        if not staff and "staff_members" not in self.errors:
            self.add_error("staff_members", _("対応職員を1人以上選んでください。"))
        staff_count = data.get("staff_count")
        if staff_count is None and staff:
            data["staff_count"] = staff_count = len(staff)
        if not staff_count or staff_count < 1:
            self.add_error("staff_count", _("対応職員の人数は1以上にしてください。"))
        elif staff and staff_count < len(staff):
            self.add_error("staff_count", _("選んだ対応職員（%(n)s人）より少ない人数です。") % {"n": len(staff)})
        if not data.get("counterpart_count") or data["counterpart_count"] < 1:
            self.add_error("counterpart_count", _("相手方の人数は1以上にしてください。"))
        if not (data.get("ground_unreasonable_demand") or data.get("ground_inappropriate_means")):
            self.add_error(
                "ground_inappropriate_means",
                _("該当する根拠（要求内容の妥当性／手段・態様の相当性）を1つ以上選んでください。"),
            )
        if data.get("police_called") and not data.get("police_called_at") and "police_called_at" not in self.errors:
            self.add_error("police_called_at", _("警察に通報した日時を入力してください。"))

    def incident_window(self) -> tuple[datetime | None, datetime | None]:
        data = getattr(self, "cleaned_data", {})
        return data.get("occurred_start"), data.get("occurred_end")


class TimelineEntryForm(forms.ModelForm):
    at = _datetime_field(gettext_lazy("時刻"))

    class Meta:
        model = TimelineEntry
        fields = ["at", "kind", "description", "actor_name", "outside_window_reason"]
        widgets = {"description": forms.TextInput(attrs={"maxlength": 1000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].validators.append(MaxLengthValidator(1000))
        self.fields["description"].max_length = 1000

    def clean_at(self):
        at = self.cleaned_data.get("at")
        error = window_error(at)
        if error:
            raise forms.ValidationError(error)
        return at


class BaseTimelineFormSet(BaseInlineFormSet):
    """経過記録: a row needs what happened (the model requires it); on submit it also needs a time,
    inside the incident (from start to end) or with the reason why not."""

    submitting = False
    window: tuple[datetime | None, datetime | None] = (None, None)
    default_error_messages = {
        "too_many_forms": gettext_lazy("経過記録は %(num)d 行までです。行をまとめるか、備考に書いてください。"),
        "missing_management_form": gettext_lazy("経過記録の送信内容が正しくありません。ページを開き直してください。"),
    }

    def clean(self):
        super().clean()
        start, end = self.window
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            at = data.get("at")
            if not self.submitting:
                continue
            if not at and "at" not in form.errors:
                form.add_error("at", _("時刻を入力してください。"))
            elif at and start and end and not (start <= at <= end) and not data.get("outside_window_reason"):
                form.add_error(
                    "outside_window_reason",
                    _("時刻が発生日時（%(start)s〜%(end)s）の範囲外です。理由を書くか、時刻を直してください。")
                    % {
                        "start": timezone.localtime(start).strftime("%m/%d %H:%M"),
                        "end": timezone.localtime(end).strftime("%m/%d %H:%M"),
                    },
                )


TimelineFormSet = inlineformset_factory(
    IncidentReport,
    TimelineEntry,
    form=TimelineEntryForm,
    formset=BaseTimelineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_TIMELINE_ROWS,
    absolute_max=MAX_TIMELINE_ROWS,
    validate_max=True,
)


# -- the case after 提出: the moves and the 相談窓口's work ----------------------------------------------

def _desk_users():
    return get_user_model().objects.filter(is_active=True, is_desk=True).order_by("username")


def _text(label: str, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=4000, widget=forms.Textarea(attrs={"rows": rows}))


#: The inputs a move may need (``Transition.needs``), each a form field.
MOVE_FIELDS = {
    "reason": lambda: _text(gettext_lazy("理由")),
    "judgement": lambda: forms.ChoiceField(label=gettext_lazy("カスハラに該当するか"), choices=Judgement.choices, widget=forms.RadioSelect),
    "difficulty": lambda: forms.ChoiceField(label=gettext_lazy("難易度"), choices=Difficulty.choices, widget=forms.RadioSelect),
    "comment": lambda: _text(gettext_lazy("コメント（報告者には表示されません）"), required=False),
    "handler": lambda: forms.ModelChoiceField(
        label=gettext_lazy("担当者"), queryset=_desk_users(), required=False, empty_label=gettext_lazy("自分が担当する")
    ),
    "outcome": lambda: forms.ChoiceField(label=gettext_lazy("結果"), choices=Outcome.choices, widget=forms.RadioSelect),
    "outcome_note": lambda: _text(gettext_lazy("結果の説明"), required=False),
}


class CaseForm(forms.Form):
    """Every form on a case carries the version its page showed: a case changed since is a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class MoveForm(CaseForm):
    def __init__(self, *args, move, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        for name in move.needs:
            self.fields[name] = MOVE_FIELDS[name]()

    def inputs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class AssignForm(CaseForm):
    title = gettext_lazy("担当者の指定")
    submit_label = gettext_lazy("担当者を指定")
    handler = forms.ModelChoiceField(label=gettext_lazy("担当者"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = _desk_users()


class RateForm(CaseForm):
    title = gettext_lazy("継続性・悪質性・至急")
    submit_label = gettext_lazy("評価を保存")
    continuity = forms.ChoiceField(label=gettext_lazy("継続性"), choices=[("", "—"), *Level.choices], required=False)
    malice = forms.ChoiceField(label=gettext_lazy("悪質性"), choices=[("", "—"), *Level.choices], required=False)
    urgent = forms.BooleanField(label=gettext_lazy("至急"), required=False)


class EscalateForm(CaseForm):
    title = gettext_lazy("特に困難への引き上げ")
    submit_label = gettext_lazy("特に困難に引き上げる")
    confirm = forms.BooleanField(
        label=gettext_lazy("部をまたぐ検討（検討組織）が必要な「特に困難」事案として、相談窓口と総務部長に上げる"),
    )


class NoteForm(forms.Form):
    title = gettext_lazy("内部メモ")
    submit_label = gettext_lazy("内部メモを追加")
    body = _text(gettext_lazy("内部メモ（相談窓口だけが読めます）"), rows=3)


class ActionForm(forms.Form):
    title = gettext_lazy("対応の記録（相手方への措置など）")
    submit_label = gettext_lazy("対応を記録")
    kind = forms.ChoiceField(label=gettext_lazy("種別"), choices=ActionKind.choices)
    description = _text(gettext_lazy("内容"), rows=2)
    done_by = forms.CharField(label=gettext_lazy("実施者"), max_length=100)
    done_on = forms.DateField(
        label=gettext_lazy("実施日"), widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d", "%Y/%m/%d"]
    )

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if not EARLIEST_DATE <= done_on <= timezone.localdate() + timedelta(days=1):
            raise forms.ValidationError(_("2000年1月1日から明日までの日付を入力してください。"))
        return done_on


class HoldForm(forms.Form):
    title = gettext_lazy("訴訟・警察対応中（保存期間による削除を止める）")
    submit_label = gettext_lazy("削除を保留する")
    reason = _text(gettext_lazy("理由（例：損害賠償請求訴訟の係属中、警察の捜査に証拠を提供中）"), rows=2)


class ReleaseForm(forms.Form):
    title = gettext_lazy("訴訟・警察対応中の保留を解除")
    submit_label = gettext_lazy("保留を解除する")
    reason = _text(gettext_lazy("解除の理由（例：判決確定）"), rows=2)
