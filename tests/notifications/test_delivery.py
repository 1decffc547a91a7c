"""Delivering a notice: once, by e-mail when the person wants it (urgent ones always), with a link and
the case number but nothing personal; failures kept, retried with back-off, then 失敗 for the admin.
Here tasks run in the test's process; test_worker.py does the same through Redis and a worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents import services as report_services
from incidents.lifecycle import Status
from notifications import services
from notifications.kinds import Kind
from notifications.models import Notice, State
from notifications.services import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def addressed(users):
    for name in ("desk", "desk2", "chief", "gachief", "chair"):
        users[name].email = f"{name}@example.lg.jp"
        users[name].save(update_fields=["email"])
    return users


@pytest.fixture
def submitted(addressed, make_report, django_capture_on_commit_callbacks):
    """A report submitted by staff (its notices delivered after commit, in this process)."""

    def submit(**fields):
        report = make_report(addressed["staff"], status=Status.DRAFT, counterpart_name="山田 太郎",
                             counterpart_contact="090-1234-5678 市内本町1-2-3", **fields)
        with django_capture_on_commit_callbacks(execute=True):
            report_services.transition(report=report, name="submit", actor=addressed["staff"])
        return report

    return submit


def test_a_submitted_report_is_e_mailed_with_its_number_and_link_and_nothing_personal(submitted):
    report = submitted()

    to_desk = [m for m in mail.outbox if m.to == ["desk@example.lg.jp"]]
    assert len(to_desk) == 1
    message = to_desk[0]
    assert message.subject == f"発生連絡票が提出されました（No.{report.pk}）"
    assert f"http://127.0.0.1:8000/reports/{report.pk}/" in message.body
    for personal in ("山田", "090-1234-5678", "本町", "窓口 花子", report.conduct[:6]):
        assert personal not in message.body and personal not in message.subject
    assert Notice.objects.get(recipient__username="desk").state == State.SENT


def test_an_urgent_report_is_marked_and_e_mailed_even_to_those_who_chose_the_inbox_only(submitted, addressed):
    services.save_preferences(user=addressed["chair"], by_email={Kind.REPORT_URGENT: False})
    report = submitted(type_codes=("violence",))

    to_chair = [m for m in mail.outbox if m.to == ["chair@example.lg.jp"]]
    assert [m.subject for m in to_chair] == [f"【至急】暴力・威嚇等のある発生連絡票が提出されました（No.{report.pk}）"]
    assert "暴力型" in to_chair[0].body


def test_inbox_only_is_respected_and_a_user_without_an_address_gets_the_inbox(submitted, addressed):
    services.save_preferences(user=addressed["desk2"], by_email={Kind.REPORT_SUBMITTED: False})
    addressed["chief"].email = ""
    addressed["chief"].save(update_fields=["email"])

    submitted()

    assert sorted(m.to[0] for m in mail.outbox) == ["desk@example.lg.jp"]
    states = dict(Notice.objects.values_list("recipient__username", "state"))
    assert states == {"desk": State.SENT, "desk2": State.INBOX_ONLY, "chief": State.INBOX_ONLY}


def test_a_notice_is_sent_once_however_often_its_delivery_runs(submitted):
    submitted()
    notice = Notice.objects.get(recipient__username="desk")
    sent = len(mail.outbox)

    assert services.deliver(notice.pk).outcome == Delivery.SKIPPED
    assert services.deliver(notice.pk).outcome == Delivery.SKIPPED
    assert len(mail.outbox) == sent


def test_a_claim_held_by_another_worker_is_respected_until_its_lease_runs_out(addressed, make_report):
    from incidents.notices import report_rows
    from notifications.outbox import fan_out

    report = make_report(addressed["staff"])
    [notice_id] = fan_out(Kind.REPORT_RETURNED, report_rows(report.pk), key="x", params={"report": report.pk},
                          audiences=["section_chief"])
    assert services.claim(notice_id) is not None  # another worker took it and is sending

    assert services.deliver(notice_id).outcome == Delivery.SKIPPED
    assert mail.outbox == []
    later = timezone.now() + services.LEASE + timedelta(seconds=1)  # that worker died
    assert services.deliver(notice_id, now=later).outcome == Delivery.SENT
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_with_back_off_then_shown_to_the_admin_as_failed(
    addressed, make_report, settings, client_as
):
    from incidents.notices import report_rows
    from notifications.outbox import fan_out

    # A real SMTP connection to a port where nothing listens: refused every time.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.KASUHARA_NOTICE_MAX_ATTEMPTS = 3
    report = make_report(addressed["staff"])
    [notice_id] = fan_out(Kind.REPORT_RETURNED, report_rows(report.pk), key="y", params={"report": report.pk},
                          audiences=["section_chief"])

    first = services.deliver(notice_id)
    notice = Notice.objects.get(pk=notice_id)
    assert first.outcome == Delivery.RETRY and first.retry_in == 30
    assert notice.state == State.PENDING and notice.attempts == 1 and "refused" in notice.last_error.lower()
    assert services.deliver(notice_id).outcome == Delivery.SKIPPED  # not due before its back-off

    second = services.deliver(notice_id, now=notice.next_attempt_at)
    assert second.outcome == Delivery.RETRY and second.retry_in == 60
    third = services.deliver(notice_id, now=Notice.objects.get(pk=notice_id).next_attempt_at)
    assert third.outcome == Delivery.FAILED
    assert Notice.objects.get(pk=notice_id).state == State.FAILED

    admin = client_as("admin")
    page = admin.get("/admin/notifications/notice/?state__exact=failed").content.decode()
    assert "ConnectionRefusedError" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin.post("/admin/notifications/notice/", {"action": "retry", "_selected_action": [notice_id]})
    assert Notice.objects.get(pk=notice_id).state == State.SENT  # tasks run in-process here
    assert len(mail.outbox) == 1


def test_the_requeue_sweep_finds_what_no_task_took(addressed, make_report):
    from incidents.notices import report_rows
    from notifications.outbox import fan_out

    report = make_report(addressed["staff"])
    ids = fan_out(Kind.REPORT_RETURNED, report_rows(report.pk), key="z", params={"report": report.pk},
                  audiences=["desk", "section_chief"])
    fresh, lost, dead = ids
    long_ago = timezone.now() - timedelta(minutes=10)
    Notice.objects.filter(pk=lost).update(next_attempt_at=long_ago)  # written while the broker was down
    Notice.objects.filter(pk=dead).update(state=State.SENDING, claimed_until=long_ago)  # its worker died

    assert sorted(services.due_for_requeue()) == sorted([lost, dead])
