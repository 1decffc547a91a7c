"""The demo's history for the dashboard (``manage.py load_demo`` calls ``load``): some 60 closed
cases spread over the previous and the current 年度 (several 態様, 課 and channels), so that /stats/
has two 年度 to compare. They are written directly (no notices: they are closed and notify nobody),
with titles starting 「（過去の事例）」 so they are easy to tell from the demo's living cases, from a
fixed seed (the same every time); a second run adds nothing."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import Channel, Difficulty, IncidentReport, Outcome
from kasuhara.figures import fiscal_year_of
from manual.models import HarassmentType
from organization.models import User

PREFIX = "（過去の事例）"
#: (title, 態様 codes, channel): what the history's cases are about.
KINDS = [
    ("窓口での大声", ["verbal_abuse"], Channel.COUNTER),
    ("長時間の電話", ["long_detention"], Channel.PHONE),
    ("同じ要望の繰り返し", ["repeat"], Channel.PHONE),
    ("威圧的な言動", ["intimidation", "verbal_abuse"], Channel.COUNTER),
    ("謝罪文の要求", ["authority"], Channel.COUNTER),
    ("SNS への書き込み", ["online_defamation"], Channel.ONLINE),
    ("執拗なメール", ["repeat"], Channel.EMAIL),
    ("自宅への呼び出し", ["off_premises"], Channel.VISIT),
]
#: How many cases in the previous and in the current 年度 (up to a week ago).
PREVIOUS, CURRENT = 34, 26


def load(users: dict[str, User]) -> int:
    """Add the history once; returns how many cases were made."""
    if IncidentReport.objects.filter(title__startswith=PREFIX).exists():
        return 0
    from incidents.services import refresh_search_text

    rng = random.Random(12)  # noqa: S311 - demo data
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    year = fiscal_year_of(today)
    types = {t.code: t for t in HarassmentType.objects.all()}
    reporters = [users[name] for name in ("staff", "staff2", "director", "member") if name in users]
    made = 0
    for fiscal_year, how_many, last_day in ((year - 1, PREVIOUS, datetime.date(year, 3, 31)),
                                            (year, CURRENT, today - datetime.timedelta(days=7))):
        first_day = datetime.date(fiscal_year, 4, 1)
        span = max((last_day - first_day).days, 1)
        for n in range(how_many):
            title, codes, channel = KINDS[rng.randrange(len(KINDS))]
            reporter = reporters[rng.randrange(len(reporters))]
            day = first_day + datetime.timedelta(days=rng.randrange(span))
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), 0)), zone)
            minutes = rng.choice([15, 20, 30, 45, 60, 90, 120])
            submitted = start + datetime.timedelta(hours=rng.randint(1, 30))
            accepted = submitted + datetime.timedelta(days=rng.choice([0, 1, 1, 2, 3, 4, 6]), hours=2)
            report = IncidentReport.objects.create(
                reporter=reporter, section=reporter.section, status=Status.CLOSED,
                title=f"{PREFIX}{title}（{n + 1}）", occurred_start=start,
                occurred_end=start + datetime.timedelta(minutes=minutes), channel=channel,
                staff_count=1, counterpart_count=1, demand="（過去の事例のため省略）", conduct="（過去の事例のため省略）",
                police_called=rng.random() < 0.1, work_minutes_lost=rng.choice([0, 0, 15, 30, 60]),
                wants_mental_care=rng.random() < 0.15, submitted_at=submitted, accepted_at=accepted,
                difficulty=rng.choice([Difficulty.NORMAL, Difficulty.NORMAL, Difficulty.HARD, Difficulty.VERY_HARD]),
                handler=users.get("desk"), outcome=Outcome.RESOLVED, outcome_note="（過去の事例）",
                closed_at=min(accepted + datetime.timedelta(days=rng.randint(1, 20)), timezone.now()),
            )
            report.harassment_types.set([types[code] for code in codes if code in types])
            refresh_search_text(report)
            made += 1
    return made
