"""Reading the admin's rules (``NoticeRule``), with the defaults of ``kinds.SPECS`` for a row that is
missing (a kind added after the rules were loaded)."""

from __future__ import annotations

from .kinds import SPECS, Kind
from .models import NoticeRule

#: The 態様 that make a report urgent by default (暴力型 and 威嚇・脅迫型 of the manual).
DEFAULT_URGENT_TYPES = ["violence", "intimidation"]


def defaults(kind: str) -> dict:
    spec = SPECS[kind]
    return {
        "enabled": True,
        "audiences": [str(a) for a in spec.audiences],
        "days": spec.days,
        "type_codes": list(DEFAULT_URGENT_TYPES) if kind == Kind.REPORT_URGENT else [],
    }


def rule_for(kind: str) -> NoticeRule:
    rule = NoticeRule.objects.filter(kind=kind).first()
    return rule if rule is not None else NoticeRule(kind=kind, **defaults(kind))


def rules_for(*kinds: str) -> list[NoticeRule]:
    """The rules of these kinds, in that order (one query)."""
    rows = {rule.kind: rule for rule in NoticeRule.objects.filter(kind__in=kinds)}
    return [rows.get(kind) or NoticeRule(kind=kind, **defaults(kind)) for kind in kinds]


def all_rules() -> dict[str, NoticeRule]:
    """Every kind's rule (one query)."""
    rows = {rule.kind: rule for rule in NoticeRule.objects.all()}
    return {kind: rows.get(kind) or NoticeRule(kind=kind, **defaults(kind)) for kind in Kind.values}


def ensure_rules() -> int:
    """Write the default row of every kind that has none; returns how many were written."""
    existing = set(NoticeRule.objects.values_list("kind", flat=True))
    missing = [NoticeRule(kind=kind, **defaults(kind)) for kind in Kind.values if kind not in existing]
    NoticeRule.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
