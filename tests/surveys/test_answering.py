"""Answering: once per member of staff while the survey is open; a second answer (another tab, a
second press, two tabs at the same moment) is refused with 「既に回答済みです」, never a 500."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from surveys import services
from surveys.models import ChoiceAnswer, Participation, Response, SurveyAction, SurveyEvent, TextAnswer
from tests.surveys.conftest import form_data, pick


def test_the_form_lists_the_default_questions_with_fieldsets_and_warns_not_to_write_names(client_as, survey):
    page = client_as("staff").get(f"/surveys/{survey.pk}/").content.decode()
    assert page.count("<fieldset") == 3 and page.count("<legend") == 3
    assert "直近3年以内に、市民等からカスタマーハラスメントを受けたことがありますか。" in page
    assert "長時間の拘束（電話、窓口など）" in page and "脅迫的な発言をし、職員を怖がらせる" in page
    assert 'type="checkbox"' in page and 'type="radio"' in page
    assert "氏名など）は書かないでください" in page


def test_a_member_of_staff_answers_once_and_is_thanked(client_as, survey):
    client = client_as("staff")
    answer = client.post(f"/surveys/{survey.pk}/", form_data(survey, experienced="ある", frequency="年に数回",
                                                            kinds=("長時間の拘束（電話、窓口など）",), free="録音機がほしい"))
    assert answer.status_code == 302 and answer["Location"] == f"/surveys/{survey.pk}/thanks/"
    assert "ご回答ありがとうございました" in client.get(answer["Location"]).content.decode()
    assert Participation.objects.filter(survey=survey).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
    assert ChoiceAnswer.objects.count() == 3 and TextAnswer.objects.get().text == "録音機がほしい"

    again = client.post(f"/surveys/{survey.pk}/", form_data(survey, experienced="ない"))
    assert again.status_code == 409
    assert "既に回答済みです" in again.content.decode()
    assert Response.objects.count() == 1 and ChoiceAnswer.objects.count() == 3
    shown = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "既に回答済みです" in shown and "<form" not in shown.split('id="refusal"')[1]


def test_the_service_refuses_a_second_answer(users, survey):
    services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ない"))
    with pytest.raises(services.AlreadyAnswered, match="既に回答済みです"):
        services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ある"))
    assert Response.objects.count() == 1


def test_a_required_question_left_out_keeps_what_was_typed(client_as, survey):
    data = form_data(survey, experienced="ある", free="長く書いた意見")
    data.pop(next(k for k in data if k == f"q{survey.questions.get(key='experienced').pk}"))
    answer = client_as("staff").post(f"/surveys/{survey.pk}/", data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "この質問に答えてください。" in page and "長く書いた意見" in page
    assert not Participation.objects.exists()


def test_a_choice_of_another_question_is_refused_not_a_500(client_as, survey):
    data = form_data(survey, experienced="ある")
    data[f"q{survey.questions.get(key='experienced').pk}"] = str(survey.questions.get(key="kinds").choices.first().pk)
    answer = client_as("staff").post(f"/surveys/{survey.pk}/", data)
    assert answer.status_code == 400 and "選択肢から選んでください" in answer.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("days", [-20, 5], ids=["closed", "not-yet-open"])
def test_a_survey_outside_its_period_refuses_answers(client_as, users, make_survey, days):
    today = timezone.localdate()
    survey = make_survey(opens_on=today + datetime.timedelta(days=days),
                         closes_on=today + datetime.timedelta(days=days + 10))
    client = client_as("staff")
    answer = client.post(f"/surveys/{survey.pk}/", form_data(survey, experienced="ない"))
    if days > 0:
        assert answer.status_code == 404  # not announced yet
        assert client.get(f"/surveys/{survey.pk}/").status_code == 404
    else:
        assert answer.status_code == 400 and "回答期間" in answer.content.decode()
        assert "回答期間" in client.get(f"/surveys/{survey.pk}/").content.decode()
    with pytest.raises(services.NotOpen):
        services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ない"))
    assert not Participation.objects.exists() and not Response.objects.exists()


def test_the_last_day_still_takes_answers(users, make_survey):
    today = timezone.localdate()
    survey = make_survey(opens_on=today - datetime.timedelta(days=10), closes_on=today)
    services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ない"))
    assert Participation.objects.get().answered_on == today


def test_every_active_user_may_answer_an_inactive_one_may_not(client_as, users, survey):
    for role in ("staff", "chief", "desk", "admin", "nurse"):
        assert client_as(role).post(f"/surveys/{survey.pk}/", form_data(survey, experienced="ない")).status_code == 302
    inactive = users["staff2"]
    inactive.is_active = False
    inactive.save()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        services.answer(survey=survey, actor=inactive, answers=pick(survey, experienced="ない"))


def test_the_home_page_reminds_until_answered(client_as, survey):
    client = client_as("staff")
    home = client.get("/").content.decode()
    assert "職員アンケートへのご協力のお願い" in home and f"/surveys/{survey.pk}/" in home
    client.post(f"/surveys/{survey.pk}/", form_data(survey, experienced="ない"))
    assert "職員アンケートへのご協力のお願い" not in client.get("/").content.decode()
    listing = client.get("/surveys/").content.decode()
    assert "回答済み" in listing


def test_answering_is_audited_naming_the_user_and_the_survey_only(users, survey):
    services.answer(survey=survey, actor=users["staff"], answers=pick(
        survey, experienced="ある", frequency="年に数回", kinds=("理不尽な要望等の繰り返し",), free="秘密の意見"))
    event = SurveyEvent.objects.get(action=SurveyAction.ANSWERED)
    assert event.actor == users["staff"] and event.survey == survey
    assert event.detail == {} and event.ip_address is None
    assert SurveyEvent.objects.filter(action=SurveyAction.CREATED, survey=survey).exists()


# -- two tabs at once (PostgreSQL) ------------------------------------------------------------------

TRIALS = 8


def post_together(user, url: str, posts: list[dict]) -> list:
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)

    def send(i: int, data: dict) -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(10)
            answers[i] = client.post(url, data)
        except Exception as error:  # an exception is an answer the assertions report
            answers[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, data)) for i, data in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


@pytest.mark.postgres
def test_two_tabs_posting_at_the_same_moment_make_one_answer(postgres, committed_db, users, make_survey):  # noqa: F811
    from organization.models import User

    for trial in range(TRIALS):
        survey = make_survey(title=f"試行{trial}")
        user = User.objects.create(username=f"tab{trial}", section=users["staff"].section)
        first = form_data(survey, experienced="ある", kinds=("長時間の拘束（電話、窓口など）",))
        second = form_data(survey, experienced="ない")

        answers = post_together(user, f"/surveys/{survey.pk}/", [first, second])

        codes = sorted(getattr(a, "status_code", a) for a in answers)
        assert codes == [302, 409], answers
        refused = next(a for a in answers if a.status_code == 409)
        assert "既に回答済みです" in refused.content.decode()
        assert Participation.objects.filter(survey=survey).count() == 1
        assert Response.objects.filter(survey=survey).count() == 1
        assert SurveyEvent.objects.filter(survey=survey, action=SurveyAction.ANSWERED).count() == 1
