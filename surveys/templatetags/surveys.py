"""The home page's parts of the staff survey: ``{% survey_notice user %}``, the reminder of the open
surveys this user has not answered (one query; nothing when there is none), and
``{% survey_results_link user %}``, the way to the results for those who read them (no query)."""

from django import template

from surveys import policies, selectors

register = template.Library()


@register.inclusion_tag("surveys/_home_notice.html")
def survey_notice(user) -> dict:
    return {"surveys": selectors.unanswered_open_surveys(user)}


@register.inclusion_tag("surveys/_home_results.html")
def survey_results_link(user) -> dict:
    """For those who read the results (相談窓口, 対策委員会, 総務部長, 管理者): the way to them."""
    return {"show": policies.can_view_results(user)}
