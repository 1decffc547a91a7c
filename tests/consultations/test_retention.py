"""保存期間 for 相談: the nightly run (``incidents.retention.run``) removes a closed consultation's free
text under the reports' rule, with moved clocks (``run(now=…)`` and ``timezone.now`` for the pages);
the consultation's own legal hold and its linked report's; the run's record and its page; the
statistics unchanged; the consultation page after the removal."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from consultations import services
from consultations.models import Consultation, ConsultationEvent, EventAction, FollowUp, Note, State
from incidents import retention
from incidents.lifecycle import Status
from incidents.models import RetentionRun
from stats import selectors as stats
from stats.policies import CITY
from stats.selectors import PREVIOUS, THIS, Selection

JST = ZoneInfo("Asia/Tokyo")
PLACEHOLDER = "（保存期間経過により削除）"
#: Closed in 令和7年度: kept to 2031-03-31 with 5 years, removed from the night of 2031-04-01.
CLOSED = datetime.datetime(2025, 6, 20, 15, 0, tzinfo=JST)
LAST_KEPT = datetime.datetime(2031, 3, 31, 23, 59, tzinfo=JST)
FIRST_REMOVED = datetime.datetime(2031, 4, 1, 0, 0, tzinfo=JST)

WHAT = "山田太郎氏（090-1234-5678）が窓口で「馬鹿野郎」と怒鳴った。"
ANSWER = "山田太郎氏の言動は暴言型のカスハラに当たると考えます。"
FOLLOW_UP = "山田太郎氏に電話で注意した。"
NOTE = "山田太郎氏は昨年も同じ要求をしている（内部だけ）。"
OUTCOME = "山田太郎氏の件、発生連絡票の提出を案内した。"


@pytest.fixture
def closed_consultation(users, make_consultation):
    """A consultation answered, with a follow-up and an internal note, closed on CLOSED."""
    desk = users["desk"]
    consultation = make_consultation(what_happened=WHAT, wish="山田太郎氏への対応を相談したい",
                                     contact="内線1234（山田太郎氏の件）", share_with_supervisors=True)
    services.answer(consultation=consultation, actor=desk, text=ANSWER)
    services.add_follow_up(consultation=consultation, actor=desk, done_on=datetime.date(2025, 6, 19),
                           description=FOLLOW_UP, done_by="総務課 鈴木")
    services.add_note(consultation=consultation, actor=desk, body=NOTE)
    services.close(consultation=consultation, actor=desk, outcome=OUTCOME)
    Consultation.objects.filter(pk=consultation.pk).update(closed_at=CLOSED)
    consultation.refresh_from_db()
    return consultation


def _run(now):
    return retention.run(now=now)


def _texts(consultation: Consultation) -> list[str]:
    consultation.refresh_from_db()
    return [consultation.what_happened, consultation.wish, consultation.contact, consultation.answer,
            consultation.outcome, *consultation.follow_ups.values_list("description", flat=True),
            *consultation.notes.values_list("body", flat=True)]


def test_the_last_day_keeps_it_and_the_first_night_removes_its_text(closed_consultation, users):
    consultation = closed_consultation
    kept_before = (consultation.state, consultation.closed_at, consultation.occurred_on, consultation.channel,
                   consultation.section_id, consultation.author_id, consultation.handler_id,
                   consultation.answered_at, consultation.created_at)
    events_before = list(consultation.events.values_list("pk", "action", "detail"))

    run = _run(LAST_KEPT)
    assert (run.consultation_count, run.consultation_items) == (0, [])
    assert _texts(consultation)[0] == WHAT and consultation.retention_applied_at is None

    run = _run(FIRST_REMOVED)
    assert _texts(consultation) == [PLACEHOLDER] * 7
    assert consultation.retention_applied_at == FIRST_REMOVED
    # What the statistics count, who and when, stay; the follow-up's day and who did it too.
    assert (consultation.state, consultation.closed_at, consultation.occurred_on, consultation.channel,
            consultation.section_id, consultation.author_id, consultation.handler_id,
            consultation.answered_at, consultation.created_at) == kept_before
    assert FollowUp.objects.get(consultation=consultation).done_by == "総務課 鈴木"
    assert "山田" not in consultation.search_text and "馬鹿野郎" not in consultation.search_text
    # Every earlier event stays as it was; one more records the removal (no text in it).
    assert list(consultation.events.exclude(action=EventAction.RETAINED_REMOVED)
                .values_list("pk", "action", "detail")) == events_before
    event = consultation.events.get(action=EventAction.RETAINED_REMOVED)
    assert event.actor is None and event.detail["follow_ups"] == 1 and event.detail["notes"] == 1
    # The run's record: how many and what, no personal data.
    assert run.consultation_count == 1 and run.report_count == 0
    assert run.consultation_items == [{"consultation": consultation.pk, "follow_ups": 1, "notes": 1,
                                       "fields": ["what_happened", "wish", "contact", "answer", "outcome"]}]
    assert "山田" not in str(run.consultation_items)

    # Run twice: nothing changes, nothing is recorded twice.
    again = _run(FIRST_REMOVED + datetime.timedelta(days=1))
    assert (again.consultation_count, again.consultation_items) == (0, [])
    assert consultation.events.filter(action=EventAction.RETAINED_REMOVED).count() == 1
    assert Consultation.objects.get(pk=consultation.pk).retention_applied_at == FIRST_REMOVED


def test_empty_text_stays_empty(users, make_consultation):
    desk = users["desk"]
    consultation = make_consultation()
    services.assign_handler(consultation=consultation, actor=desk, handler=desk)  # no answer, no follow-up
    services.close(consultation=consultation, actor=desk, outcome="助言のみ")
    Consultation.objects.filter(pk=consultation.pk).update(closed_at=CLOSED)
    run = _run(FIRST_REMOVED)
    consultation.refresh_from_db()
    assert consultation.answer == "" and consultation.outcome == PLACEHOLDER
    assert run.consultation_items == [{"consultation": consultation.pk, "follow_ups": 0, "notes": 0,
                                       "fields": ["what_happened", "wish", "contact", "outcome"]}]


def test_open_and_reopened_consultations_are_never_touched(closed_consultation, users, make_consultation,
                                                           client_as):
    services.reopen(consultation=closed_consultation, actor=users["desk"], reason="再度の電話")
    still_new = make_consultation()
    # Nothing to hold on an open one: the page offers no form, a post is refused with a message.
    page = client_as("desk").get(f"/consultations/{still_new.pk}/").content.decode()
    assert 'id="hold-form"' not in page and "保存期間：" not in page
    response = client_as("desk").post(f"/consultations/{still_new.pk}/hold/", {"reason": "訴訟"})
    assert response.status_code == 400 and "削除を保留できるのは完了した相談だけです。" in response.content.decode()
    run = _run(FIRST_REMOVED)
    assert run.consultation_count == 0 and run.consultation_held_count == 0
    assert _texts(closed_consultation)[0] == WHAT and closed_consultation.state == State.IN_PROGRESS
    assert Consultation.objects.get(pk=still_new.pk).retention_applied_at is None


def test_its_own_hold_keeps_it_until_the_desk_lifts_it(closed_consultation, client_as, users):
    consultation = closed_consultation
    url = f"/consultations/{consultation.pk}/"
    desk = client_as("desk")
    page = desk.get(url).content.decode()
    assert 'id="hold-form"' in page
    assert "保存期間：</strong>令和13年3月31日 (2031-03-31)まで" in page
    # Only the 相談窓口: the author's post is a 404 and the author's page offers nothing.
    assert client_as("staff").post(f"{url}hold/", {"reason": "訴訟"}).status_code == 404
    assert 'id="hold-form"' not in client_as("staff").get(url).content.decode()
    # A hold needs a reason; the page says so beside the field.
    response = desk.post(f"{url}hold/", {"reason": "  "})
    assert response.status_code == 400 and "理由を入力してください。" in response.content.decode()
    assert desk.post(f"{url}hold/", {"reason": "損害賠償請求訴訟の係属中"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.legal_hold and consultation.legal_hold_by == users["desk"]
    assert consultation.events.filter(action=EventAction.HOLD_SET,
                                      detail__reason="損害賠償請求訴訟の係属中").exists()
    page = desk.get(url).content.decode()
    assert "訴訟・警察対応中：保存期間を過ぎても" in page and 'id="release-form"' in page
    assert 'id="hold-form"' not in page
    # Setting it twice (a form left open in another tab) is refused with a message, not an error.
    response = desk.post(f"{url}hold/", {"reason": "もう一度"})
    assert response.status_code == 400 and "すでに設定されています。" in response.content.decode()

    run = _run(FIRST_REMOVED)
    assert run.consultation_count == 0 and run.consultation_held_count == 1
    assert _texts(consultation)[0] == WHAT

    assert desk.post(f"{url}release/", {"reason": "判決確定"}).status_code == 302
    consultation.refresh_from_db()
    assert not consultation.legal_hold and consultation.legal_hold_reason == ""
    assert consultation.events.filter(action=EventAction.HOLD_LIFTED, detail__reason="判決確定").exists()
    run = _run(FIRST_REMOVED + datetime.timedelta(days=1))
    assert run.consultation_count == 1 and run.consultation_held_count == 0
    assert _texts(consultation) == [PLACEHOLDER] * 7
    # Once removed, nothing is left to hold.
    assert 'id="hold-form"' not in desk.get(url).content.decode()


def test_a_hold_on_the_linked_report_keeps_the_consultation(closed_consultation, users, make_report):
    consultation = closed_consultation
    report = make_report(users["staff"], status=Status.IN_PROGRESS)
    services.link_report(consultation=consultation, actor=users["desk"], report=report)
    retention.set_hold(report=report, actor=users["desk"], hold=True, reason="警察の捜査に協力中")

    run = _run(FIRST_REMOVED)
    assert run.consultation_count == 0 and run.consultation_held_count == 1
    assert _texts(consultation)[0] == WHAT

    retention.set_hold(report=report, actor=users["desk"], hold=False, reason="捜査終結")
    run = _run(FIRST_REMOVED + datetime.timedelta(days=1))
    assert run.consultation_count == 1
    consultation.refresh_from_db()
    assert consultation.what_happened == PLACEHOLDER and consultation.report_id == report.pk  # the link stays


def test_the_statistics_are_the_same_before_and_after(closed_consultation):
    today = datetime.date(2031, 4, 1)
    selection = Selection.year(2025)
    before = stats.read(CITY, selection, today=today), stats.read(CITY, selection, today=today, portable=True)
    assert before[0].consultations == {THIS: 1, PREVIOUS: 0}  # the consultation is counted
    assert _run(FIRST_REMOVED).consultation_count == 1
    after = stats.read(CITY, selection, today=today), stats.read(CITY, selection, today=today, portable=True)
    assert after == before


def test_the_consultation_page_shows_the_placeholder_to_the_author_and_the_desk(closed_consultation, client_as,
                                                                                 monkeypatch):
    consultation = closed_consultation
    _run(FIRST_REMOVED)
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED + datetime.timedelta(hours=9))
    for who in ("staff", "desk", "chief"):  # the author, the 相談窓口, the 所属長 it was shared with
        response = client_as(who).get(f"/consultations/{consultation.pk}/")
        page = response.content.decode()
        assert response.status_code == 200, who
        assert "保存期間を過ぎたため、相談の内容・回答・対応の記録・内部メモを削除しました（令和13年4月1日 (2031-04-01)）" in page
        assert PLACEHOLDER in page and "山田" not in page and "馬鹿野郎" not in page
        assert 'id="retention-until"' not in page
    desk_page = client_as("desk").get(f"/consultations/{consultation.pk}/").content.decode()
    assert "保存期間経過による削除" in desk_page  # the history names the removal
    # The queue's search no longer finds it by the removed text.
    queue = client_as("desk").get("/consultations/", {"q": "山田太郎"}).content.decode()
    assert f"/consultations/{consultation.pk}/" not in queue


def test_once_removed_nothing_can_be_written_to_it_again(closed_consultation, client_as, users):
    """Text written after the removal would be kept for good under a page saying it was removed:
    the 相談窓口's forms are gone, and a post (or a service call) is refused in Japanese."""
    consultation = closed_consultation
    _run(FIRST_REMOVED)
    desk = client_as("desk")
    url = f"/consultations/{consultation.pk}/"
    page = desk.get(url).content.decode()
    for form in ("reopen-form", "note-form", "answer-form", "hold-form", "link-form"):
        assert f'id="{form}"' not in page, form
    response = desk.post(f"{url}reopen/", {"reason": "再確認"})
    assert response.status_code == 400
    assert "保存期間を過ぎたため、この相談の内容はすでに削除されています。変更はできません。" in response.content.decode()
    response = desk.post(f"{url}note/", {"body": "山田太郎氏から再度の電話"})
    assert response.status_code == 400
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED
    assert not Note.objects.filter(consultation=consultation, body__contains="山田").exists()
    with pytest.raises(ValidationError):
        services.add_note(consultation=consultation, actor=users["desk"], body="山田太郎氏")


