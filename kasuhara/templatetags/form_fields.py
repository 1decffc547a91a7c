"""``{{ form.field|as_field }}``: a form field with crispy-forms' Bootstrap 5 markup, written in
Python (``kasuhara.fields``: why, and how it is checked against crispy-forms)."""

from django import template

from kasuhara.fields import render

register = template.Library()


@register.filter
def as_field(bound):
    return render(bound)
