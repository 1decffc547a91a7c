"""The fixed data set of the stats tests: cases of 令和6年度 (2024-04 – 2025-03) and 令和7年度
(2025-04 – 2026-03) with chosen dates, so that every figure can be counted by hand.

令和7年度 (9 cases counted; a draft, a discarded report and a 令和5年度 case are not):

    case  課         発生日       態様                         場所  状態         提出→受付 (営業日)
    c1    市民課     2025-04-10   verbal_abuse + intimidation  窓口  closed (困難) Thu 04-10 → Mon 04-14: 2
    c2    市民課     2025-05-02   verbal_abuse                 電話  in_progress  Fri 05-02 → Wed 05-07: 1 (GW 5/3–5/6)
    c3    市民課     2025-06-16   repeat                       電話  closed       Mon 06-16 → Fri 06-20: 4
    c4    市民課     (none)       long_detention               窓口  closed       Fri 07-18 → Tue 07-22: 1 (7/21 海の日)
    c5    市民課     2025-10-01   verbal_abuse                 窓口  submitted    not accepted
    c6    生活環境課 2025-08-05   verbal_abuse                 メール closed       Tue 08-05 → Fri 08-08: 3
    c7    生活環境課 2025-09-10   repeat                       電話  closed       Wed 09-10 → Fri 09-12: 2
    c8    福祉課     2025-04-20   violence                     窓口  closed       Sun 04-20 → Mon 04-21: 1
    c9    福祉課     2026-01-15   private_contact              個人  in_progress  Thu 01-15 → Fri 01-16: 1

c4 has no 発生日: it counts by its 提出日 (2025-07-18). c3 went to the committee: decision finalised
Tue 2025-07-01 (11 business days after 06-16), with two measures (one done, one overdue).
Police: c1, c8. 対応時間: c1 150 min, c8 30 min. Work time lost: c1 60 min, c9 30 min. Mental care: c1.

令和6年度 (5 cases): p1 市民課 2024-05-10 verbal_abuse 窓口 (Fri→Mon 05-13: 1); p2 市民課 2024-11-05
verbal_abuse 電話 (→ 11-07: 2); p3 福祉課 2024-06-03 violence 窓口, police (→ 06-05: 2); p4 福祉課
2025-02-10 long_detention 窓口 (→ Wed 02-12: 1, 2/11 建国記念の日); p5 生活環境課 2024-12-20 repeat
メール (Fri → Mon 12-23: 1). All closed, 通常.

Counterparts: X linked to c2 and c3 (2 cases in 令和7年度: a repeat counterpart); Y linked to p1 and c1
(a year apart: in neither 年度's 12 months twice). Consultations: 市民課 2025-05-01 and one with no
発生日 received 2025-06-02 (令和7年度), 福祉課 2024-07-01 (令和6年度).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

TOKYO = ZoneInfo("Asia/Tokyo")
#: The day the tests count "today" from (open cases' ages, overdue measures).
TODAY = datetime.date(2026, 11, 24)


def at(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute), TOKYO)


@pytest.fixture
def stats_data(users, types):
    """The fixed data set above; returns its cases by name and the 課 by name."""
    from committee.models import AgendaItem, Decision, Judged, Measure, MeasureType, Meeting
    from consultations.models import Consultation
    from counterparts.models import Counterpart, CounterpartLink
    from incidents.lifecycle import Status
    from incidents.models import Channel, Difficulty, IncidentReport
    from organization.models import Section

    sections = {s.name: s for s in Section.objects.all()}
    reporters = {"市民課": users["staff"], "生活環境課": users["director"], "福祉課": users["staff2"]}
    cases = {}

    def case(name, section, occurred, type_codes, channel, status, *, submitted=None, accepted=None,
             difficulty=Difficulty.NORMAL, minutes=None, **fields):
        start = at(occurred) if occurred else None
        submitted_at = at(submitted or occurred, 17) if status not in (Status.DRAFT,) else None
        report = IncidentReport.objects.create(
            reporter=reporters[section], section=sections[section], title=f"（統計テスト）{name}", status=status,
            occurred_start=start, occurred_end=start + datetime.timedelta(minutes=minutes) if minutes else None,
            channel=channel, submitted_at=submitted_at, accepted_at=at(accepted, 9) if accepted else None,
            difficulty=difficulty if accepted else "", **fields)
        report.harassment_types.set([types[code] for code in type_codes])
        cases[name] = report
        return report

    S, C = Status, Channel
    case("c1", "市民課", "2025-04-10", ["verbal_abuse", "intimidation"], C.COUNTER, S.CLOSED, accepted="2025-04-14",
         difficulty=Difficulty.HARD, minutes=150, police_called=True, work_minutes_lost=60, wants_mental_care=True)
    case("c2", "市民課", "2025-05-02", ["verbal_abuse"], C.PHONE, S.IN_PROGRESS, accepted="2025-05-07")
    case("c3", "市民課", "2025-06-16", ["repeat"], C.PHONE, S.CLOSED, accepted="2025-06-20")
    case("c4", "市民課", None, ["long_detention"], C.COUNTER, S.CLOSED, submitted="2025-07-18", accepted="2025-07-22")
    case("c5", "市民課", "2025-10-01", ["verbal_abuse"], C.COUNTER, S.SUBMITTED)
    case("c6", "生活環境課", "2025-08-05", ["verbal_abuse"], C.EMAIL, S.CLOSED, accepted="2025-08-08")
    case("c7", "生活環境課", "2025-09-10", ["repeat"], C.PHONE, S.CLOSED, accepted="2025-09-12")
    case("c8", "福祉課", "2025-04-20", ["violence"], C.COUNTER, S.CLOSED, accepted="2025-04-21", minutes=30,
         police_called=True)
    case("c9", "福祉課", "2026-01-15", ["private_contact"], C.PERSONAL, S.IN_PROGRESS, accepted="2026-01-16",
         work_minutes_lost=30)
    # Not counted: a draft, a discarded report (both 令和7年度) and a case of 令和5年度.
    case("draft", "市民課", "2025-05-20", ["verbal_abuse"], C.COUNTER, S.DRAFT)
    case("discarded", "市民課", "2025-05-21", ["verbal_abuse"], C.COUNTER, S.DISCARDED)
    case("old", "市民課", "2024-03-29", ["verbal_abuse"], C.COUNTER, S.CLOSED, accepted="2024-04-01")
    # 令和6年度
    case("p1", "市民課", "2024-05-10", ["verbal_abuse"], C.COUNTER, S.CLOSED, accepted="2024-05-13")
    case("p2", "市民課", "2024-11-05", ["verbal_abuse"], C.PHONE, S.CLOSED, accepted="2024-11-07")
    case("p3", "福祉課", "2024-06-03", ["violence"], C.COUNTER, S.CLOSED, accepted="2024-06-05", police_called=True)
    case("p4", "福祉課", "2025-02-10", ["long_detention"], C.COUNTER, S.CLOSED, accepted="2025-02-12")
    case("p5", "生活環境課", "2024-12-20", ["repeat"], C.EMAIL, S.CLOSED, accepted="2024-12-23")

    desk = users["desk"]
    x = Counterpart.objects.create(name="統計 太郎", created_by=desk)
    y = Counterpart.objects.create(name="統計 次郎", created_by=desk)
    for counterpart, names in ((x, ("c2", "c3")), (y, ("p1", "c1"))):
        for name in names:
            CounterpartLink.objects.create(counterpart=counterpart, report=cases[name], linked_by=desk)

    common = {"what_happened": "窓口で大声を出された。", "wish": "対応を相談したい", "contact": "内線1234"}
    Consultation.objects.create(author=users["staff"], section=sections["市民課"], occurred_on=datetime.date(2025, 5, 1),
                                **common)
    late = Consultation.objects.create(author=users["staff"], section=sections["市民課"], **common)
    Consultation.objects.filter(pk=late.pk).update(created_at=at("2025-06-02"))
    Consultation.objects.create(author=users["staff2"], section=sections["福祉課"], occurred_on=datetime.date(2024, 7, 1),
                                **common)

    meeting = Meeting.objects.create(starts_at=at("2025-07-01", 14), created_by=users["chair"])
    item = AgendaItem.objects.create(meeting=meeting, report=cases["c3"], added_by=users["desk"])
    decision = Decision.objects.create(item=item, report=cases["c3"], judged=Judged.values[0], policy="文書で警告する。",
                                       created_by=users["chair"], finalised_at=at("2025-07-01", 16),
                                       finalised_by=users["chair"])
    kind = MeasureType.objects.create(code="stats-test-warning", name="文書による警告")
    Measure.objects.create(decision=decision, type=kind, owner_section=sections["市民課"], due_on=datetime.date(2025, 7, 31),
                           done_at=at("2025-07-20"))
    Measure.objects.create(decision=decision, type=kind, owner_section=sections["市民課"], due_on=datetime.date(2025, 8, 31))
    return {"cases": cases, "sections": sections}


def cells(tables, key: str) -> dict[str, list]:
    """{row heading: cells} of the table ``key``."""
    table = next(t for t in tables if t.key == key)
    return {label: list(values) for label, values in table.rows}