def test_the_closing_event_does_not_keep_the_outcome_text(closed_consultation):
    """The audit trail is append-only and outlives the removal: 結果 is not copied into it."""
    closed = closed_consultation.events.get(action=EventAction.CLOSED)
    assert "山田" not in str(closed.detail) and closed.detail["outcome_recorded"] is True


def test_the_runs_page_lists_only_closed_held_consultations_and_hides_the_report_from_others(
        users, make_consultation, make_report, client_as):
    report = make_report(users["staff"])
    retention.set_hold(report=report, actor=users["desk"], hold=True, reason="警察に相談中")
    still_open = make_consultation()
    services.link_report(consultation=still_open, actor=users["desk"], report=report)
    closed = make_consultation()
    services.link_report(consultation=closed, actor=users["desk"], report=report)
    services.assign_handler(consultation=closed, actor=users["desk"], handler=users["desk"])
    services.close(consultation=closed, actor=users["desk"], outcome="助言")
    for who in ("desk", "admin", "auditor"):
        page = client_as(who).get("/queue/retention/").content.decode()
        assert "保留中の相談：1 件" in page, who
        assert f"相談No.{still_open.pk}<" not in page.replace("</a>", "<") and f"相談No.{closed.pk}" in page
        assert (f"発生連絡票 No.{report.pk} の保留による" in page) is (who == "desk"), who


