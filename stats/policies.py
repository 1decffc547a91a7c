"""Who sees which numbers: the one place that decides.

- The whole city: the 相談窓口, the 総務課長 (the 所属長 of the 総務課 the 相談窓口 sits in), the 総務部長,
  and the 対策委員会 (委員長 and 委員).
- A 部長: their 部. A 所属長: their 課. Both as today's organisation has it: the 部 and 課 they
  hold or act for (代理) today (``User.directed_departments`` / ``User.headed_sections``), and the
  cases of an abolished 課 count with the 課 that took over its work (``Section.current``). Where
  both apply, both (the union).
- Nobody else (staff, the 保健室, the 管理者 as such): /stats/ answers 404.
- Where a view covers a single 課, a count under ``KASUHARA_STATS_MIN_CELL`` (default 3) is shown
  as 「3件未満」 (``mask_small``): one 課's small numbers could point at a person.
- The annual report: the 相談窓口 generates it, writes its comments and finalises it; those who see
  the whole city read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404

if TYPE_CHECKING:
    from organization.models import User


@dataclass(frozen=True, init=False)
class Scope:
    """What part of the organisation a user's numbers cover: the whole city (both sets empty), or
    the cases whose 課 ends, today, in one of ``sections`` or in a 課 of one of ``departments``
    (ids of today's 課 and 部)."""

    departments: frozenset[int]
    sections: frozenset[int]

    def __init__(self, departments: Iterable[int] = (), sections: Iterable[int] = (), *,
                 department_id: int | None = None, section_id: int | None = None):
        # ``department_id`` / ``section_id``: a scope of one 部 / 課.
        object.__setattr__(self, "departments", frozenset(departments) | _one(department_id))
        object.__setattr__(self, "sections", frozenset(sections) | _one(section_id))

    @property
    def whole_city(self) -> bool:
        return not self.departments and not self.sections

    @property
    def single_section(self) -> bool:
        """Only 課 (one, or a 所属長's own few): its small counts are hidden."""
        return bool(self.sections) and not self.departments

    @property
    def key(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The same value for the same scope (for a cache key: a frozenset's order is not fixed)."""
        return tuple(sorted(self.departments)), tuple(sorted(self.sections))


def _one(pk: int | None) -> frozenset[int]:
    return frozenset() if pk is None else frozenset({pk})


CITY = Scope()


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_whole_city(user: User) -> bool:
    if not _active(user):
        return False
    return bool(user.is_desk or user.is_ga_director or user.is_committee_chair or user.is_committee_member
                or user.is_ga_section_chief)


def scope_for(user: User) -> Scope | None:
    """The widest part of the organisation ``user`` may count; None: no numbers at all."""
    if not _active(user):
        return None
    if sees_whole_city(user):
        return CITY
    if user.directed_departments or user.headed_sections:
        return Scope(user.directed_departments, user.headed_sections)
    return None


def has_scope(user: User) -> bool:
    """``scope_for(user) is not None``, from the role flags where they answer (the navigation asks it
    on every page); only someone without one (a 代理) needs the computed scope, which the request
    has already read for the menu's roles (``User.roles``) and keeps on the user."""
    if not _active(user):
        return False
    if (user.is_desk or user.is_ga_director or user.is_committee_chair or user.is_committee_member
            or ((user.is_director or user.is_section_chief) and user.section_id)):
        return True
    return bool(user.directed_departments or user.headed_sections)


def get_scope_or_404(user: User) -> Scope:
    scope = scope_for(user)
    if scope is None:
        raise Http404
    return scope


def min_cell() -> int:
    """Counts under this are shown as 「N件未満」 where a view covers one 課."""
    return int(getattr(settings, "KASUHARA_STATS_MIN_CELL", 3))


def can_manage_annual_report(user: User) -> bool:
    """Generate, comment on and finalise the annual report: the 相談窓口."""
    return bool(_active(user) and user.is_desk)


def can_read_annual_report(user: User) -> bool:
    return sees_whole_city(user)
