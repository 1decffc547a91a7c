"""Reads of the staff survey: the surveys open to a user, and the results — counts and percentages
per choice beside the previous survey's — as ``kasuhara.figures.Table`` for the results page and
the annual report.

The results of any number of surveys cost the same six queries (the previous surveys, the
questions, their choices, the counts per choice, the respondents per question, the answer sheets
per survey), whatever the number of answers; ``tables_for_fiscal_year`` adds the one that finds the
year's surveys (seven); the 相談窓口's free text two more (the text questions, their answers).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kasuhara.figures import Table, fiscal_year_bounds, fiscal_year_label, fiscal_year_of

from .models import ChoiceAnswer, Participation, Question, QuestionKind, Response, Survey, TextAnswer

if TYPE_CHECKING:
    from organization.models import User


def open_surveys(user: User, today: datetime.date | None = None) -> QuerySet[Survey]:
    """The surveys open today, each with ``answered``: whether this user has answered it."""
    today = today or timezone.localdate()
    return (Survey.objects.filter(opens_on__lte=today, closes_on__gte=today)
            .annotate(answered=Exists(Participation.objects.filter(survey=OuterRef("pk"), user=user)))
            .order_by("closes_on", "pk"))


def unanswered_open_surveys(user: User) -> list[Survey]:
    """What the home page reminds a member of staff of (one query)."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [s for s in open_surveys(user) if not s.answered]


def has_answered(user: User, survey: Survey) -> bool:
    return Participation.objects.filter(survey=survey, user=user).exists()


def started_surveys(today: datetime.date | None = None) -> QuerySet[Survey]:
    """Every survey that has opened, newest first, with its number of answer sheets."""
    today = today or timezone.localdate()
    return Survey.objects.filter(opens_on__lte=today).annotate(respondents=Count("responses")).order_by("-opens_on", "-pk")


def previous_of(surveys: list[Survey]) -> dict[int, Survey | None]:
    """Each survey's previous one: the latest that closed before it opened (one query)."""
    if not surveys:
        return {}
    older = list(Survey.objects.filter(closes_on__lt=max(s.opens_on for s in surveys)).order_by("-closes_on", "-pk"))
    return {s.pk: next((o for o in older if o.closes_on < s.opens_on), None) for s in surveys}


# -- results --------------------------------------------------------------------------------------

@dataclass
class Row:
    label: str
    count: int
    percent: float | None
    previous_count: int | None
    previous_percent: float | None


