"""Who may do what with the staff survey: the one place that decides.

- 管理者 (``user.is_admin``): opens surveys and edits their questions (in the admin).
- Every active signed-in user answers each open survey once (``opens_on`` ≤ today ≤ ``closes_on``).
- Results (counts and percentages): whoever reads the city's numbers and so the annual report that
  carries them (the 相談窓口, the 総務課長, the 総務部長, the 対策委員会) and the 管理者; anyone else
  gets 404. A survey not open yet has no results page.
- Free-text answers (they may contain names, though the form asks not to): the 相談窓口 only.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone

from .models import Survey

if TYPE_CHECKING:
    from organization.models import User


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_manage(user: User) -> bool:
    return _active(user) and bool(user.is_admin)


def may_answer_surveys(user: User) -> bool:
    """Every active member of staff."""
    return _active(user)


def can_answer(user: User, survey: Survey, today: datetime.date | None = None) -> bool:
    """Open today (whether this user has answered already is the service's check, under the lock)."""
    return may_answer_surveys(user) and survey.is_open_on(today or timezone.localdate())


def can_view_results(user: User) -> bool:
    """Those who read the city's numbers (the annual report, which carries these results:
    ``stats.policies.sees_whole_city``) and the 管理者 who runs the survey."""
    from stats.policies import sees_whole_city

    return _active(user) and bool(sees_whole_city(user) or user.is_admin)


def can_read_free_text(user: User) -> bool:
    return _active(user) and bool(user.is_desk)


def get_started_survey(pk: int) -> Survey:
    """A survey that has opened (open or closed); 404 for one not open yet or not there."""
    survey = Survey.objects.filter(pk=pk, opens_on__lte=timezone.localdate()).first()
    if survey is None:
        raise Http404
    return survey


def get_survey_for_results(user: User, pk: int) -> Survey:
    if not can_view_results(user):
        raise Http404
    return get_started_survey(pk)
