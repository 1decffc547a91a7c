"""The demo's organisation as it changes over a year (``manage.py load_demo`` calls ``load`` after
the users, before the cases):

- a 代理: 「福祉 係長」 acts as the 所属長 of 福祉課 for a month around today (the 課長 is away), so
  they read 福祉課's cases in the queue, confirm them and get its notices like the 課長 does;
- a renamed 課: 長寿社会課 was 高齢福祉課 until last March; a case filed then keeps the old name
  (「高齢福祉課（現在：長寿社会課）」 on its page).

The two people it adds are not among the demo's role users (the access tables list those), and a
second run adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import Channel, Difficulty, IncidentReport, Outcome
from kasuhara.figures import fiscal_year_of

from .models import ActingAssignment, Section, User

#: username: (display name, 課)
PEOPLE = {
    "kakaricho": ("福祉 係長", "福祉課"),
    "staff3": ("長寿 次郎", "長寿社会課"),
}
ACTING_REASON = "福祉課長の出張・休暇中（デモ）"
RENAMED, OLD_NAME = "長寿社会課", "高齢福祉課"
RENAMED_TITLE = "（名称変更前の課）窓口での大声"


def load(users: dict[str, User], sections: dict[str, Section], *, password: str) -> dict[str, User]:
    """Add the 代理 and the renamed 課's case once; returns the people it uses."""
    people = {}
    for username, (display, section) in PEOPLE.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, section=sections[section],
                        email=f"{username}@example.lg.jp")
            user.set_password(password)
            user.save()
        people[username] = user
    today = timezone.localdate()
    acting = people["kakaricho"]
    if not ActingAssignment.objects.filter(user=acting).exists():
        ActingAssignment.objects.create(
            user=acting, kind=ActingAssignment.Kind.SECTION_CHIEF, section=sections["福祉課"],
            starts_on=today - datetime.timedelta(days=7), ends_on=today + datetime.timedelta(days=23),
            reason=ACTING_REASON, created_by=users.get("admin"))
    if not IncidentReport.objects.filter(title=RENAMED_TITLE).exists():
        _renamed_case(people["staff3"], sections[RENAMED], users.get("desk"), today)
    return people


def _renamed_case(reporter: User, section: Section, desk: User | None, today: datetime.date) -> IncidentReport:
    """A closed case of last 年度's February, filed while the 課 was still called 高齢福祉課."""
    from incidents.services import refresh_search_text

    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime(fiscal_year_of(today), 2, 10, 10, 0), zone)
    submitted = start + datetime.timedelta(hours=3)
    report = IncidentReport.objects.create(
        reporter=reporter, section=section, section_name=OLD_NAME, status=Status.CLOSED, title=RENAMED_TITLE,
        occurred_start=start, occurred_end=start + datetime.timedelta(minutes=40), channel=Channel.COUNTER,
        staff_count=1, counterpart_count=1, demand="介護保険料の減額", conduct="「早くしろ」と窓口で大声を繰り返した。",
        submitted_at=submitted, accepted_at=submitted + datetime.timedelta(days=1), difficulty=Difficulty.NORMAL,
        handler=desk, outcome=Outcome.RESOLVED, outcome_note="（デモ）以後の来庁では落ち着いて対応できている。",
        closed_at=submitted + datetime.timedelta(days=10),
    )
    refresh_search_text(report)
    return report
