"""The 管理者 opens a survey for a period in the admin, starting from the default questions (the
Oshu survey) or from none; the questions can be edited until the first answer, then they are
read-only. Each save is an audit event."""

from __future__ import annotations

import datetime

from django.utils import timezone

from surveys import services
from surveys.models import Question, QuestionKind, Survey, SurveyAction, SurveyEvent
from tests.surveys.conftest import pick


def _add(client, **extra):
    today = timezone.localdate()
    data = {"title": "令和8年度 職員アンケート", "description": "", "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=14)).isoformat(), **extra}
    return client.post("/admin/surveys/survey/add/", data)


def test_the_admin_opens_a_survey_with_the_default_questions(client_as, users):
    answer = _add(client_as("admin"), with_defaults="on")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    survey = Survey.objects.get()
    questions = list(survey.questions.all())
    assert [(q.key, q.kind) for q in questions] == [
        ("experienced", QuestionKind.SINGLE), ("frequency", QuestionKind.SINGLE),
        ("kinds", QuestionKind.MULTIPLE), ("free", QuestionKind.TEXT)]
    assert [c.label for c in questions[2].choices.all()] == [
        "長時間の拘束（電話、窓口など）", "怒鳴り声をあげる、侮辱的発言などの暴言", "理不尽な要望等の繰り返し",
        "権威を振りかざして要求を通そうとする", "脅迫的な発言をし、職員を怖がらせる", "その他（庁舎外での拘束、セクハラ、暴力等）"]
    event = SurveyEvent.objects.get(survey=survey)
    assert event.action == SurveyAction.CREATED and event.actor == users["admin"]


def test_a_survey_without_the_defaults_starts_empty_and_a_wrong_period_is_refused(client_as):
    client = client_as("admin")
    assert _add(client).status_code == 302
    assert not Question.objects.exists()
    today = timezone.localdate()
    refused = _add(client, opens_on=today.isoformat(), closes_on=(today - datetime.timedelta(days=1)).isoformat())
    assert refused.status_code == 200 and "回答締切日は回答開始日以降" in refused.content.decode()


def test_questions_are_read_only_once_someone_has_answered(client_as, users, survey):
    client = client_as("admin")
    page = client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()
    assert 'name="questions-0-text"' in page
    services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ない"))
    page = client.get(f"/admin/surveys/survey/{survey.pk}/change/").content.decode()
    assert 'name="questions-0-text"' not in page and "直近3年以内に" in page


def test_only_the_admin_opens_the_survey_admin(client_as, survey):
    assert client_as("desk").get("/admin/surveys/survey/").status_code == 302  # to the admin's sign-in
