"""The 相談窓口's work on a consultation: the state moves, the draft report made from it, linking,
and the queue's search."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations import selectors, services
from consultations.models import EventAction, State
from incidents.lifecycle import Status
from incidents.models import ReportEvent

# -- states ----------------------------------------------------------------------------------------


def test_answering_a_new_consultation_starts_it(users, consultation):
    services.answer(consultation=consultation, actor=users["desk"], text="カスハラに当たると考えます。")
    consultation.refresh_from_db()
    assert consultation.state == State.IN_PROGRESS
    assert consultation.handler == users["desk"]
    event = consultation.events.get(action=EventAction.ANSWERED)
    assert event.detail == {"from": State.NEW, "to": State.IN_PROGRESS}
    assert event.actor == users["desk"]


def test_assigning_a_handler_starts_it(users, consultation):
    services.assign_handler(consultation=consultation, actor=users["desk"], handler=users["desk"])
    consultation.refresh_from_db()
    assert (consultation.state, consultation.handler) == (State.IN_PROGRESS, users["desk"])


def test_the_handler_must_be_of_the_desk(users, consultation):
    with pytest.raises(ValidationError):
        services.assign_handler(consultation=consultation, actor=users["desk"], handler=users["chief"])
    consultation.refresh_from_db()
    assert consultation.state == State.NEW


def test_close_and_reopen(users, consultation):
    desk = users["desk"]
    with pytest.raises(ValidationError):  # 受付待ち cannot be closed without being taken
        services.close(consultation=consultation, actor=desk, outcome="助言した")
    services.assign_handler(consultation=consultation, actor=desk, handler=desk)
    services.close(consultation=consultation, actor=desk, outcome="助言した")
    consultation.refresh_from_db()
    assert (consultation.state, consultation.outcome) == (State.CLOSED, "助言した")
    assert consultation.closed_at is not None

    for refused in (
        lambda: services.close(consultation=consultation, actor=desk, outcome="もう一度"),
        lambda: services.answer(consultation=consultation, actor=desk, text="追加の回答"),
        lambda: services.add_follow_up(consultation=consultation, actor=desk, done_on=date(2025, 6, 19),
                                       description="電話", done_by="総務"),
    ):
        with pytest.raises(ValidationError):
            refused()

    services.add_note(consultation=consultation, actor=desk, body="完了後のメモ")  # notes: any state
    services.reopen(consultation=consultation, actor=desk, reason="再度の連絡あり")
    consultation.refresh_from_db()
    assert (consultation.state, consultation.closed_at) == (State.IN_PROGRESS, None)
    with pytest.raises(ValidationError):
        services.reopen(consultation=consultation, actor=desk)
    assert list(consultation.events.filter(action__in=["closed", "reopened"]).values_list("detail", flat=True)) == [
        # The 結果 itself is on the consultation (removed with it after the 保存期間), not in the append-only trail.
        {"from": State.IN_PROGRESS, "to": State.CLOSED, "outcome_recorded": True},
        {"from": State.CLOSED, "to": State.IN_PROGRESS, "reason": "再度の連絡あり"},
    ]


@pytest.mark.parametrize("role", ["staff", "chief", "director", "admin"])
def test_only_the_desk_answers(users, make_consultation, role):
    consultation = make_consultation(share_with_supervisors=True)
    actor = users[role]
    for call in (
        lambda: services.answer(consultation=consultation, actor=actor, text="x"),
        lambda: services.add_note(consultation=consultation, actor=actor, body="x"),
        lambda: services.assign_handler(consultation=consultation, actor=actor, handler=users["desk"]),
    ):
        with pytest.raises(PermissionDenied):
            call()


# -- the draft report ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_role", ["staff", "desk"])
def test_make_report_draft(users, consultation, actor_role):
    actor = users[actor_role]
    report = services.make_report_draft(consultation=consultation, actor=actor)

    assert report.reporter == users["staff"]
    assert report.section == users["staff"].section
    assert report.status == Status.DRAFT
    assert report.title == f"相談No.{consultation.pk}から作成"
    assert report.conduct == consultation.what_happened
    assert report.demand == consultation.wish
    assert report.channel == "phone"
    assert report.occurred_start == datetime(2025, 6, 18, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert report.wants_consultation is True
    assert list(report.staff_members.all()) == [users["staff"]]
    report.refresh_from_db()
    assert "馬鹿野郎" in report.search_text

    event = ReportEvent.objects.get(report=report)
    assert (event.action, event.to_status, event.actor) == ("created", "draft", actor)
    assert event.detail == {"from_consultation": consultation.pk}
    consultation.refresh_from_db()
    assert consultation.report == report
    made = consultation.events.get(action=EventAction.REPORT_CREATED)
    assert (made.actor, made.detail) == (actor, {"report": report.pk})

    with pytest.raises(ValidationError):  # once only
        services.make_report_draft(consultation=consultation, actor=actor)


def test_make_report_draft_without_a_date(users, make_consultation):
    report = services.make_report_draft(consultation=make_consultation(occurred_on=None, channel=""),
                                        actor=users["staff"])
    assert report.occurred_start is None and report.channel == ""


def test_a_supervisor_may_not_make_a_draft(users, make_consultation):
    consultation = make_consultation(share_with_supervisors=True)
    with pytest.raises(PermissionDenied):
        services.make_report_draft(consultation=consultation, actor=users["chief"])


# -- linking ---------------------------------------------------------------------------------------


def test_link_the_authors_own_report(users, consultation, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT, title="自分の下書き")
    services.link_report(consultation=consultation, actor=users["staff"], report=draft)
    consultation.refresh_from_db()
    assert consultation.report == draft
    assert consultation.events.get(action=EventAction.REPORT_LINKED).detail == {"report": draft.pk, "previous": None}


def test_only_the_authors_reports_may_be_linked(users, consultation, make_report):
    others = make_report(users["staff2"])
    with pytest.raises(ValidationError):
        services.link_report(consultation=consultation, actor=users["desk"], report=others)
    consultation.refresh_from_db()
    assert consultation.report is None


def test_the_link_page_offers_only_the_authors_reports(client, users, consultation, make_report):
    own = make_report(users["staff"], title="自分の提出済み")
    others = make_report(users["staff2"], title="他人の報告")
    client.force_login(users["staff"])

    refused = client.post(f"/consultations/{consultation.pk}/link/", {"report": others.pk})
    assert refused.status_code == 400
    assert "選べるのは相談者本人の連絡票だけです" in refused.content.decode()
    assert "他人の報告" not in refused.content.decode()

    response = client.post(f"/consultations/{consultation.pk}/link/", {"report": own.pk})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.report == own
    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert f"/reports/{own.pk}/" in page


# -- the queue ------------------------------------------------------------------------------------


def test_queue_search_folds_width_and_finds_short_words(users, make_consultation):
    dv = make_consultation(what_happened="DV被害を訴える方の住所を教えろと迫った。")
    abuse = make_consultation(what_happened="窓口で暴言を繰り返し、机を叩いた。")
    desk = users["desk"]

    def found(query):
        return set(selectors.queue_consultations(desk, search=query))

    assert found("ＤＶ") == {dv}
    assert found("dv") == {dv}
    assert found("暴言") == {abuse}
    assert found("") == {dv, abuse}
    assert found("存在しない言葉") == set()


def test_queue_search_covers_the_answer_and_follow_ups(users, consultation):
    desk = users["desk"]
    services.answer(consultation=consultation, actor=desk, text="ｱﾄﾞﾊﾞｲｽとして録音を勧めた")
    services.add_follow_up(consultation=consultation, actor=desk, done_on=date(2025, 6, 20),
                           description="所属長と面談した", done_by="総務課")
    assert list(selectors.queue_consultations(desk, search="アドバイス")) == [consultation]
    assert list(selectors.queue_consultations(desk, search="面談")) == [consultation]


def test_queue_is_desk_only_ordered_oldest_open_first(users, make_consultation):
    desk = users["desk"]
    first, second, third = make_consultation(), make_consultation(), make_consultation()
    services.assign_handler(consultation=first, actor=desk, handler=desk)
    services.close(consultation=first, actor=desk, outcome="済み")

    assert list(selectors.queue_consultations(desk)) == [second, third, first]
    assert list(selectors.queue_consultations(desk, state=State.CLOSED)) == [first]
    assert selectors.counts_by_state(desk) == {"new": 2, "in_progress": 0, "closed": 1}
    for role in ("staff", "chief", "director", "admin"):
        assert not selectors.queue_consultations(users[role]).exists()
        assert selectors.counts_by_state(users[role]) == {"new": 0, "in_progress": 0, "closed": 0}


def test_queue_reads_in_one_query(users, make_consultation, django_assert_num_queries):
    for _ in range(5):
        make_consultation()
    with django_assert_num_queries(1):
        rows = list(selectors.queue_consultations(users["desk"], search="暴言"))
        assert [(c.author.username, c.section.name) for c in rows]