@dataclass
class QuestionResult:
    question: Question
    respondents: int
    previous_respondents: int | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class SurveyResult:
    survey: Survey
    previous: Survey | None
    respondents: int
    previous_respondents: int | None
    questions: list[QuestionResult]
    #: (free-text question, its answers sorted by text), filled only when asked for.
    texts: list[tuple[Question, list[str]]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return fiscal_year_label(fiscal_year_of(self.survey.closes_on))

    @property
    def previous_label(self) -> str:
        return fiscal_year_label(fiscal_year_of(self.previous.closes_on)) if self.previous else ""

    def tables(self) -> list[Table]:
        return [as_table(self, q) for q in self.questions]


def percent(count: int, base: int) -> float | None:
    """Percent of ``base``, one decimal (half away from zero); None when nobody answered."""
    if not base:
        return None
    return int(count * 1000 / base + 0.5) / 10


def results_of(surveys: list[Survey]) -> list[SurveyResult]:
    """The results of ``surveys``, each beside its previous survey (six queries in all)."""
    previous = previous_of(surveys)
    ids = {s.pk for s in surveys} | {p.pk for p in previous.values() if p}
    questions = list(Question.objects.filter(survey_id__in=ids).prefetch_related("choices").order_by("order", "pk"))
    answers = ChoiceAnswer.objects.filter(response__survey_id__in=ids)
    per_choice = dict(answers.values_list("choice_id").annotate(n=Count("id")).order_by())
    per_question = dict(answers.values_list("choice__question_id").annotate(n=Count("response_id", distinct=True))
                        .order_by())
    sheets = dict(Response.objects.filter(survey_id__in=ids).values_list("survey_id").annotate(n=Count("id")).order_by())
    by_survey: dict[int, list[Question]] = {}
    for question in questions:
        by_survey.setdefault(question.survey_id, []).append(question)

    out = []
    for survey in surveys:
        prev = previous[survey.pk]
        prev_questions = {q.key: q for q in by_survey.get(prev.pk, [])} if prev else {}
        results = []
        for question in by_survey.get(survey.pk, []):
            if not question.is_choice:
                continue
            before = prev_questions.get(question.key)
            base = per_question.get(question.pk, 0)
            prev_base = per_question.get(before.pk, 0) if before else None
            prev_counts = {c.label: per_choice.get(c.pk, 0) for c in before.choices.all()} if before else {}
            result = QuestionResult(question=question, respondents=base, previous_respondents=prev_base)
            for choice in question.choices.all():
                count = per_choice.get(choice.pk, 0)
                prev_count = prev_counts.get(choice.label) if before else None
                result.rows.append(Row(
                    label=choice.label, count=count, percent=percent(count, base), previous_count=prev_count,
                    previous_percent=percent(prev_count, prev_base) if prev_count is not None else None,
                ))
            results.append(result)
        out.append(SurveyResult(
            survey=survey, previous=prev, respondents=sheets.get(survey.pk, 0),
            previous_respondents=sheets.get(prev.pk, 0) if prev else None, questions=results,
        ))
    return out


def results(survey: Survey, *, with_texts: bool = False) -> SurveyResult:
    """One survey's results; ``with_texts``: also its free-text answers, sorted by their text (never
    in the order they were given), for the 相談窓口."""
    result = results_of([survey])[0]
    if with_texts:
        answers: dict[int, list[str]] = {}
        for question_id, text in (TextAnswer.objects.filter(question__survey=survey)
                                  .order_by("text", "id").values_list("question_id", "text")):
            answers.setdefault(question_id, []).append(text)
        result.texts = [(q, answers.get(q.pk, [])) for q in survey.questions.filter(kind=QuestionKind.TEXT)]
    return result


def as_table(result: SurveyResult, question_result: QuestionResult) -> Table:
    """One choice question as a Table: rows per choice, cells [count, percent, previous count,
    previous percent]; the kinds question (multiple choice) is drawn as bars."""
    question = question_result.question
    this = result.label
    # Two surveys in one 年度 would share the label: the earlier one is then just 「前回」.
    before = result.previous_label if result.previous_label not in ("", this) else _("前回")
    multiple = question.kind == QuestionKind.MULTIPLE
    unit = _("件") if multiple else _("人")
    note = _("回答者 %(n)d 人") % {"n": question_result.respondents}
    if question_result.previous_respondents is not None:
        note += _("（前回 %(n)d 人）") % {"n": question_result.previous_respondents}
    else:
        note += _("（前回の同じ質問はありません）")
    note += _("。割合はこの質問に答えた人に対する割合です。")
    if multiple:
        note += _("複数選択のため、合計は100%を超えることがあります。")
    return Table(
        key=f"survey-{result.survey.pk}-{question.key}",
        caption=f"{result.survey.title}：{question.text}",
        headers=[_("%(y)s 回答数") % {"y": this}, _("%(y)s 割合（%%）") % {"y": this},
                 _("%(y)s 回答数") % {"y": before}, _("%(y)s 割合（%%）") % {"y": before}],
        rows=[(row.label, [row.count, row.percent, row.previous_count, row.previous_percent])
              for row in question_result.rows],
        unit=unit,
        chart="bar" if multiple else None,
        compare=False,
        note=note,
        row_header=_("選択肢"),
        extra={"survey": result.survey.pk, "question": question.key, "respondents": question_result.respondents,
               "previous_respondents": question_result.previous_respondents,
               "survey_respondents": result.respondents},
    )


def tables_for_fiscal_year(year: int) -> list[Table]:
    """For the annual report: the results of the survey(s) closing in the 年度 ``year`` (by
    ``kasuhara.figures.fiscal_year_of`` of ``closes_on``), each choice question one Table, beside
    the previous survey. Seven queries, whatever the number of answers; [] when no survey closed."""
    first, last = fiscal_year_bounds(year)
    surveys = list(Survey.objects.filter(closes_on__gte=first, closes_on__lte=last).order_by("closes_on", "pk"))
    return [table for result in results_of(surveys) for table in result.tables()]
