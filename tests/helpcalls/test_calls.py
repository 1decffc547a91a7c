"""The call for help as a record: who is told (urgent, by e-mail), the answer back to the caller, the
rate limit that keeps a stuck button from flooding a 課, closing and expiry, and the audit trail."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from helpcalls import selectors, services
from helpcalls.models import EventAction, HelpAnswer, HelpCall
from notifications.kinds import Kind
from notifications.models import Notice
from tests.helpers import require_or_fail, uses_postgres


def recipients(kind: str) -> set[str]:
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_call_reaches_the_colleagues_and_the_chief_of_the_callers_section_at_once_by_email(call, users):
    assert recipients(Kind.HELP_CALL) == {"chief", "staff3"}  # never the caller, nobody of another 課
    notice = Notice.objects.filter(kind=Kind.HELP_CALL).first()
    assert notice.urgent
    assert notice.params == {"call": call.pk, "place": "本庁舎1階 3番窓口", "types": "暴言型"}
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"chief@example.lg.jp", "staff3@example.lg.jp"}
    message = sent["chief@example.lg.jp"]
    assert "【至急】応援要請：本庁舎1階 3番窓口" in message.subject
    assert "本庁舎1階 3番窓口 で応援が必要です" in message.body and "態様：暴言型" in message.body
    assert f"/help/{call.pk}/" in message.body
    assert call.events.get().action == EventAction.CALLED


def test_an_empty_place_is_the_callers_section_and_a_place_too_long_is_refused(users):
    call = services.call_for_help(caller=users["staff"], place="  ")
    assert call.place == "市民課"
    assert call.harassment_type is None
    with pytest.raises(ValidationError, match="100 文字以内"):
        services.call_for_help(caller=users["staff2"], place="窓" * 101)
    assert HelpCall.objects.count() == 1


def test_nobody_without_a_section_calls(users):
    users["staff"].section = None
    with pytest.raises(PermissionDenied):
        services.call_for_help(caller=users["staff"], place="窓口")
    assert not HelpCall.objects.exists()


def test_the_answer_reaches_the_caller_once_however_often_it_is_pressed(call, users, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer, created = services.answer(call=call, responder=users["chief"])
        again, created_again = services.answer(call=call, responder=users["chief"])
    assert created and not created_again and again == answer
    assert HelpAnswer.objects.count() == 1
    assert recipients(Kind.HELP_ANSWERED) == {"staff"}
    assert [m.to for m in mail.outbox] == [["staff@example.lg.jp"]]
    assert "市民 課長 さんが「向かいます」と応答しました" in mail.outbox[0].body
    assert list(call.events.values_list("action", flat=True)) == [EventAction.CALLED, EventAction.ANSWERED]


def test_the_caller_cannot_answer_their_own_call_nor_another_section_a_call(call, users):
    for who in ("staff", "staff2", "director"):
        with pytest.raises(PermissionDenied):
            services.answer(call=call, responder=users[who])
    assert not HelpAnswer.objects.exists()


def test_a_user_may_call_once_a_minute_and_five_times_an_hour(users, settings):
    settings.KASUHARA_HELP_CALL_INTERVAL_SECONDS = 60
    settings.KASUHARA_HELP_CALLS_PER_HOUR = 5
    staff, start = users["staff"], timezone.now() - timedelta(hours=2)

    def press(seconds: int) -> HelpCall:
        return services.call_for_help(caller=staff, place="窓口", now=start + timedelta(seconds=seconds))

    first = press(0)
    with pytest.raises(services.RateLimited) as refused:
        press(30)
    assert "60 秒に1回まで" in refused.value.message and "あと 30 秒" in refused.value.message
    assert "さきほどの要請は届いています" in refused.value.message
    assert refused.value.retry_after == 30
    for minute in (1, 2, 3, 4):  # five calls in the hour
        press(minute * 60 + 1)
    with pytest.raises(services.RateLimited) as refused:
        press(10 * 60)
    assert "1時間に 5 回まで" in refused.value.message
    free_at = timezone.localtime(start + timedelta(hours=1))
    assert f"{free_at:%H:%M} 以降" in refused.value.message
    assert refused.value.retry_after == 50 * 60
    assert HelpCall.objects.count() == 5
    press(3600 + 1)  # an hour after the first, one more may go
    assert HelpCall.objects.count() == 6
    # Each refused press is on the record of the call that stood.
    assert first.events.filter(action=EventAction.REFUSED).count() == 1
    assert HelpCall.objects.filter(events__action=EventAction.REFUSED).count() == 2


def test_the_limit_is_per_user_so_a_colleague_may_still_call(users):
    services.call_for_help(caller=users["staff"], place="窓口")
    with pytest.raises(services.RateLimited):
        services.call_for_help(caller=users["staff"], place="窓口")
    services.call_for_help(caller=users["chief"], place="課長席")
    assert HelpCall.objects.count() == 2


def test_a_refused_call_tells_nobody(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.call_for_help(caller=users["staff"], place="窓口")
    sent = Notice.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.RateLimited):
        services.call_for_help(caller=users["staff"], place="窓口")
    assert Notice.objects.count() == sent


@pytest.mark.django_db(transaction=True)
def test_two_presses_at_the_same_moment_make_one_call(users):
    require_or_fail(uses_postgres(), "PostgreSQL")
    staff = users["staff"]
    barrier, outcomes = threading.Barrier(2), []

    def press():
        try:
            barrier.wait()
            services.call_for_help(caller=staff, place="窓口")
            outcomes.append("called")
        except services.RateLimited:
            outcomes.append("refused")
        finally:
            connection.close()  # this thread's own connection

    for _trial in range(5):
        with connection.cursor() as cursor:  # TRUNCATE: the audit trail refuses row deletes (audit.guard)
            cursor.execute(f"TRUNCATE {HelpCall._meta.db_table} CASCADE")
        outcomes.clear()
        threads = [threading.Thread(target=press) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["called", "refused"]
        assert HelpCall.objects.count() == 1


def test_the_banner_shows_open_calls_to_those_told_and_the_callers_own_call(call, users):
    incoming, mine = selectors.banner_calls(users["chief"])
    assert (incoming, mine) == ([call], [])
    incoming, mine = selectors.banner_calls(users["staff"])
    assert (incoming, mine) == ([], [call])
    for other in ("staff2", "chief2", "director", "desk"):
        assert selectors.banner_calls(users[other]) == ([], [])


def test_a_closed_or_expired_call_leaves_the_banner_and_cannot_be_answered(call, users, colleague, settings):
    settings.KASUHARA_HELP_CALL_MINUTES = 30
    services.resolve(call=call, actor=users["staff"])
    assert selectors.banner_calls(users["chief"]) == ([], [])
    assert selectors.banner_calls(users["staff"]) == ([], [])
    with pytest.raises(ValidationError, match="すでに終わっています"):
        services.answer(call=call, responder=users["chief"])

    old = services.call_for_help(caller=users["chief"], place="課長席", now=timezone.now() - timedelta(minutes=31))
    assert old.is_open() is False
    assert selectors.banner_calls(users["staff"]) == ([], [])
    assert selectors.banner_calls(users["chief"]) == ([], [])
    with pytest.raises(ValidationError):
        services.answer(call=old, responder=colleague)


def test_the_caller_or_the_sections_chief_closes_a_call_and_nobody_else(call, users, colleague):
    for who in (colleague, users["chief2"], users["director"]):
        with pytest.raises(PermissionDenied):
            services.resolve(call=call, actor=who)
    closed, changed = services.resolve(call=call, actor=users["chief"])
    assert changed and closed.resolved_by == users["chief"] and closed.resolved_at is not None
    _again, changed_again = services.resolve(call=call, actor=users["staff"])
    assert not changed_again
    assert call.events.filter(action=EventAction.RESOLVED).count() == 1


def test_whoever_the_admins_rule_adds_is_told_and_sees_the_banner(users, types, django_capture_on_commit_callbacks):
    from notifications.kinds import Audience
    from notifications.models import NoticeRule

    NoticeRule.objects.update_or_create(
        kind=Kind.HELP_CALL, defaults={"audiences": [Audience.COLLEAGUES, Audience.SECTION_CHIEF, Audience.DIRECTOR]})
    with django_capture_on_commit_callbacks(execute=True):
        call = services.call_for_help(caller=users["staff"], place="窓口")
    assert "director" in recipients(Kind.HELP_CALL)
    assert selectors.banner_calls(users["director"]) == ([call], [])
