"""The demo's staff surveys (``manage.py load_demo`` calls ``load``), answered through the service:
one closed survey of the last 年度 that ten demo users answered, and one open survey of this 年度
that every demo user but ``staff`` has answered (so ``staff`` sees the notice on the home page).
Running it twice changes nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kasuhara.figures import fiscal_year_label, fiscal_year_of
from organization.models import User

from . import services
from .models import Survey

#: The answers of the last 年度's survey, one per user: experienced, frequency, kinds (indexes of
#: the default choices), free text.
PAST = {
    "staff": (0, 1, [0, 1], "窓口に一人で対応する時間を減らしてほしい。"),
    "staff2": (0, 2, [0, 2], ""),
    "chief": (0, 1, [1, 4], "録音機の配備を希望します。"),
    "chief2": (1, None, [], ""),
    "director": (1, None, [], ""),
    "desk": (0, 0, [0, 1, 2], ""),
    "desk2": (1, None, [], ""),
    "gachief": (0, 2, [3], ""),
    "member": (1, None, [], ""),
    "nurse": (0, 1, [1, 5], "相談しやすい窓口があると助かる。"),
}
#: This 年度's open survey: everyone but ``staff`` (and the 管理者) has answered.
NOW = {
    "staff2": (0, 1, [0, 2], "電話を切ってよい目安をはっきりさせてほしい。"),
    "chief": (0, 1, [0, 1], ""),
    "chief2": (0, 2, [2], ""),
    "director": (1, None, [], ""),
    "desk": (0, 1, [0, 1, 2], ""),
    "desk2": (0, 3, [4], ""),
    "gachief": (1, None, [], ""),
    "gadir": (1, None, [], ""),
    "chair": (0, 2, [1], ""),
    "member": (1, None, [], ""),
    "nurse": (0, 1, [1, 5], ""),
}


def _answer(survey: Survey, user: User, values: tuple, day: datetime.date) -> None:
    experienced, frequency, kinds, text = values
    questions = {q.key: q for q in survey.questions.prefetch_related("choices")}

    def choice(key: str, index: int) -> int:
        return list(questions[key].choices.all())[index].pk

    services.answer(survey=survey, actor=user, today=day, answers={
        questions["experienced"].pk: choice("experienced", experienced),
        questions["frequency"].pk: choice("frequency", frequency) if frequency is not None else "",
        questions["kinds"].pk: [choice("kinds", i) for i in kinds],
        questions["free"].pk: text,
    })


def _survey(admin: User, year: int, opens_on: datetime.date, closes_on: datetime.date,
            answers: dict, users: dict[str, User]) -> None:
    title = f"カスハラに関する職員アンケート（{fiscal_year_label(year)}）"
    if Survey.objects.filter(title=title).exists():
        return
    survey = services.create_survey(
        actor=admin, title=title, opens_on=opens_on, closes_on=closes_on,
        description="市民等からのカスタマーハラスメントの実態を把握し、対策に生かすためのアンケートです。所要時間は3分ほどです。",
    )
    for username, values in answers.items():
        if username in users:
            _answer(survey, users[username], values, opens_on)


def load(users: dict[str, User]) -> None:
    today = timezone.localdate()
    year = fiscal_year_of(today)
    admin = users["admin"]
    _survey(admin, year - 1, datetime.date(year - 1, 5, 12), datetime.date(year - 1, 5, 30), PAST, users)
    _survey(admin, year, today - datetime.timedelta(days=7), today + datetime.timedelta(days=21), NOW, users)


def survey_id(*, open_now: bool) -> int:
    """The demo's open survey (``open_now``) or the last 年度's closed one."""
    today = timezone.localdate()
    surveys = Survey.objects.filter(title__startswith="カスハラに関する職員アンケート")
    if open_now:
        return surveys.filter(opens_on__lte=today, closes_on__gte=today).values_list("pk", flat=True).get()
    return surveys.filter(closes_on__lt=today).values_list("pk", flat=True).latest("closes_on")
