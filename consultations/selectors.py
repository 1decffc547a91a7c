"""Reads of consultations, always through the policy; each in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from incidents.models import IncidentReport
from kasuhara.textnorm import fold

from . import policies
from .models import Consultation, ConsultationEvent, EventAction, FollowUp, Note, State

if TYPE_CHECKING:
    from organization.models import User

#: How many of the author's reports the 「発生連絡票と関連付ける」 list offers (newest first).
LINKABLE_REPORTS = 20


def my_consultations(user: User) -> QuerySet[Consultation]:
    """私の相談: the user's own consultations, newest first."""
    return Consultation.objects.filter(author=user).select_related("handler").order_by("-created_at", "-id")


def shared_with_me(user: User) -> QuerySet[Consultation]:
    """Consultations others chose to share with the user as their 所属長・部長."""
    return (
        policies.visible_consultations(user)
        .exclude(author=user)
        .select_related("author", "section")
        .order_by("-created_at", "-id")
    )


def queue_consultations(user: User, *, state: str | None = None, search: str | None = None) -> QuerySet[Consultation]:
    """The 相談窓口's queue: open ones first, oldest first; optionally one state and a search
    (full/half width and case folded, substring of 何があったか・相談したいこと・回答・対応の記録).
    Anyone but the 相談窓口 gets nothing."""
    if not policies.can_answer(user):
        return Consultation.objects.none()
    consultations = Consultation.objects.select_related("author", "section", "handler")
    if state in State.values:
        consultations = consultations.filter(state=state)
    folded = fold(search or "").replace("\x00", "").strip()
    if folded:
        consultations = consultations.filter(search_text__contains=folded)
    closed_last = Case(When(state=State.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())
    return consultations.order_by(closed_last, "created_at", "id")


def counts_by_state(user: User) -> dict[str, int]:
    """How many consultations are in each state, e.g. ``{"new": 3, "in_progress": 1, "closed": 9}``,
    in one query; all zero for anyone but the 相談窓口."""
    counts = dict.fromkeys(State.values, 0)
    if not policies.can_answer(user):
        return counts
    for row in Consultation.objects.order_by().values("state").annotate(n=Count("*")):
        counts[row["state"]] = row["n"]
    return counts


def follow_ups(consultation: Consultation) -> list[FollowUp]:
    return list(consultation.follow_ups.select_related("recorded_by").order_by("done_on", "id"))


def notes(user: User, consultation: Consultation) -> list[Note] | None:
    """内部メモ, for the 相談窓口 only (None for anyone else)."""
    if not policies.can_see_notes(user):
        return None
    return list(consultation.notes.select_related("author").order_by("at", "id"))


def history(user: User, consultation: Consultation) -> list[ConsultationEvent] | None:
    """The audit trail for the 相談窓口 and the author (None for anyone else). The author does not
    see that internal notes exist; nobody sees a note's text here."""
    if not policies.can_see_history(user, consultation):
        return None
    events = consultation.events.select_related("actor").order_by("at", "id")
    if not policies.can_see_notes(user):
        events = events.exclude(action=EventAction.NOTE_ADDED)
    return list(events)


def linkable_reports(consultation: Consultation) -> QuerySet[IncidentReport]:
    """The author's own newest submitted reports, to choose one to link (a draft is nobody's business
    but its reporter's, not even the 相談窓口's)."""
    newest = (IncidentReport.objects.filter(reporter_id=consultation.author_id).exclude(status__in=("draft", "discarded"))
              .order_by("-created_at", "-id"))
    ids = list(newest.values_list("pk", flat=True)[:LINKABLE_REPORTS])
    return IncidentReport.objects.filter(pk__in=ids).order_by("-created_at", "-id")
