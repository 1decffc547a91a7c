"""Which 課 a 所属長 or 部長 reaches today: the role they hold, the 代理 they act in, and succession.

``compute_scope`` is read through ``User.chief_sections`` / ``User.director_sections``; nothing
else in the product works this out. It costs at most two small queries per user object and is
remembered on that object for as long as the user's role flags, 課 and the date stay the same (a
request's ``request.user`` computes it once).

- 所属長: their own 課 when they hold the role (``is_section_chief``), and the 課 they act for
  (``ActingAssignment``) today.
- 部長: the 課 of their own 部 when they hold the role, and of the 部 they act for today.
- Succession: an abolished 課's reports go with its ``current`` 課 (the end of its successor chain),
  so each set above also holds every 課 whose ``current`` is in it. The 部 of a 課 is that of its
  ``current`` 課: a 課 moved to another 部 takes its history with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class Scope:
    #: Every 課 (abolished ones included) whose reports the user reads as 所属長 / 部長.
    chief_sections: frozenset[int] = frozenset()
    director_sections: frozenset[int] = frozenset()
    #: The 課 the user heads and the 部 they direct today, as today's organisation names them
    #: (for numbers grouped by today's 課 and 部).
    headed_sections: frozenset[int] = frozenset()
    directed_departments: frozenset[int] = frozenset()
    #: 所属長 (holder or acting) of the 総務課 / of the 課 that manages the building.
    general_affairs_chief: bool = False
    building_chief: bool = False


EMPTY = Scope()


def compute_scope(user: User) -> Scope:
    from .models import ActingAssignment, Section

    if not user.pk or not user.is_active:
        return EMPTY
    today = timezone.localdate()
    key = (user.is_section_chief, user.is_director, user.section_id, today)
    cached = user.__dict__.get("_scope_cache")
    if cached is not None and cached[0] == key:
        return cached[1]

    chief_of: set[int] = set()
    departments: set[int] = set()
    if user.is_section_chief and user.section_id:
        chief_of.add(user.section_id)
    if user.is_director and user.section_id:
        departments.add(user.section.department_id)
    acting = ActingAssignment.objects.filter(user_id=user.pk, starts_on__lte=today, ends_on__gte=today)
    for kind, section_id, department_id in acting.values_list("kind", "section_id", "department_id"):
        if kind == ActingAssignment.Kind.SECTION_CHIEF and section_id:
            chief_of.add(section_id)
        elif department_id:
            departments.add(department_id)

    scope = EMPTY
    if chief_of or departments:
        # Every 課 whose current 課 is one the user heads, or lies in a 部 they direct.
        rows = Section.objects.filter(Q(current_id__in=chief_of) | Q(current__department_id__in=departments))
        chief, director = set(), set()
        ga = building = False
        for pk, current_id, department_id, is_ga, manages_building in rows.values_list(
            "id", "current_id", "current__department_id", "current__is_general_affairs", "current__manages_building",
        ):
            if current_id in chief_of:
                chief.add(pk)
                ga = ga or is_ga
                building = building or manages_building
            if department_id in departments:
                director.add(pk)
        scope = Scope(frozenset(chief), frozenset(director), frozenset(chief_of), frozenset(departments), ga, building)
    user.__dict__["_scope_cache"] = (key, scope)
    return scope
