"""Form fields rendered in Python, with the markup of crispy-forms' Bootstrap 5 pack.

Why: ``|as_crispy_field`` renders each field through about a dozen nested templates
(``bootstrap5/field.html`` and its includes, then Django's widget templates). On the 発生連絡票
form, the product's busiest page (48 fields with the 経過 rows), that was about 70 % of the page's
time under the issue-14 load (``python -m bench.load``; README, performance). This module writes
the same elements, attributes and text in Python for the field shapes the product uses:

- the wrapper ``<div id="div_<id>" class="mb-3">``, the ``<label class="form-label">`` (a
  ``<fieldset>`` with a ``<legend>`` for widgets grouped under one label), the help text
  ``<div id="<id>_helptext" class="form-text">`` and the errors
  ``<div id="<id>_error" class="invalid-feedback"><p id="error_1_<id>"><strong>…``;
- a single checkbox as Bootstrap's ``form-check``; groups of radio buttons and checkboxes one
  ``form-check`` per option;
- the stock widgets (text-like inputs, ``<textarea>``, ``<select>``) written directly; every other
  widget (the 対応職員 picker, a custom template) renders itself as Django would.

A field shape it does not know (a file input, a multi-widget) is handed to crispy-forms itself, so
the output is always crispy's. ``tests/project/test_form_fields.py`` checks, for every widget kind
and every state (empty, filled, with errors, required, disabled, with and without help text) and
for the report form itself, that the result is the same HTML as ``|as_crispy_field`` gives
(``assertHTMLEqual``: the same elements, attributes and text).
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

#: Django's own widget templates that ``_widget`` writes in Python (anything else renders itself).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "date", "datetime", "time", "search",
                 "tel", "color", "checkbox", "hidden")
)
_TEXTAREA = "django/forms/widgets/textarea.html"
_SELECT = "django/forms/widgets/select.html"
_SELECT_OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """``{{ value }}`` in a template: escaped unless already safe."""
    return conditional_escape(value)


def _attr_value(value) -> str:
    """``{{ value|stringformat:'s' }}``: a safe value stays as it is, anything else is escaped."""
    return value if isinstance(value, SafeData) else conditional_escape(str(value))


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: `` name="value"`` for each attribute, ``name`` alone for True,
    nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_attr_value(value)}"')
    return "".join(parts)


def _crispy_class(widget: forms.Widget, extra: str) -> str:
    """The ``class`` crispy-forms' ``{% crispy_field %}`` gives a widget: its own classes, its
    class name in lower case, then ``extra`` (each class once)."""
    own = widget.attrs.get("class", "")
    kind = type(widget).__name__.lower()
    classes = (f"{own} {kind}" if kind not in own else own) if own else kind
    present = classes.split()
    for name in extra.split():
        if name not in present:
            classes += " " + name
            present.append(name)
    return classes


def _widget(bound: BoundField, css: str) -> str:
    """``BoundField.as_widget(attrs={"class": …})`` (plus the hidden initial, as ``str(bound)``),
    writing Django's stock widget templates directly."""
    widget = bound.field.widget
    if bound.field.localize:
        widget.is_localized = True
    attrs = bound.build_widget_attrs({"class": css}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    value = bound.value()
    template = widget.template_name
    if type(widget).render is not forms.Widget.render or not (template in _INPUT_TEMPLATES
                                                              or template in (_TEXTAREA, _SELECT)):
        html = widget.render(name=bound.html_name, value=value, attrs=attrs, renderer=bound.form.renderer)
        return html + (bound.as_hidden(only_initial=True) if bound.field.show_hidden_initial else "")
    data = widget.get_context(bound.html_name, value, attrs)["widget"]
    if template == _TEXTAREA:
        html = f'<textarea name="{_text(data["name"])}"{_attrs(data["attrs"])}>\n{_text(data["value"]) if data["value"] else ""}</textarea>'
    elif template == _SELECT:
        html = _select(data)
    else:
        shown = "" if data["value"] is None else f' value="{_attr_value(data["value"])}"'
        html = f'<input type="{_text(data["type"])}" name="{_text(data["name"])}"{shown}{_attrs(data["attrs"])}>'
    if bound.field.show_hidden_initial:
        html += bound.as_hidden(only_initial=True)
    return html


def _select(data: dict) -> str:
    parts = [f'<select name="{_text(data["name"])}"{_attrs(data["attrs"])}>']
    for group_name, options, _index in data["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _SELECT_OPTION:
                raise _Unknown
            parts.append(f'\n  <option value="{_attr_value(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _Unknown(Exception):
    """A field shape this module does not write: crispy-forms renders it."""


def _help_text(bound: BoundField) -> str:
    if not bound.help_text:
        return ""
    ident = f'id="{_text(bound.auto_id)}_helptext" ' if bound.auto_id else ""
    return f'<div {ident}class="form-text">{bound.help_text}</div>'


def _errors(bound: BoundField, errors) -> str:
    """crispy's ``field_errors_block.html``."""
    if not errors:
        return ""
    lines = "".join(f'<p id="error_{n}_{_text(bound.auto_id)}"><strong>{_text(error)}</strong></p>'
                    for n, error in enumerate(errors, start=1))
    return f'<div id="{_text(errors.field_id)}_error" class="invalid-feedback">{lines}</div>'


def _choices(bound: BoundField, errors) -> str:
    """crispy's ``radio_checkbox_select.html``: one ``form-check`` per option, the errors after
    the last one, the help text after the group."""
    widget = bound.field.widget
    ident = widget.attrs.get("id") or bound.auto_id
    attrs = bound.build_widget_attrs({"id": ident} if ident else {})
    groups = widget.optgroups(bound.html_name, widget.format_value(bound.value()), attrs)
    invalid = " is-invalid" if errors else ""
    parts = ["<div >"]
    for g, (group, options, _index) in enumerate(groups, start=1):
        if group:
            parts.append(f"<strong>{_text(group)}</strong>")
        for o, option in enumerate(options, start=1):
            parts.append(
                f'<div class="form-check"><input type="{_text(option["type"])}" class="form-check-input{invalid}" '
                f'name="{_text(bound.html_name)}" value="{_text(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f'<label for="{_text(option["attrs"].get("id", ""))}" class="form-check-label">'
                f'{_text(str(option["label"]))}</label>'
            )
            if errors and o == len(options) and g == len(groups):
                parts.append(_errors(bound, errors))
            parts.append("</div>")
    parts.append("</div>")
    parts.append(_help_text(bound))
    return "".join(parts)


def render(bound: BoundField) -> SafeString:
    """The field as ``{{ bound|as_crispy_field }}`` renders it (Bootstrap 5 pack, no helper)."""
    try:
        return mark_safe(_render(bound))  # noqa: S308 - every value in it is escaped above
    except _Unknown:
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(bound)


def _render(bound: BoundField) -> str:
    widget = bound.field.widget
    if bound.is_hidden:
        return str(bound)
    if isinstance(widget, forms.FileInput | forms.MultiWidget) or hasattr(widget, "widget") or getattr(
            bound.form, "helper", None) is not None:
        raise _Unknown
    errors = bound.errors
    checkbox = isinstance(widget, forms.CheckboxInput)
    grouped = isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect)
    required = bound.field.required
    asterisk = '<span class="asteriskField">*</span>' if required else ""
    extra = _text(bound.css_classes())
    parts = ['<div class="mb-3">'] if checkbox else []
    parts.append(f'<div id="div_{_text(bound.auto_id)}" class="{"form-check" if checkbox else "mb-3"}'
                 f'{" " + extra if extra else ""}">')
    fieldset = bound.use_fieldset and bool(bound.label) and not checkbox
    if bound.label and not checkbox:
        if fieldset:
            described = bound.aria_describedby
            parts.append(f'<fieldset{f" aria-describedby={chr(34)}{_text(described)}{chr(34)}" if described else ""}>')
        tag = "legend" if bound.use_fieldset else "label"
        target = f'for="{_text(bound.id_for_label)}" ' if bound.id_for_label else ""
        parts.append(f'<{tag} {target}class="form-label{" requiredField" if required else ""}'
                     f'{" fs-6" if bound.use_fieldset else ""}">{_text(bound.label)}{asterisk}</{tag}>')
    if grouped:
        parts.append(_choices(bound, errors))
    elif checkbox:
        parts.append(_widget(bound, _crispy_class(widget, "form-check-input is-invalid" if errors
                                                  else "form-check-input")))
        parts.append(f'<label for="{_text(bound.id_for_label)}" class="form-check-label{" requiredField" if required else ""}">'
                     f'{_text(bound.label)}{asterisk}</label>')
        parts.append(_errors(bound, errors) + _help_text(bound))
    else:
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        parts.append(_widget(bound, _crispy_class(widget, f"{base} is-invalid" if errors else base)))
        parts.append(_errors(bound, errors) + _help_text(bound))
    if fieldset:
        parts.append("</fieldset>")
    parts.append("</div>")
    if checkbox:
        parts.append("</div>")
    return "".join(parts)
