"""``{{ field|as_field }}`` (``kasuhara.fields``) writes in Python what crispy-forms' Bootstrap 5
``|as_crispy_field`` renders through its templates: for every widget kind the product uses, in every
state a user meets (empty, filled, refused with messages, required, disabled, with and without help
text, with text that needs escaping), and for the report form itself, the two give the same HTML —
the same elements, attributes (ids, aria-describedby, aria-invalid, classes) and text. A screen
reader, the page's scripts and the accessibility run therefore see no difference; only the time
differs (README, performance: the report form page)."""

from __future__ import annotations

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from incidents.forms import LocalDateTimeInput
from kasuhara import fields

UNSAFE = '<script>alert("x")</script> & \'quoted\''


class Sample(forms.Form):
    """One field of each kind the product's forms use (``*/forms.py``)."""

    text = forms.CharField(label="件名", max_length=20, help_text="短い件名（例：<b>窓口</b>）")
    optional_text = forms.CharField(label="補足 <必須でない>", required=False)
    number = forms.IntegerField(label="人数", min_value=0, required=False, widget=forms.NumberInput(attrs={"min": 0}))
    email = forms.EmailField(label="メール", required=False)
    day = forms.DateField(label="実施日", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(label="日時", required=False, widget=LocalDateTimeInput())
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3, "maxlength": 100}),
                           help_text="そのまま書いてください。")
    kind = forms.ChoiceField(label="種類", choices=[("", "---------"), ("a", "窓口"), ("b", "電話 & FAX")])
    grouped = forms.ChoiceField(label="分類", required=False,
                                choices=[("", "選んでください"), ("庁舎内", [("c", "窓口"), ("d", "会議室")]),
                                         ("庁舎外", [("e", "訪問先")])])
    judgement = forms.ChoiceField(label="判断", choices=[("yes", "該当する"), ("no", "該当しない")],
                                  widget=forms.RadioSelect, help_text="迷ったら相談窓口へ。")
    types = forms.MultipleChoiceField(label="態様", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(1, "1. 暴言"), (2, "2. 威嚇 <強>"), (3, "3. 長時間")])
    typed = forms.TypedMultipleChoiceField(label="月", coerce=int, required=False, choices=[(4, "4月"), (5, "5月")],
                                           widget=forms.CheckboxSelectMultiple)
    many = forms.MultipleChoiceField(label="課", required=False, choices=[("x", "市民課"), ("y", "税務課")])
    agree = forms.BooleanField(label="同意する", help_text="チェックすると共有されます。")
    quiet = forms.BooleanField(label="通知しない", required=False)
    locked = forms.CharField(label="番号", required=False, disabled=True, initial="No.12")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    files = forms.FileField(label="証拠", required=False)


class Styled(Sample):
    error_css_class = "has-error"
    required_css_class = "is-required"


FILLED = {
    "text": UNSAFE[:20], "optional_text": UNSAFE, "number": "3", "email": "a@city.test", "day": "2026-11-24",
    "moment": "2026-11-24T10:05", "body": UNSAFE + "\n二行目", "kind": "b", "grouped": "d", "judgement": "no",
    "types": ["1", "3"], "typed": ["5"], "many": ["x", "y"], "agree": "on", "version": "4",
}
REFUSED = {
    "text": "x" * 30, "number": "-1", "email": "not-an-address", "day": "2026-13-40", "moment": "昨日",
    "body": "", "kind": "zzz", "grouped": "q", "judgement": "maybe", "types": ["9"], "typed": ["x"],
    "many": ["nope"], "version": "abc",
}


def states():
    yield "empty", Sample()
    yield "initial", Sample(initial={"text": "件名", "types": [2], "agree": True, "kind": "a"})
    yield "prefixed", Sample(prefix="p2", auto_id="f_%s")
    yield "no ids", Sample(auto_id=False)
    # A prefix with characters that need escaping reaches every id and for= attribute.
    odd = Sample({f'a"b&-{key}': value for key, value in REFUSED.items()}, prefix='a"b&')
    odd.is_valid()
    yield "refused, odd prefix", odd
    for name, data in (("filled", FILLED), ("refused", REFUSED)):
        for form_class in (Sample, Styled):
            form = form_class(data)
            form.is_valid()
            yield f"{name} {form_class.__name__}", form


def differences(form: forms.Form) -> list[str]:
    found = []
    for bound in form:
        ours, theirs = fields.render(bound), as_crispy_field(bound)
        if parse_html(ours) != parse_html(theirs):
            found.append(f"{bound.name}:\n  ours:   {parse_html(ours)}\n  crispy: {parse_html(theirs)}")
    return found


@pytest.mark.parametrize("state, form", list(states()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_widget_kind_in_every_state_is_the_html_crispy_forms_gives(state, form):
    assert differences(form) == []


def test_a_refused_field_says_why_and_points_its_input_at_the_message():
    form = Sample(REFUSED)
    form.is_valid()
    html = fields.render(form["number"])
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_number_error"' in html
    assert 'class="numberinput form-control is-invalid"' in html
    assert '<p id="error_1_id_number"><strong>' in html and "id_number_error" in html
    # Text the user typed comes back escaped, never as markup.
    filled = Sample(FILLED)
    filled.is_valid()
    body = fields.render(filled["body"])
    assert "<script>" not in body and "&lt;script&gt;" in body
    # Escaped exactly as Django's templates escape (the HTML comparison above decodes entities).
    assert "&amp; &#x27;quoted&#x27;" in body and "&quot;x&quot;" in body


def _report_forms(user):
    from incidents.forms import IncidentReportForm

    yield IncidentReportForm(user=user)
    refused = IncidentReportForm(
        {"title": UNSAFE, "staff_count": "abc", "channel": "zzz", "harm_physical": "on", "police_called_at": "明日",
         "harassment_types": ["999"], "staff_members": ["1", "x"], "demand": UNSAFE, "timeline-TOTAL_FORMS": "1",
         "timeline-INITIAL_FORMS": "0", "timeline-0-at": "bad", "timeline-0-kind": "?"},
        user=user, submitting=True)
    refused.is_valid()
    yield refused


@pytest.mark.django_db
def test_the_report_form_and_its_timeline_rows_are_the_html_crispy_forms_gives(users):
    for form in _report_forms(users["staff"]):
        assert differences(form) == []
        for row in form.timeline.forms:
            assert differences(row) == []


@pytest.mark.django_db
def test_the_report_form_is_written_in_python_except_the_file_input(users):
    """The speed comes from not falling back: only the evidence file input goes to crispy-forms."""
    form = next(_report_forms(users["staff"]))
    handed_over = []
    for bound in form:
        try:
            fields._render(bound)
        except fields._Unknown:
            handed_over.append(bound.name)
    assert handed_over == ["evidence"]


def test_the_template_filter_gives_the_same_page_as_crispy_forms():
    form = Sample(REFUSED)
    form.is_valid()
    ours = Template("{% load form_fields %}{% for f in form %}{{ f|as_field }}{% endfor %}")
    theirs = Template("{% load crispy_forms_tags %}{% for f in form %}{{ f|as_crispy_field }}{% endfor %}")
    assert parse_html(ours.render(Context({"form": form}))) == parse_html(theirs.render(Context({"form": form})))
