"""The case page's panel of requests for help (the rules live in ``support.policies``)."""

from django import template

from support import selectors

register = template.Library()


@register.inclusion_tag("support/_case_requests.html", takes_context=True)
def case_support_requests(context, report) -> dict:
    """The case's 法律相談依頼 and 庁舎管理 requests with their steps, shown to whoever the case's
    policy lets read the case, and the links to make new ones for those who may."""
    user = context["request"].user
    return {"report": report, "requests": selectors.for_case(user, report)}
