"""The care sections other pages include (the queue, the home page): each reads its own rows, so
the page's view stays as it is; nothing is read for a user the section is not for."""

from django import template

from care import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def care_due_checkins(context):
    """The check-ins due by today for the 相談窓口's queue; None (and no query) for anyone else."""
    return selectors.due_for_queue(context["user"])


@register.simple_tag(takes_context=True)
def care_home(context):
    """What the home page says of care for the signed-in user."""
    return selectors.home(context["user"])