def test_the_runs_page_shows_the_consultations_removed_and_held(closed_consultation, users, make_consultation,
                                                               client_as, monkeypatch):
    removed = closed_consultation
    held = make_consultation()
    services.assign_handler(consultation=held, actor=users["desk"], handler=users["desk"])
    services.close(consultation=held, actor=users["desk"], outcome="助言")
    Consultation.objects.filter(pk=held.pk).update(closed_at=CLOSED)
    services.set_hold(consultation=held, actor=users["desk"], hold=True, reason="訴訟")
    _run(LAST_KEPT)
    _run(FIRST_REMOVED)
    assert RetentionRun.objects.count() == 2
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED + datetime.timedelta(hours=9))
    for who in ("desk", "admin", "auditor"):
        response = client_as(who).get("/queue/retention/")
        page = response.content.decode()
        assert response.status_code == 200, who
        assert f"相談No.{removed.pk}：何があったか・相談したいこと・連絡方法・相談窓口からの回答・結果・対応の記録 1 件・内部メモ 1 件" \
            in page.replace("</a>", "")
        assert "削除した相談" in page and "保留中の相談：1 件" in page
        assert "山田" not in page
        link = f'href="/consultations/{removed.pk}/"'
        assert (link in page) is (who == "desk"), who  # only the 相談窓口 may open a consultation
    for who in ("staff", "chief"):
        assert client_as(who).get("/queue/retention/").status_code == 404


def test_the_command_lists_the_consultations_it_would_remove(closed_consultation, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED)
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[1] == f"consultations: 1 to remove (No.{closed_consultation.pk}), 0 on legal hold"
    assert _texts(closed_consultation)[0] == WHAT
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert out.getvalue().splitlines()[1] == "removed 1 consultations; 0 on legal hold"
    assert _texts(closed_consultation)[0] == PLACEHOLDER
    assert ConsultationEvent.objects.filter(action=EventAction.RETAINED_REMOVED).count() == 1
    assert Note.objects.get().body == PLACEHOLDER
