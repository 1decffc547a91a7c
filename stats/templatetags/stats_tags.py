"""``{{ user|sees_stats }}``: whether the navigation shows 統計 (the user has a scope in
``stats.policies``; the page itself asks the policy again)."""

from django import template

from stats import policies

register = template.Library()


@register.filter
def sees_stats(user) -> bool:
    return policies.has_scope(user)
