"""Fixtures of the survey tests: a survey with the default questions, open today, and a helper that
answers it through the service the way the form does."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.incidents.conftest import committed_db, postgres  # noqa: F401


@pytest.fixture
def make_survey(users):
    from surveys import services

    def make(*, title: str = "職員アンケート", opens_on: datetime.date | None = None,
             closes_on: datetime.date | None = None):
        today = timezone.localdate()
        return services.create_survey(actor=users["admin"], title=title, opens_on=opens_on or today,
                                      closes_on=closes_on or today + datetime.timedelta(days=14))

    return make


@pytest.fixture
def survey(make_survey):
    return make_survey()


def pick(survey, *, experienced: str, frequency: str | None = None, kinds: tuple[str, ...] = (), free: str = "") -> dict:
    """The answer as ``services.answer`` takes it, by the choices' labels."""
    questions = {q.key: q for q in survey.questions.prefetch_related("choices")}

    def choice(key: str, label: str) -> int:
        return next(c.pk for c in questions[key].choices.all() if c.label == label)

    return {
        questions["experienced"].pk: choice("experienced", experienced),
        questions["frequency"].pk: choice("frequency", frequency) if frequency else "",
        questions["kinds"].pk: [choice("kinds", k) for k in kinds],
        questions["free"].pk: free,
    }


def form_data(survey, **kwargs) -> dict:
    """The same answer as the page posts it."""
    data = {}
    for question_id, value in pick(survey, **kwargs).items():
        data[f"q{question_id}"] = value if not isinstance(value, int) else str(value)
    return data
