"""The 相談窓口's queue (/queue/): search, filters, tabs and counts, sorting, pages, age and the
overdue mark, who may open it and what each role sees, and a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import queue
from incidents.lifecycle import Status
from incidents.models import Channel, Difficulty, Level
from incidents.services import refresh_search_text

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def case(make_report, users):
    """``case(**fields)``: a report (by ``staff`` unless ``reporter`` is given) with its search text."""

    def make(reporter=None, **fields):
        report = make_report(reporter or users["staff"], **fields)
        refresh_search_text(report)
        return report

    return make


def ids(response) -> list[int]:
    assert response.status_code == 200
    return [row.pk for row in response.context["queue"].rows]


def get(client, **params):
    return client.get("/queue/?" + urlencode(params, doseq=True))


def counts(response) -> dict[str, int]:
    return {tab.key: n for tab, n in response.context["queue"].tabs}


# -- who may open it -------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff", "staff2", "chair", "member", "admin"])
def test_other_roles_get_404(client_as, username):
    assert client_as(username).get("/queue/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/queue/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_drafts_never_shown(client_as, case, users):
    draft = case(status=Status.DRAFT, title="書きかけ")
    own_draft = case(reporter=users["desk"], status=Status.DRAFT)
    submitted = case()
    response = get(client_as("desk"), tab="all")
    assert submitted.pk in ids(response)
    assert draft.pk not in ids(response) and own_draft.pk not in ids(response)
    assert counts(response)["all"] == 1


def test_chief_sees_only_own_section(client_as, case, users, neighbour):
    mine = case()
    other = case(reporter=users["staff2"])
    same_department = case(reporter=neighbour)
    response = get(client_as("chief"), tab="all")
    assert ids(response) == [mine.pk]
    assert other.pk not in ids(response) and same_department.pk not in ids(response)


def test_director_sees_department_and_defaults_to_difficult(client_as, case, users, neighbour):
    hard = case(difficulty=Difficulty.HARD, status=Status.CONFIRMED)
    very_hard = case(reporter=neighbour, difficulty=Difficulty.VERY_HARD, status=Status.CONFIRMED)
    normal = case(difficulty=Difficulty.NORMAL, status=Status.CONFIRMED)
    elsewhere = case(reporter=users["staff2"], difficulty=Difficulty.HARD, status=Status.CONFIRMED)
    client = client_as("director")
    response = client.get("/queue/")
    assert response.context["queue"].tab == "difficult"
    assert set(ids(response)) == {hard.pk, very_hard.pk}
    everything = get(client, tab="all")
    assert set(ids(everything)) == {hard.pk, very_hard.pk, normal.pk}
    assert elsewhere.pk not in ids(everything)


def test_ga_director_sees_cross_review_cases(client_as, case, users):
    from organization.models import User

    User.objects.filter(pk=users["member"].pk).update(is_ga_director=True)
    raised = case(reporter=users["staff2"], difficulty=Difficulty.VERY_HARD, cross_review=True, status=Status.ACCEPTED)
    case(difficulty=Difficulty.VERY_HARD, status=Status.ACCEPTED)
    assert ids(get(client_as("member"), tab="all")) == [raised.pk]


# -- search --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "field", "text"), [
    ("暴言", "conduct", "「暴言を繰り返し」窓口で大声を出した。"),
    ("土下座", "demand", "土下座しろと要求"),
    ("ＳＮＳ", "conduct", "snsに投稿すると言った"),
    ("sns", "title", "ＳＮＳへの投稿"),
    ("ｶﾀｶﾅ", "title", "カタカナの件名"),
    ("山田", "counterpart_name", "山田 某"),
])
def test_search_finds_japanese_substrings(client_as, case, word, field, text):
    found = case(**{field: text})
    case(title="別の件", conduct="長時間の居座り", demand="手数料の免除")
    assert ids(get(client_as("desk"), tab="all", q=word)) == [found.pk]


def test_search_covers_the_timeline(client_as, case):
    from incidents.models import TimelineEntry

    report = case()
    TimelineEntry.objects.create(report=report, description="警察に通報した")
    refresh_search_text(report)
    case()
    assert ids(get(client_as("desk"), tab="all", q="通報")) == [report.pk]


def test_search_words_are_anded(client_as, case):
    both = case(title="窓口での暴言", demand="土下座の要求")
    case(title="窓口での暴言", demand="手数料の免除")
    assert ids(get(client_as("desk"), tab="all", q="暴言\u3000土下座")) == [both.pk]
    assert len(ids(get(client_as("desk"), tab="all", q="暴言"))) == 2


def test_search_with_like_wildcards_is_literal(client_as, case):
    case(title="100%の回答を要求")
    case(title="別件")
    assert len(ids(get(client_as("desk"), tab="all", q="%"))) == 1
    assert ids(get(client_as("desk"), tab="all", q="_")) == []


# -- filters ---------------------------------------------------------------------------------------

def test_each_filter(client_as, case, users, types, neighbour):
    desk = users["desk"]
    a = case(type_codes=("long_detention",), channel=Channel.COUNTER, difficulty=Difficulty.HARD,
             continuity=Level.HIGH, malice=Level.LOW, urgent=True, handler=desk, status=Status.ACCEPTED,
             occurred_start=datetime(2025, 5, 1, 10, tzinfo=JST), occurred_end=datetime(2025, 5, 1, 11, tzinfo=JST),
             submitted_at=datetime(2025, 5, 2, 9, tzinfo=JST))
    b = case(reporter=users["staff2"], channel=Channel.PHONE, difficulty=Difficulty.NORMAL,
             continuity=Level.LOW, malice=Level.HIGH, status=Status.ACCEPTED,
             submitted_at=datetime(2025, 6, 20, 9, tzinfo=JST))
    c = case(reporter=neighbour, status=Status.ACCEPTED, handler=users["chair"],
             submitted_at=datetime(2025, 6, 21, 9, tzinfo=JST))
    client = client_as("desk")

    def found(**params):
        return set(ids(get(client, tab="all", **params)))

    assert found(types=[types["long_detention"].pk]) == {a.pk}
    assert found(types=[types["long_detention"].pk, types["verbal_abuse"].pk]) == {a.pk, b.pk, c.pk}
    assert found(section=users["staff2"].section_id) == {b.pk}
    assert found(department=users["staff"].section.department_id) == {a.pk, c.pk}
    assert found(difficulty=[Difficulty.HARD]) == {a.pk}
    assert found(difficulty=[Difficulty.HARD, Difficulty.NORMAL]) == {a.pk, b.pk}
    assert found(continuity=Level.HIGH) == {a.pk}
    assert found(malice=Level.HIGH) == {b.pk}
    assert found(urgent="1") == {a.pk}
    assert found(urgent="0") == {b.pk, c.pk}
    assert found(handler="mine") == {a.pk}
    assert found(handler="unassigned") == {b.pk}
    assert found(handler=users["desk"].pk) == {a.pk}
    assert found(channel=Channel.PHONE) == {b.pk, c.pk}
    assert found(date_field="occurred", date_from="2025-05-01", date_to="2025-05-01") == {a.pk}
    assert found(date_field="occurred", date_from="2025-05-02") == {b.pk, c.pk}
    assert found(date_field="submitted", date_to="2025-06-20") == {a.pk, b.pk}
    assert found(date_field="submitted", date_from="2025-06-21") == {c.pk}
    # combinations
    assert found(channel=Channel.PHONE, section=neighbour.section_id) == {c.pk}
    assert found(department=users["staff"].section.department_id, urgent="0", handler="unassigned") == set()
    assert found(department=users["staff"].section.department_id, urgent="0") == {c.pk}
    assert found(q="馬鹿野郎", difficulty=[Difficulty.NORMAL], malice=Level.HIGH) == {b.pk}


def test_filter_by_type_lists_a_report_once(client_as, case, types):
    report = case(type_codes=("verbal_abuse", "long_detention"))
    response = get(client_as("desk"), tab="all", types=[types["verbal_abuse"].pk, types["long_detention"].pk])
    assert ids(response) == [report.pk]
    assert counts(response)["all"] == 1


def test_overdue_filter(client_as, case):
    old = case(submitted_at=timezone.now() - timedelta(days=30))
    case(submitted_at=timezone.now())
    assert ids(get(client_as("desk"), overdue="on")) == [old.pk]


# -- tabs and counts -------------------------------------------------------------------------------

def test_tabs_and_counts(client_as, case):
    submitted = case(status=Status.SUBMITTED)
    confirmed = case(status=Status.CONFIRMED)
    accepted = case(status=Status.ACCEPTED)
    progress = case(status=Status.IN_PROGRESS)
    referred = case(status=Status.REFERRED)
    decided = case(status=Status.DECIDED)
    shared = case(status=Status.SHARED)
    closed = case(status=Status.CLOSED, title="完了した暴言の件")
    client = client_as("desk")
    response = client.get("/queue/")
    assert response.context["queue"].tab == "waiting"
    assert set(ids(response)) == {submitted.pk, confirmed.pk}
    assert counts(response) == {"waiting": 2, "accepted": 1, "in_progress": 1, "referred": 1, "decided": 2,
                                "closed": 1, "all": 8}
    assert ids(get(client, tab="accepted")) == [accepted.pk]
    assert ids(get(client, tab="in_progress")) == [progress.pk]
    assert ids(get(client, tab="referred")) == [referred.pk]
    assert set(ids(get(client, tab="decided"))) == {decided.pk, shared.pk}
    assert ids(get(client, tab="closed")) == [closed.pk]
    # The counts follow the filters, not the tab.
    filtered = get(client, tab="closed", q="暴言")
    assert counts(filtered) == {"waiting": 0, "accepted": 0, "in_progress": 0, "referred": 0, "decided": 0,
                                "closed": 1, "all": 1}
    assert "受付待ち" in response.content.decode()


def test_tab_links_keep_the_filters(client_as, case):
    case()
    html = get(client_as("desk"), q="暴言", channel="phone", page="1").content.decode()
    assert "?q=%E6%9A%B4%E8%A8%80&amp;channel=phone&amp;tab=accepted" in html


# -- sorting and pages ------------------------------------------------------------------------------

def test_sorting(client_as, case):
    now = timezone.now()
    old = case(submitted_at=now - timedelta(days=3), occurred_start=now - timedelta(days=10),
               occurred_end=now - timedelta(days=10))
    new = case(submitted_at=now - timedelta(days=1), occurred_start=now - timedelta(days=20),
               occurred_end=now - timedelta(days=20), urgent=True)
    middle = case(submitted_at=now - timedelta(days=2), occurred_start=now - timedelta(days=5),
                  occurred_end=now - timedelta(days=5))
    client = client_as("desk")
    assert ids(client.get("/queue/")) == [old.pk, middle.pk, new.pk]  # oldest waiting first
    assert ids(get(client, sort="submitted_desc")) == [new.pk, middle.pk, old.pk]
    assert ids(get(client, sort="occurred_desc")) == [middle.pk, old.pk, new.pk]
    assert ids(get(client, sort="occurred_asc")) == [new.pk, old.pk, middle.pk]
    assert ids(get(client, sort="urgent")) == [new.pk, old.pk, middle.pk]
    assert ids(get(client, tab="all")) == [new.pk, middle.pk, old.pk]  # elsewhere newest first


def test_pagination(client_as, case, monkeypatch):
    monkeypatch.setattr(queue, "PER_PAGE", 2)
    now = timezone.now()
    made = [case(submitted_at=now - timedelta(hours=10 - i)) for i in range(5)]
    client = client_as("desk")
    assert ids(get(client, page=1)) == [made[0].pk, made[1].pk]
    assert ids(get(client, page=3)) == [made[4].pk]
    assert ids(get(client, page=99)) == [made[4].pk]  # past the end: the last page
    assert ids(get(client, page="x")) == [made[0].pk, made[1].pk]
    html = get(client, page=2, q="馬鹿野郎").content.decode()
    assert "2 / 3" in html
    assert 'href="?page=3&amp;q=%E9%A6%AC%E9%B9%BF%E9%87%8E%E9%83%8E"' in html  # the search stays


# -- age and the overdue mark -------------------------------------------------------------------------

def test_age_in_business_days_over_a_holiday(case, users):
    # Friday 2026-07-17; Monday 07-20 is 海の日.
    report = case(submitted_at=datetime(2026, 7, 17, 16, tzinfo=JST))

    def row(day, hour=10):
        built = queue.build_queue(users["desk"], _query(), now=datetime(2026, 7, day, hour, tzinfo=JST))
        return next(r for r in built.rows if r.pk == report.pk)

    assert (row(20).age, row(20).overdue) == (0, False)
    assert (row(21).age, row(21).overdue) == (1, False)
    assert (row(22).age, row(22).overdue) == (2, False)
    assert (row(23).age, row(23).overdue) == (3, True)


def test_age_skips_the_citys_closing_days_of_both_kinds(case, users):
    from organization.models import ClosingDay

    # Thursday 2026-12-24; the 年末年始 (29 Dec – 3 Jan) are recurring rows, 28 Dec a one-off 市の休日.
    report = case(submitted_at=datetime(2026, 12, 24, 16, tzinfo=JST))
    ClosingDay.objects.create(name="市の休日", date=datetime(2026, 12, 28).date())
    built = queue.build_queue(users["desk"], _query(tab="all"), now=datetime(2027, 1, 5, 10, tzinfo=JST))
    # Business days after Thursday: Fri 25, (28 closed, 29 Dec – 3 Jan closed), Mon 4, Tue 5.
    assert [(r.pk, r.age) for r in built.rows] == [(report.pk, 3)]


def test_age_setting(case, users, settings):
    settings.KASUHARA_ACCEPT_WITHIN_DAYS = 5
    report = case(submitted_at=datetime(2026, 7, 17, 16, tzinfo=JST))
    built = queue.build_queue(users["desk"], _query(), now=datetime(2026, 7, 23, 10, tzinfo=JST))
    assert [(r.pk, r.age, r.overdue) for r in built.rows] == [(report.pk, 3, False)]


def test_overdue_badge_on_the_page(client_as, case):
    overdue = case(submitted_at=timezone.now() - timedelta(days=21))
    fresh = case(submitted_at=timezone.now())
    accepted_long_ago = case(submitted_at=timezone.now() - timedelta(days=21), status=Status.ACCEPTED)
    response = get(client_as("desk"), tab="all")
    rows = {r.pk: r for r in response.context["queue"].rows}
    assert rows[overdue.pk].overdue and rows[overdue.pk].age >= 10
    assert not rows[fresh.pk].overdue and rows[fresh.pk].age == 0
    assert not rows[accepted_long_ago.pk].overdue
    html = response.content.decode()
    assert html.count("期限超過</span>") == 1
    assert 'class="table-danger queue-overdue"' in html


def _query(**params):
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key, value in params.items():
        q[key] = value
    return q


# -- the page ----------------------------------------------------------------------------------------

def test_page_structure(client_as, case):
    report = case(urgent=True, difficulty=Difficulty.HARD, status=Status.CONFIRMED)
    html = client_as("desk").get("/queue/").content.decode()
    assert "<title>受付キュー" in html
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert f'href="/reports/{report.pk}/"' in html
    assert "絞り込む</button>" in html and "条件をクリア</a>" in html
    assert 'method="get"' in html
    assert "令和7年6月18日" in html  # 発生日 in 和暦
    assert "困難" in html and "営業日" in html
    assert "<script>" not in html
    # The search box is described by its help text (the id Django's aria-describedby names).
    assert 'aria-describedby="id_q_helptext"' in html and 'id="id_q_helptext"' in html
    assert '<label class="form-check-label" for="id_difficulty_1">' in html and 'id="id_difficulty_1"' in html


def test_filters_round_trip_into_the_form(client_as, case, users, types):
    case()
    html = get(client_as("desk"), q="暴言 土下座", channel="phone", difficulty=["hard"], urgent="1",
               handler="mine", types=[types["repeat"].pk], section=users["staff"].section_id,
               date_field="submitted", date_from="2025-01-02", sort="urgent", tab="all").content.decode()
    assert 'value="暴言 土下座"' in html
    assert '<option value="phone" selected>' in html
    assert 'value="hard"' in html and "checked" in html
    assert '<option value="1" selected>' in html
    assert '<option value="mine" selected>' in html
    assert f'<option value="{types["repeat"].pk}" selected>' in html
    assert f'<option value="{users["staff"].section_id}" selected>' in html
    assert '<option value="submitted" selected>' in html
    assert 'value="2025-01-02"' in html
    assert '<option value="urgent" selected>' in html
    assert 'name="tab" value="all"' in html


@pytest.mark.parametrize("params", [
    {"difficulty": "impossible"}, {"section": "abc"}, {"section": "999999"}, {"types": "x"},
    {"date_from": "2025-13-45"}, {"sort": "evil"}, {"handler": "someone"}, {"channel": "fax"},
    {"tab": "nowhere"}, {"page": "-1"}, {"urgent": "maybe"}, {"q": "あ" * 500},
])
def test_bad_values_are_ignored_with_a_note(client_as, case, params):
    report = case()
    response = get(client_as("desk"), **params)
    assert response.status_code == 200
    assert ids(response) == [report.pk]
    if "page" not in params:
        assert "次の条件は正しくないため、使わずに表示しています" in response.content.decode()


def test_bad_value_keeps_the_good_ones(client_as, case):
    phone = case(channel=Channel.PHONE)
    case(channel=Channel.COUNTER)
    response = get(client_as("desk"), channel="phone", difficulty="impossible")
    assert ids(response) == [phone.pk]
    assert "難易度" in response.context["ignored_note"]


@pytest.mark.parametrize(("username", "sections"), [
    ("chief", {"市民課"}),
    ("director", {"市民課", "生活環境課"}),
    ("desk", None),  # every 課
])
def test_section_choices_follow_the_role(client_as, users, username, sections):
    from organization.models import Section

    form = client_as(username).get("/queue/").context["form"]
    shown = {label.split(" ", 1)[1] for value, label in form.fields["section"].choices if value}
    assert shown == (sections if sections is not None else set(Section.objects.values_list("name", flat=True)))
    departments = {label for value, label in form.fields["department"].choices if value}
    assert departments == {f"{name}" for name in Section.objects.filter(name__in=shown).values_list(
        "department__name", flat=True)}
    handlers = {value for value, _label in form.fields["handler"].choices} - {"", "mine", "unassigned"}
    assert handlers == ({str(users["desk"].pk), str(users["desk2"].pk)} if username == "desk" else set())


def test_the_menu_shows_the_users_section_read_with_the_queues_lookups(client_as, users):
    client = client_as("chief")
    client.get("/queue/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/queue/").content.decode()
    assert f"（{users['chief'].section.name}）" in html
    assert not any('FROM "organization_section"' in q["sql"] and "LIMIT 21" in q["sql"] for q in captured.captured_queries)


def test_chief_cannot_filter_by_desk_handler(client_as, case, users):
    case()
    response = get(client_as("chief"), handler=users["desk"].pk)
    assert response.status_code == 200 and "担当者" in response.context["ignored_note"]


# -- cost -----------------------------------------------------------------------------------------

def test_fixed_number_of_queries(client_as, case, users, neighbour):
    client = client_as("desk")

    def queries() -> int:
        client.get("/queue/?tab=all")  # warm-up
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/queue/?tab=all")
        assert response.status_code == 200
        return len(captured.captured_queries)

    for _ in range(5):
        case(handler=users["desk"], status=Status.ACCEPTED, type_codes=("verbal_abuse", "repeat"))
    few = queries()
    for i in range(35):
        case(reporter=neighbour if i % 2 else users["staff"], handler=users["desk"] if i % 3 else None,
             type_codes=("long_detention",))
    assert len(ids(client.get("/queue/?tab=all"))) == 40
    assert queries() == few
    assert few <= 14


# -- 相談 in the 相談窓口's queue -----------------------------------------------------------------

@pytest.fixture
def consultation(users):
    """``consultation(text, **fields)``: a 相談 by ``staff`` (shared with the 所属長・部長 unless told)."""
    from consultations import services
    from consultations.models import Consultation

    def make(what_happened="窓口で長時間の居座り", *, author=None, share=True, **fields):
        made = services.create_consultation(author=author or users["staff"], what_happened=what_happened,
                                            wish="対応方法を相談したい", contact="内線1234",
                                            share_with_supervisors=share)
        if fields:
            Consultation.objects.filter(pk=made.pk).update(**fields)
            made.refresh_from_db()
        return made

    return make


def consultation_ids(response) -> list[int]:
    assert response.status_code == 200
    return [row.pk for row in response.context["queue"].consultations.rows]


def test_consultations_in_the_desk_queue(client_as, case, consultation, users):
    from consultations.models import State

    now = timezone.now()
    old = consultation("窓口で暴言を繰り返した", created_at=now - timedelta(days=3))
    newer = consultation(handler=users["desk"], state=State.IN_PROGRESS, created_at=now - timedelta(days=1))
    closed = consultation("暴言の件（完了）", state=State.CLOSED)
    case()
    response = client_as("desk").get("/queue/")
    assert consultation_ids(response) == [old.pk, newer.pk]  # open ones, oldest first
    assert closed.pk not in consultation_ids(response)
    section = response.context["queue"].consultations
    assert [(state, n) for state, _label, n in section.counts] == [("new", 1), ("in_progress", 1), ("closed", 1)]
    rows = {row.pk: row for row in section.rows}
    assert rows[newer.pk].state == "対応中" and rows[newer.pk].handler == str(users["desk"])
    assert rows[old.pk].handler == "未定" and rows[old.pk].section == users["staff"].section.name
    html = response.content.decode()
    assert 'id="queue-consultations-heading">相談</h2>' in html
    assert f'href="/consultations/{old.pk}/"' in html and 'href="/consultations/"' in html
    assert 'href="#queue-consultations"' in html
    assert html.count('<th scope="row">') == 3  # one report, two consultations


def test_consultations_follow_the_search(client_as, case, consultation):
    found = consultation("窓口で暴言を繰り返した")
    consultation("電話で長時間")
    report = case(conduct="暴言")
    response = get(client_as("desk"), tab="all", q="暴言")
    assert consultation_ids(response) == [found.pk]
    assert ids(response) == [report.pk]
    assert 'href="/consultations/?q=' in response.content.decode()
    assert consultation_ids(get(client_as("desk"), tab="all", q="土下座")) == []


def test_consultation_age_and_overdue_badge(client_as, consultation):
    from consultations.models import State

    long_ago = timezone.now() - timedelta(days=21)
    waiting = consultation(created_at=long_ago)
    started = consultation(created_at=long_ago, state=State.IN_PROGRESS)
    fresh = consultation()
    response = client_as("desk").get("/queue/")
    rows = {row.pk: row for row in response.context["queue"].consultations.rows}
    assert rows[waiting.pk].overdue and rows[waiting.pk].age >= 10
    assert not rows[started.pk].overdue  # 対応中: accepted
    assert not rows[fresh.pk].overdue and rows[fresh.pk].age == 0
    html = response.content.decode()
    assert html.count("期限超過</span>") == 1 and "営業日" in html


@pytest.mark.parametrize("username", ["chief", "director"])
def test_consultations_never_in_the_supervisors_queue(client_as, case, consultation, username):
    shared = consultation("共有された相談", share=True)
    case(difficulty=Difficulty.HARD, status=Status.CONFIRMED)
    client = client_as(username)
    # They may read the shared consultation (elsewhere), but the queue never lists it.
    assert client.get(f"/consultations/{shared.pk}/").status_code == 200
    for response in (client.get("/queue/"), get(client, tab="all", q="共有")):
        assert response.status_code == 200
        assert response.context["queue"].consultations is None
        html = response.content.decode()
        assert f"/consultations/{shared.pk}/" not in html and "queue-consultations" not in html


def test_consultations_cost_a_fixed_number_of_queries(client_as, case, consultation, users, neighbour):
    from consultations.models import State

    client = client_as("desk")

    def queries() -> int:
        client.get("/queue/?tab=all")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/queue/?tab=all")
        assert response.status_code == 200
        return len(captured.captured_queries)

    consultation()
    case()
    few = queries()
    for i in range(12):
        consultation(author=neighbour if i % 2 else users["staff"],
                     handler=users["desk"] if i % 3 else None,
                     state=State.IN_PROGRESS if i % 3 else State.NEW)
    assert len(consultation_ids(client.get("/queue/?tab=all"))) == 13
    assert queries() == few


def test_consultations_are_limited_with_a_link_to_all(client_as, consultation, monkeypatch):
    monkeypatch.setattr(queue, "CONSULTATIONS_SHOWN", 2)
    made = [consultation() for _ in range(3)]
    response = client_as("desk").get("/queue/")
    assert consultation_ids(response) == [made[0].pk, made[1].pk]
    html = response.content.decode()
    assert "最初の 2 件を表示しています" in html and 'href="/consultations/"' in html


@pytest.mark.parametrize("search", ["", "窓口"], ids=["no-search", "search"])
def test_only_open_consultations_fill_the_section_and_its_limit(client_as, consultation, monkeypatch, search):
    """Closed ones, even older ones, neither show nor count towards 「最初の N 件」."""
    from consultations.models import State

    monkeypatch.setattr(queue, "CONSULTATIONS_SHOWN", 2)
    now = timezone.now()
    for days in (30, 31, 32):
        consultation("窓口で大声（完了）", state=State.CLOSED, created_at=now - timedelta(days=days))
    first, second = (consultation("窓口で居座り", created_at=now - timedelta(days=days)) for days in (2, 1))
    client = client_as("desk")

    def section():
        return get(client, q=search).context["queue"].consultations if search else \
            client.get("/queue/").context["queue"].consultations

    shown = section()
    assert ([row.pk for row in shown.rows], shown.more) == ([first.pk, second.pk], False)
    consultation("窓口で居座り", created_at=now)
    shown = section()
    assert ([row.pk for row in shown.rows], shown.more) == ([first.pk, second.pk], True)


def test_the_desks_ratings_are_neither_a_filter_nor_a_column_for_the_chief(client_as, case):
    """継続性・悪質性・至急 are the 相談窓口's own (like its internal notes): a 所属長 cannot read them,
    not even by trying filters on their queue."""
    rated = case(malice="high", urgent=True, title="悪質性が高い件")
    case(title="ふつうの件")

    chief = client_as("chief")
    page = chief.get("/queue/", {"tab": "all"}).content.decode()
    probing = ids(chief.get("/queue/", {"tab": "all", "malice": "high", "urgent": "1"}))

    assert 'name="malice"' not in page and 'name="urgent"' not in page and "至急</th>" not in page
    assert len(probing) == 2  # the parameters change nothing
    desk = client_as("desk")
    assert ids(desk.get("/queue/", {"tab": "all", "malice": "high"})) == [rated.pk]
    assert "至急</th>" in desk.get("/queue/").content.decode()
