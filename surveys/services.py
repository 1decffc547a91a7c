"""Writes of the staff survey. Each function is keyword-only and runs in one transaction; every
change is a ``SurveyEvent``.

An answer (``answer``) writes, in one transaction: the ``Participation`` (survey, user, day — its
unique constraint is what makes the answer once-only, also for two tabs posting at the same moment),
one anonymous ``Response`` and its answer rows (random keys, no user, no time), and an ``answered``
event that names the user and the survey only.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policies
from .defaults import DEFAULT_QUESTIONS
from .models import (
    Choice,
    ChoiceAnswer,
    Participation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyAction,
    SurveyEvent,
    TextAnswer,
)

if TYPE_CHECKING:
    from organization.models import User

#: The longest free-text answer kept.
TEXT_MAX = 2000


class AlreadyAnswered(ValidationError):
    """This user has answered this survey before (another tab, a second press)."""

    def __init__(self) -> None:
        super().__init__(_("既に回答済みです。回答は一人一回です。"), code="already_answered")


class NotOpen(ValidationError):
    def __init__(self, survey: Survey) -> None:
        super().__init__(
            _("このアンケートの回答期間（%(opens)s〜%(closes)s）ではありません。") % {
                "opens": f"{survey.opens_on:%Y-%m-%d}", "closes": f"{survey.closes_on:%Y-%m-%d}"},
            code="not_open",
        )


def record_event(*, survey: Survey, actor: User | None, action: str, detail: dict | None = None,
                 ip_address: str | None = None) -> SurveyEvent:
    return SurveyEvent.objects.create(survey=survey, actor=actor, action=action, detail=detail or {},
                                      ip_address=ip_address)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# -- the 管理者 -----------------------------------------------------------------------------------------

def add_default_questions(survey: Survey) -> list[Question]:
    """The Oshu survey's questions (``defaults.DEFAULT_QUESTIONS``) added to a survey without any."""
    questions = []
    for order, (key, kind, required, text, help_text, choices) in enumerate(DEFAULT_QUESTIONS, 1):
        question = Question.objects.create(survey=survey, order=order * 10, key=key, kind=kind, required=required,
                                           text=str(text), help_text=str(help_text))
        Choice.objects.bulk_create(
            Choice(question=question, order=i * 10, label=str(label)) for i, label in enumerate(choices, 1)
        )
        questions.append(question)
    return questions


@transaction.atomic
def create_survey(
    *, actor: User, title: str, opens_on: datetime.date, closes_on: datetime.date, description: str = "",
    with_defaults: bool = True, ip_address: str | None = None,
) -> Survey:
    """A new survey for a period, with the default questions unless told otherwise."""
    _require(policies.can_manage(actor))
    if closes_on < opens_on:
        raise ValidationError(_("回答締切日は回答開始日以降の日にしてください。"))
    survey = Survey.objects.create(title=title, description=description, opens_on=opens_on, closes_on=closes_on,
                                   created_by=actor)
    if with_defaults:
        add_default_questions(survey)
    record_event(survey=survey, actor=actor, action=SurveyAction.CREATED, ip_address=ip_address,
                 detail={"title": title, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat(),
                         "defaults": with_defaults})
    return survey


@transaction.atomic
def save_survey(*, actor: User, survey: Survey, changed: list[str], ip_address: str | None = None) -> Survey:
    """A change of a survey's title, text or period (the admin's form)."""
    _require(policies.can_manage(actor))
    survey.save()
    record_event(survey=survey, actor=actor, action=SurveyAction.CHANGED, ip_address=ip_address,
                 detail={"fields": sorted(changed)})
    return survey


@transaction.atomic
def save_questions(*, actor: User, survey: Survey, formset, ip_address: str | None = None) -> None:
    """The admin's inline forms of questions or choices, saved; refused once anyone has answered
    (the results would no longer match the questions)."""
    _require(policies.can_manage(actor))
    if not formset.has_changed():
        formset.save()
        return
    if Participation.objects.filter(survey=survey).exists():
        raise ValidationError(_("回答が始まったアンケートの質問は変更できません。"))
    formset.save()
    record_event(survey=survey, actor=actor, action=SurveyAction.QUESTIONS_CHANGED, ip_address=ip_address,
                 detail={"model": formset.model._meta.model_name})


# -- answering ------------------------------------------------------------------------------------

def clean_answers(survey: Survey, questions: list[Question], answers: dict[int, object]) -> tuple[list[int], list[tuple[int, str]]]:
    """(choice ids, [(question id, text)]) from ``answers`` (question id → a choice id, a list of
    choice ids, or text); refuses a choice of another question and a missing required answer."""
    choice_ids: list[int] = []
    texts: list[tuple[int, str]] = []
    for question in questions:
        value = answers.get(question.pk)
        if question.kind == QuestionKind.TEXT:
            text = (value or "").strip()[:TEXT_MAX] if isinstance(value, str) else ""
            if text:
                texts.append((question.pk, text))
            elif question.required:
                raise ValidationError(_("「%(q)s」に答えてください。") % {"q": question.text})
            continue
        picked = [value] if isinstance(value, (int, str)) and value != "" else list(value or [])
        allowed = {c.pk for c in question.choices.all()}
        picked_ids = {int(p) for p in picked}
        if not picked_ids <= allowed or (question.kind == QuestionKind.SINGLE and len(picked_ids) > 1):
            raise ValidationError(_("「%(q)s」の選択肢から選んでください。") % {"q": question.text})
        if question.required and not picked_ids:
            raise ValidationError(_("「%(q)s」に答えてください。") % {"q": question.text})
        choice_ids += sorted(picked_ids)
    return choice_ids, texts


@transaction.atomic
def answer(
    *, survey: Survey, actor: User, answers: dict[int, object], today: datetime.date | None = None,
) -> None:
    """Record that ``actor`` answered (once) and store the answer anonymously.

    ``answers``: question id → choice id (single), list of choice ids (multiple) or text. ``today``
    is for the demo loader only (answers to a past survey); everyone else answers today."""
    today = today or timezone.localdate()
    if not policies.may_answer_surveys(actor):
        raise PermissionDenied
    if not survey.is_open_on(today):
        raise NotOpen(survey)
    questions = list(survey.questions.prefetch_related("choices"))
    choice_ids, texts = clean_answers(survey, questions, answers)
    try:
        with transaction.atomic():
            Participation.objects.create(survey=survey, user=actor, answered_on=today)
    except IntegrityError:  # answered before, or the other tab's answer was committed a moment ago
        raise AlreadyAnswered from None
    response = Response.objects.create(survey=survey)
    rows = [ChoiceAnswer(response=response, choice_id=pk) for pk in choice_ids]
    random.shuffle(rows)
    ChoiceAnswer.objects.bulk_create(rows)
    TextAnswer.objects.bulk_create(TextAnswer(response=response, question_id=q, text=t) for q, t in texts)
    # Names the user and the survey only: no detail, no address, nothing of the answer.
    record_event(survey=survey, actor=actor, action=SurveyAction.ANSWERED)


@transaction.atomic
def save_question(*, actor: User, question: Question, ip_address: str | None = None) -> Question:
    """One question saved from its own admin page (its choices are ``save_questions``)."""
    _require(policies.can_manage(actor))
    if Participation.objects.filter(survey_id=question.survey_id).exists():
        raise ValidationError(_("回答が始まったアンケートの質問は変更できません。"))
    question.save()
    record_event(survey=question.survey, actor=actor, action=SurveyAction.QUESTIONS_CHANGED, ip_address=ip_address,
                 detail={"question": question.key})
    return question
