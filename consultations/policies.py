"""Who may read and act on which consultation: the one place that decides.

A consultation is confidential (労働施策総合推進法の指針: privacy of those who consult):

- the 相談窓口 (``is_desk``) and the author read it;
- the 所属長 of the author's 課 and the 部長 of its 部 read it only when the author chose to share it;
- nobody else, 管理者 and 委員 included. A consultation a user may not read answers 404.

Only the 相談窓口 answers, assigns, records follow-ups and internal notes, closes and reopens, and
sets or lifts the legal hold (訴訟・警察対応中) that keeps a closed consultation past its 保存期間.
The author or the 相談窓口 may link it to a 発生連絡票 or make a draft from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Consultation, State

if TYPE_CHECKING:
    from organization.models import User


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_ask(user: User) -> bool:
    """Anyone who belongs to a 課 may consult the 相談窓口."""
    return _active(user) and user.section_id is not None


def can_view(user: User, consultation: Consultation) -> bool:
    if not _active(user):
        return False
    if user.is_desk or consultation.author_id == user.pk:
        return True
    if not consultation.share_with_supervisors:
        return False
    return consultation.section_id in user.chief_sections or consultation.section_id in user.director_sections


def can_answer(user: User) -> bool:
    """The 相談窓口 answers, assigns, records follow-ups and notes, closes and reopens."""
    return _active(user) and bool(user.is_desk)


def can_change(user: User, consultation: Consultation) -> bool:
    """The 相談窓口's work on the consultation (answer, handler, follow-ups, notes, closing,
    reopening, linking): not once the 保存期間 removed its text — what is written after that would
    be kept for good under a page saying it was removed."""
    return can_answer(user) and consultation.retention_applied_at is None


def can_hold(user: User, consultation: Consultation) -> bool:
    """訴訟・警察対応中: the 相談窓口 stops (or lets again) the 保存期間's removal of the consultation's text."""
    return can_answer(user)


def can_set_hold(user: User, consultation: Consultation) -> bool:
    """The hold is offered on a closed consultation (the only ones the removal touches) whose text
    is still there and which is not held already."""
    return (can_change(user, consultation) and consultation.state == State.CLOSED
            and not consultation.legal_hold)


def can_lift_hold(user: User, consultation: Consultation) -> bool:
    return can_hold(user, consultation) and consultation.legal_hold


def can_see_notes(user: User) -> bool:
    return can_answer(user)


def can_see_history(user: User, consultation: Consultation) -> bool:
    """The audit trail: the 相談窓口 and the author (never the 所属長・部長)."""
    return can_answer(user) or (_active(user) and consultation.author_id == user.pk)


def can_link_report(user: User, consultation: Consultation) -> bool:
    """The author or the 相談窓口 may link a report or make a draft from the consultation (not
    once the 保存期間 removed its text)."""
    return consultation.retention_applied_at is None and (
        can_answer(user) or (_active(user) and consultation.author_id == user.pk))


def visible_consultations(user: User) -> QuerySet[Consultation]:
    """Every consultation the user may read, as one condition on the row (no join, no repeats)."""
    if not _active(user):
        return Consultation.objects.none()
    if user.is_desk:
        return Consultation.objects.all()
    condition = Q(author=user)
    supervised = user.chief_sections | user.director_sections
    if supervised:
        condition |= Q(share_with_supervisors=True, section_id__in=supervised)
    return Consultation.objects.filter(condition)


def get_consultation_for_user(user: User, pk: int) -> Consultation:
    """The consultation with ``pk`` if the user may read it; else 404."""
    try:
        consultation = Consultation.objects.select_related(
            "author", "section__department", "handler", "answered_by", "report"
        ).get(pk=pk)
    except Consultation.DoesNotExist:
        raise Http404 from None
    if not can_view(user, consultation):
        raise Http404
    return consultation
