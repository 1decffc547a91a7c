"""Page links that keep the list's filters: the current query string with another page number."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """``?…&page=N`` built from the request's own GET parameters (escaped by the template)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
