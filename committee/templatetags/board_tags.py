"""The case page's link to the 庁内共有 board (the rule lives in ``committee.board``)."""

from django import template
from django.urls import reverse

from committee import board

register = template.Library()


@register.simple_tag(takes_context=True)
def board_draft_url(context, report) -> str:
    """The address of 「庁内共有の記事を作る」 for this case, or "" when the user may not start one."""
    user = context["request"].user
    return reverse("board:new", args=[report.pk]) if board.can_start_entry(user, report) else ""
