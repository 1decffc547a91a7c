"""The 対応職員 picker of the report form: find colleagues by name or 課, keep the reporter, work by
keyboard and screen reader (issue 8).

Progressive enhancement. The server renders one checkbox per candidate, grouped by 課 with the
reporter's own 課 first: that works without JavaScript, and no key press can silently replace a
choice. ``static/js/staff_picker.js`` then hides the boxes and shows a search box (the ARIA 1.2
combobox with a listbox) and the chosen people, each with a 削除 button; it ticks and unticks the
same boxes, so the form posts the same thing either way and the field validates it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

#: The field's messages: an id the page never offered (another person's, a made-up one, a system
#: account) is refused by name of the problem, never with a 500.
STAFF_CHOICE_ERRORS = {
    "invalid_choice": _("選べない職員が含まれています。ページを開き直して、対応職員を選び直してください。"),
    "invalid_pk_value": _("対応職員の指定が正しくありません。ページを開き直して、対応職員を選び直してください。"),
    "invalid_list": _("対応職員の指定が正しくありません。ページを開き直して、対応職員を選び直してください。"),
}


@dataclass
class Group:
    """The candidates of one 課 (``own``: the reporter's), their boxes already rendered."""

    label: str
    own: bool
    boxes: str


class StaffPicker(forms.SelectMultiple):
    """Choose several people of the city. The choices come from the field's queryset, already in
    the order to show (``selectors.staff_choices``) and read once per rendering."""

    template_name = "incidents/widgets/staff_picker.html"
    #: The people are a group of boxes (and, with JavaScript, a search box and a list): the label
    #: is the group's legend.
    use_fieldset = True

    def __init__(self, *, own_section_id: int | None, reporter_id: int | None, max_choices: int, attrs=None):
        super().__init__(attrs=attrs)
        self.own_section_id = own_section_id
        self.reporter_id = reporter_id
        self.max_choices = max_choices

    def render(self, name, value, attrs=None, renderer=None):
        # The template lives with the project's templates (templates/incidents/widgets/); Django's
        # default form renderer reads only its own and the apps' template folders.
        return super().render(name, value, attrs, renderer=TemplatesSetting())

    def get_context(self, name, value, attrs):
        # Not ChoiceWidget.get_context: its option dictionaries cost far more than these rows,
        # and the city has a few thousand people.
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        attrs = widget["attrs"]
        chosen = set(widget["value"])
        widget.update(
            groups=self.groups(name, chosen),
            max_choices=self.max_choices,
            invalid=attrs.get("aria-invalid") == "true",
            required=attrs.get("aria-required") == "true",
        )
        return context

    def groups(self, name: str, chosen: set[str]) -> list[Group]:
        """The boxes, one per candidate, grouped by 課. Built here rather than in a template loop:
        a few thousand rows cost a few milliseconds this way, a second the other way."""
        rows = self.choices.queryset.values_list(
            "pk", "display_name", "username", "section_id", "section__name", "section__department__name"
        )
        reporter_tag = format_html(' <span class="staff-picker-tag">{}</span>', _("（報告者）"))
        name = escape(name)
        groups: list[tuple[str, bool, list[str]]] = []
        current_section = object()
        for pk, display_name, username, section_id, section_name, department_name in rows:
            if section_id != current_section:
                current_section = section_id
                label = f"{department_name} {section_name}" if section_id else str(_("所属なし"))
                groups.append((label, bool(section_id) and section_id == self.own_section_id, []))
            value = str(pk)
            reporter = pk == self.reporter_id
            groups[-1][2].append(
                f'<label class="staff-picker-box"><input type="checkbox" name="{name}" value="{value}"'
                f'{" checked" if value in chosen else ""}{" data-reporter" if reporter else ""}> '
                f"<span>{escape(display_name or username)}</span>{reporter_tag if reporter else ''}</label>"
            )
        return [Group(label=label, own=own, boxes=mark_safe("\n".join(boxes))) for label, own, boxes in groups]  # noqa: S308 - every value in them is escaped
