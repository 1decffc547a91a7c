"""Anonymity: the product records THAT a user answered, never WHICH answer is theirs.

After two users answer differently, every column of every answer table is walked: nothing in them
names a user, a participation or an event, and nothing (no time, no counter) tells the two answer
sheets apart except the answers themselves. The models are checked as well: no link to the user or
the participation, no date or time, random UUID4 keys."""

from __future__ import annotations

import uuid

from django.db import connection, models

from organization.models import User
from surveys import services
from surveys.models import Choice, ChoiceAnswer, Participation, Response, SurveyEvent, TextAnswer
from tests.surveys.conftest import pick

ANSWER_MODELS = (Response, ChoiceAnswer, TextAnswer)


def test_the_answer_tables_have_no_link_to_a_user_and_no_time():
    for model in ANSWER_MODELS:
        for field in model._meta.get_fields():
            if field.is_relation and field.many_to_one:
                assert field.related_model not in (User, Participation, SurveyEvent), (model, field.name)
            assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField), (model, field)
        assert isinstance(model._meta.pk, models.UUIDField), model
    names = {model: {f.name for f in model._meta.concrete_fields} for model in ANSWER_MODELS}
    assert names == {
        Response: {"id", "survey"},
        ChoiceAnswer: {"id", "response", "choice"},
        TextAnswer: {"id", "response", "question", "text"},
    }
    participation = {f.name for f in Participation._meta.concrete_fields}
    assert participation == {"id", "survey", "user", "answered_on"}
    assert isinstance(Participation._meta.get_field("answered_on"), models.DateField)
    assert not isinstance(Participation._meta.get_field("answered_on"), models.DateTimeField)


def _rows(model) -> list[tuple]:
    """Every column of every row, as the database holds it (in the order of ``concrete_fields``)."""
    table = model._meta.db_table
    columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{table}"')  # noqa: S608 - a model's own table and columns
        return cursor.fetchall()


def test_after_two_users_answer_nothing_tells_whose_answer_is_whose(users, survey):
    staff, staff2 = users["staff"], users["staff2"]
    services.answer(survey=survey, actor=staff, answers=pick(
        survey, experienced="ある", frequency="年に数回", kinds=("長時間の拘束（電話、窓口など）",), free="録音機がほしい"))
    services.answer(survey=survey, actor=staff2, answers=pick(survey, experienced="ない", free="特になし"))

    # What is known about the two users: who they are, their participations, their audit events.
    known = {staff.pk, staff2.pk, staff.username, staff2.username, staff.display_name, staff2.display_name}
    known |= {str(v) for v in Participation.objects.values_list("pk", flat=True)}
    known |= {str(v) for v in SurveyEvent.objects.values_list("pk", flat=True)}
    own = {"survey_id": {survey.pk}, "question_id": set(survey.questions.values_list("pk", flat=True)),
           "choice_id": set(Choice.objects.filter(question__survey=survey).values_list("pk", flat=True))}
    sheets = list(Response.objects.all())
    assert len(sheets) == 2
    per_sheet: dict[str, list[tuple]] = {str(s.pk): [] for s in sheets}
    for model in ANSWER_MODELS:
        with connection.cursor() as cursor:  # every column the table has, not only the model's
            table_columns = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
        columns = [f.column for f in model._meta.concrete_fields]
        assert table_columns == set(columns), model
        for row in _rows(model):
            values = dict(zip(columns, row, strict=True))
            for column, value in values.items():
                if column in ("id", "response_id"):
                    assert isinstance(value, uuid.UUID) and value.version == 4, (model, column, value)
                    assert str(value) not in known, (model, column, value)
                elif column in own:  # the survey's own question and choice rows, the same for everyone
                    assert value in own[column], (model, column, value)
                else:
                    assert column == "text", (model, column)
                    assert value not in known, (model, column, value)
            sheet = str(values.get("response_id") or values["id"])
            per_sheet[sheet].append(tuple(sorted((c, str(v)) for c, v in values.items()
                                                 if c not in ("id", "response_id"))))
    # Besides the answers themselves, the two sheets hold the same kind of data: the only columns
    # that differ are the chosen choices and the texts (what was answered), no counter, no time.
    shapes = [sorted({c for row in rows for c, _v in row}) for rows in per_sheet.values()]
    assert all(set(shape) <= {"survey_id", "question_id", "choice_id", "text"} for shape in shapes)

    # The participations say who answered, with the same day for both, and nothing that leads on.
    participations = list(Participation.objects.values("user_id", "answered_on", "survey_id"))
    assert {p["user_id"] for p in participations} == {staff.pk, staff2.pk}
    assert len({p["answered_on"] for p in participations}) == 1

    # The audit trail names the user and the survey, nothing of the answer.
    for event in SurveyEvent.objects.filter(action="answered"):
        assert event.detail == {}
    trail = " ".join(str(e.detail) for e in SurveyEvent.objects.all())
    for said in ("録音機がほしい", "特になし", "ある", "ない"):
        assert said not in trail


def test_the_answer_keys_are_random_not_in_the_order_of_answering(users, survey):
    """UUID4 keys: sorting the answer sheets by key does not give the order users answered in
    (checked over many sheets, where a sequence would show)."""
    sheets = []
    for i in range(30):
        user = User.objects.create(username=f"u{i}", section=users["staff"].section)
        services.answer(survey=survey, actor=user, answers=pick(survey, experienced="ない"))
        sheets.append(Response.objects.exclude(pk__in=sheets).values_list("pk", flat=True).get())
    assert all(pk.version == 4 for pk in sheets)
    assert sorted(sheets) != sheets
