"""Who sees which numbers: the one place that decides.

- The whole city: the 相談窓口, the 総務課長 (the 所属長 of the 総務課 the 相談窓口 sits in), the 総務部長,
  and the 対策委員会 (委員長 and 委員).
- A 部長: their 部. A 所属長: their 課. Where both apply, the wider.
- Nobody else (staff, the 保健室, the 管理者 as such): /stats/ answers 404.
- Where a view covers a single 課, a count under ``KASUHARA_STATS_MIN_CELL`` (default 3) is shown
  as 「3件未満」 (``mask_small``): one 課's small numbers could point at a person.
- The annual report: the 相談窓口 generates it, writes its comments and finalises it; those who see
  the whole city read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404

if TYPE_CHECKING:
    from organization.models import User


@dataclass(frozen=True)
class Scope:
    """What part of the organisation a user's numbers cover: the whole city, one 部 or one 課."""

    department_id: int | None = None
    section_id: int | None = None

    @property
    def whole_city(self) -> bool:
        return self.department_id is None and self.section_id is None

    @property
    def single_section(self) -> bool:
        return self.section_id is not None


CITY = Scope()


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_whole_city(user: User) -> bool:
    if not _active(user):
        return False
    return bool(user.is_desk or user.is_ga_director or user.is_ga_section_chief
                or user.is_committee_chair or user.is_committee_member)


def scope_for(user: User) -> Scope | None:
    """The widest part of the organisation ``user`` may count; None: no numbers at all."""
    if not _active(user):
        return None
    if sees_whole_city(user):
        return CITY
    if user.is_director and user.section_id:
        return Scope(department_id=user.section.department_id)
    if user.is_section_chief and user.section_id:
        return Scope(section_id=user.section_id)
    return None


def has_scope(user: User) -> bool:
    """``scope_for(user) is not None`` without reading the user's 課 (the navigation asks it on
    every page: no query)."""
    if not _active(user):
        return False
    return bool(user.is_desk or user.is_ga_director or user.is_committee_chair or user.is_committee_member
                or ((user.is_director or user.is_section_chief) and user.section_id))


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
