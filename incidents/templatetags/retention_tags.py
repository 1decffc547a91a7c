"""The 保存期間 on the case page: until when a closed case keeps its evidence and 相手方's data."""

from django import template

from incidents import retention

register = template.Library()


@register.filter
def kept_until(closed_at):
    """The last day a case closed at ``closed_at`` is kept (``retention.kept_until``)."""
    return retention.kept_until(closed_at) if closed_at else None
