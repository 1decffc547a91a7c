"""Results: counts and percentages per choice against hand-computed numbers, the previous survey
beside them, the tables of the annual report, who may read them (404 for others) and the free
text for the 相談窓口 only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasuhara.figures import fiscal_year_label, fiscal_year_of
from organization.models import User
from surveys import selectors, services
from tests.surveys.conftest import pick

LONG, ABUSE, REPEAT = "長時間の拘束（電話、窓口など）", "怒鳴り声をあげる、侮辱的発言などの暴言", "理不尽な要望等の繰り返し"

# The previous survey: 4 sheets. 「ある」 2 of 4 = 50.0 %; frequency 1 + 1 of 2; kinds of the
# 2 who answered it: 長時間 2 (100.0 %), 暴言 1 (50.0 %).
BEFORE = [
    {"experienced": "ある", "frequency": "年に数回", "kinds": (LONG, ABUSE)},
    {"experienced": "ある", "frequency": "直近3年間に数回", "kinds": (LONG,)},
    {"experienced": "ない"},
    {"experienced": "ない", "free": "特になし"},
]
# This survey: 3 sheets. 「ある」 2 of 3 = 66.7 %, 「ない」 1 = 33.3 %; 年に数回 2 of 2 = 100.0 %;
# kinds of the 2: 長時間 2 (100.0 %), 理不尽 1 (50.0 %), 暴言 0 (0.0 %).
NOW = [
    {"experienced": "ある", "frequency": "年に数回", "kinds": (LONG, REPEAT), "free": "山田さんに怒鳴られた"},
    {"experienced": "ある", "frequency": "年に数回", "kinds": (LONG,), "free": "A: 録音機がほしい"},
    {"experienced": "ない"},
]


@pytest.fixture
def surveys(users, make_survey):
    today = timezone.localdate()
    before = make_survey(title="前回のアンケート", opens_on=today - datetime.timedelta(days=400),
                         closes_on=today - datetime.timedelta(days=380))
    now = make_survey(title="今回のアンケート", opens_on=today - datetime.timedelta(days=3))
    section = users["staff"].section
    for survey, sheets, day in ((before, BEFORE, before.opens_on), (now, NOW, today)):
        for i, sheet in enumerate(sheets):
            user = User.objects.create(username=f"{survey.pk}-{i}", section=section)
            services.answer(survey=survey, actor=user, answers=pick(survey, **sheet), today=day)
    return before, now


def _rows(table) -> dict:
    return {label: cells for label, cells in table.rows}


def test_counts_and_percentages_beside_the_previous_survey(surveys):
    before, now = surveys
    result = selectors.results(now)
    assert result.previous == before and result.respondents == 3 and result.previous_respondents == 4
    experienced, frequency, kinds = result.tables()
    assert _rows(experienced) == {"ある": [2, 66.7, 2, 50.0], "ない": [1, 33.3, 2, 50.0]}
    assert _rows(frequency) == {"月に1回以上": [0, 0.0, 0, 0.0], "年に数回": [2, 100.0, 1, 50.0],
                                "直近3年間に数回": [0, 0.0, 1, 50.0], "直近3年間に1回": [0, 0.0, 0, 0.0]}
    rows = _rows(kinds)
    assert rows[LONG] == [2, 100.0, 2, 100.0]
    assert rows[ABUSE] == [0, 0.0, 1, 50.0]
    assert rows[REPEAT] == [1, 50.0, 0, 0.0]
    assert kinds.chart == "bar" and experienced.chart is None
    assert kinds.extra["respondents"] == 2 and kinds.extra["previous_respondents"] == 2
    this, last = fiscal_year_label(fiscal_year_of(now.closes_on)), fiscal_year_label(fiscal_year_of(before.closes_on))
    assert experienced.headers == [f"{this} 回答数", f"{this} 割合（%）", f"{last} 回答数", f"{last} 割合（%）"]


def test_the_first_survey_has_no_previous_numbers(users, make_survey):
    survey = make_survey()
    services.answer(survey=survey, actor=users["staff"], answers=pick(survey, experienced="ある"))
    experienced = selectors.results(survey).tables()[0]
    assert _rows(experienced) == {"ある": [1, 100.0, None, None], "ない": [0, 0.0, None, None]}


def test_the_annual_report_gets_the_tables_of_the_survey_closing_in_the_year(surveys):
    before, now = surveys
    tables = selectors.tables_for_fiscal_year(fiscal_year_of(now.closes_on))
    assert [t.key for t in tables] == [f"survey-{now.pk}-experienced", f"survey-{now.pk}-frequency",
                                       f"survey-{now.pk}-kinds"]
    assert _rows(tables[0])["ある"] == [2, 66.7, 2, 50.0]
    assert tables[0].as_dict()["rows"][0] == ("ある", [2, 66.7, 2, 50.0])
    older = selectors.tables_for_fiscal_year(fiscal_year_of(before.closes_on))
    assert _rows(older[0]) == {"ある": [2, 50.0, None, None], "ない": [2, 50.0, None, None]}
    assert selectors.tables_for_fiscal_year(1990) == []


def test_the_number_of_queries_does_not_grow_with_the_answers(users, surveys):
    before, now = surveys
    year = fiscal_year_of(now.closes_on)
    with CaptureQueriesContext(connection) as few:
        selectors.tables_for_fiscal_year(year)
    for i in range(10):
        user = User.objects.create(username=f"more{i}", section=users["staff"].section)
        services.answer(survey=now, actor=user, answers=pick(now, experienced="ある", kinds=(LONG, ABUSE, REPEAT)))
    with CaptureQueriesContext(connection) as many:
        tables = selectors.tables_for_fiscal_year(year)
    assert len(few) == len(many) == 7
    assert _rows(tables[2])[LONG][0] == 12


# The 総務課長 reads the annual report, which carries these results: the results page too.
ALLOWED = ("desk", "desk2", "chair", "member", "gadir", "gachief", "admin")
REFUSED = ("staff", "staff2", "chief", "chief2", "director", "nurse")


@pytest.mark.parametrize("role", ALLOWED + REFUSED)
def test_who_reads_the_results(client_as, surveys, role):
    before, now = surveys
    answer = client_as(role).get(f"/surveys/{now.pk}/results/")
    assert ("アンケートの結果を見る" in client_as(role).get("/").content.decode()) == (role in ALLOWED)
    if role in REFUSED:
        assert answer.status_code == 404
        assert "今回のアンケート" not in answer.content.decode()
        assert "結果" not in client_as(role).get("/surveys/").content.decode().split("<main")[1]
        return
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "66.7" in page and "33.3" in page and "前回のアンケート（回答者 4 人）" in page
    assert '<th scope="row">ある</th>' in page and '<th scope="col"' in page
    if role in ("desk", "desk2"):  # the 相談窓口
        assert "山田さんに怒鳴られた" in page and "氏名など個人が分かる内容が含まれていることがあります" in page
        # sorted by text, not in the order given
        assert page.index("A: 録音機がほしい") < page.index("山田さんに怒鳴られた")
    else:
        assert "山田さんに怒鳴られた" not in page and "録音機" not in page


def test_a_survey_not_open_yet_has_no_results_page(client_as, make_survey):
    today = timezone.localdate()
    later = make_survey(opens_on=today + datetime.timedelta(days=3), closes_on=today + datetime.timedelta(days=9))
    assert client_as("desk").get(f"/surveys/{later.pk}/results/").status_code == 404
    assert client_as("desk").get("/surveys/99999/results/").status_code == 404


def test_the_results_page_costs_the_same_queries_with_more_answers(client_as, users, surveys, django_assert_max_num_queries):
    before, now = surveys
    client = client_as("desk")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/surveys/{now.pk}/results/")
    for i in range(10):
        user = User.objects.create(username=f"extra{i}", section=users["staff"].section)
        services.answer(survey=now, actor=user, answers=pick(now, experienced="ない", free=f"意見{i}"))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/surveys/{now.pk}/results/")
    assert len(few) == len(many)


def test_two_surveys_in_one_year_name_the_earlier_one_previous(users, make_survey):
    spring = make_survey(title="春", opens_on=datetime.date(2024, 5, 1), closes_on=datetime.date(2024, 5, 10))
    autumn = make_survey(title="秋", opens_on=datetime.date(2024, 10, 1), closes_on=datetime.date(2024, 10, 10))
    services.answer(survey=autumn, actor=users["staff"], answers=pick(autumn, experienced="ない"), today=autumn.opens_on)
    result = selectors.results(autumn)
    assert result.previous == spring
    table = result.tables()[0]
    assert table.headers == ["令和6年度 回答数", "令和6年度 割合（%）", "前回 回答数", "前回 割合（%）"]
    assert _rows(table)["ない"] == [1, 100.0, 0, None]
