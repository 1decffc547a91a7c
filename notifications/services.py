"""Writes of the notices app: delivering a notice (claim, send, record), the inbox's read marks,
each user's choice of e-mail, the admin's retry of failed notices.

Delivery is idempotent: a notice is first *claimed* by one conditional UPDATE (pending and due, or
a claim whose lease ran out because its worker died), so of two workers or a task and its retry
only one sends it; the claim's token must still match when the result is recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Notice, NoticePreference, State
from .render import render

if TYPE_CHECKING:
    from organization.models import User

#: How long a claim holds before another worker may take the notice over (a worker that died).
LEASE = timedelta(minutes=5)


class Delivery(StrEnum):
    SENT = "sent"  # e-mailed (and in the inbox)
    INBOX_ONLY = "inbox_only"  # in the inbox only (the user's choice, or no address)
    RETRY = "retry"  # failed this time; another attempt is due at ``next_attempt_at``
    FAILED = "failed"  # failed for the last time
    SKIPPED = "skipped"  # not ours: delivered already, claimed by another worker, or not due


@dataclass(frozen=True)
class Result:
    outcome: Delivery
    retry_in: float = 0.0


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the 1st, 2nd, 3rd … failed attempt."""
    return timedelta(seconds=settings.KASUHARA_NOTICE_RETRY_SECONDS * 2 ** max(attempt - 1, 0))


def _due(now) -> Q:
    """Ours to take: pending and due, or claimed by a worker whose lease ran out (it died)."""
    return Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, claimed_until__lt=now)


def claim_batch(ids: list[int], *, now=None) -> tuple[uuid.UUID, list[Notice]]:
    """Take for delivery those of ``ids`` that are ours (one UPDATE), and read them (one SELECT):
    of two workers given the same ids, each notice goes to one."""
    now = now or timezone.now()
    token = uuid.uuid4()
    Notice.objects.filter(_due(now), pk__in=ids).update(
        state=State.SENDING, claim=token, claimed_until=now + LEASE, attempts=F("attempts") + 1
    )
    return token, list(Notice.objects.filter(pk__in=ids, claim=token).select_related("recipient"))


def claim(notice_id: int, *, now=None) -> uuid.UUID | None:
    """Take one notice for delivery, or None if it is not ours to deliver."""
    token, taken = claim_batch([notice_id], now=now)
    return token if taken else None


def _inbox_only(notices: list[Notice]) -> set[tuple[int, str]]:
    """(user, kind) pairs whose recipient chose 受信箱のみ (one query for the batch)."""
    if not notices:
        return set()
    return set(
        NoticePreference.objects.filter(user_id__in={n.recipient_id for n in notices}, by_email=False)
        .values_list("user_id", "kind")
    )


def _message(notice: Notice, address: str) -> EmailMessage:
    rendered = render(notice)
    return EmailMessage(
        subject=rendered.subject,  # an urgent kind's subject begins with 【至急】
        body=rendered.body,
        to=[address],
        headers={"X-Kasuhara-Notice": str(notice.pk)},
    )


def _failed(notice: Notice, mine, error: Exception) -> Result:
    """Kept with its error; retried after its back-off, or 失敗 after the last attempt."""
    text = f"{type(error).__name__}: {error}"[:2000]
    if notice.attempts >= settings.KASUHARA_NOTICE_MAX_ATTEMPTS:
        mine.update(state=State.FAILED, last_error=text, claim=None, claimed_until=None)
        return Result(Delivery.FAILED)
    wait = backoff(notice.attempts)
    mine.update(state=State.PENDING, last_error=text, claim=None, claimed_until=None,
                next_attempt_at=timezone.now() + wait)
    return Result(Delivery.RETRY, wait.total_seconds())


def deliver_batch(ids: list[int], *, now=None) -> dict[int, Result]:
    """Deliver the notices of ``ids`` that are ours: e-mail each whose recipient wants e-mail (urgent
    ones always) and has an address, over one mail connection; record each result as it happens, so
    a notice sent is never sent again. A failure is kept with its error and retried with back-off,
    up to ``KASUHARA_NOTICE_MAX_ATTEMPTS``; then the notice is 失敗 and the admin sees it."""
    token, claimed = claim_batch(ids, now=now)
    results = {notice_id: Result(Delivery.SKIPPED) for notice_id in ids}
    inbox_only = _inbox_only(claimed)
    outgoing = []
    for notice in claimed:
        mine = Notice.objects.filter(pk=notice.pk, claim=token, state=State.SENDING)
        address = (notice.recipient.email or "").strip()
        if not address or (not notice.urgent and (notice.recipient_id, notice.kind) in inbox_only):
            mine.update(state=State.INBOX_ONLY, sent_at=timezone.now(), claim=None, claimed_until=None)
            results[notice.pk] = Result(Delivery.INBOX_ONLY)
        else:
            outgoing.append((notice, mine, address))
    if not outgoing:
        return results
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the mail server refused us: every notice of the batch waits
        for notice, mine, _address in outgoing:
            results[notice.pk] = _failed(notice, mine, error)
        return results
    try:
        for notice, mine, address in outgoing:
            message = _message(notice, address)
            message.connection = connection
            try:
                message.send(fail_silently=False)
            except Exception as error:  # refused, connection lost, …: kept and retried
                results[notice.pk] = _failed(notice, mine, error)
                continue
            mine.update(state=State.SENT, sent_at=timezone.now(), email_to=address, claim=None, claimed_until=None,
                        last_error="")
            results[notice.pk] = Result(Delivery.SENT)
    finally:
        connection.close()
    return results


def deliver(notice_id: int, *, now=None) -> Result:
    """Deliver one notice (``deliver_batch`` of one)."""
    return deliver_batch([notice_id], now=now)[notice_id]


def due_for_requeue(*, now=None, grace: timedelta | None = None, limit: int = 5000) -> list[int]:
    """Notices a delivery task should have taken by now: pending past their time by more than
    ``grace`` (their task was lost, e.g. the broker was down), or claimed by a worker whose lease
    ran out."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.KASUHARA_NOTICE_REQUEUE_GRACE_SECONDS) if grace is None else grace
    return list(
        Notice.objects.filter(
            Q(state=State.PENDING, next_attempt_at__lte=now - grace) | Q(state=State.SENDING, claimed_until__lt=now)
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def settle_in_inbox(*, ids: list[int]) -> int:
    """Notices that stay in the inbox without e-mail (the demo's made-up history)."""
    return Notice.objects.filter(pk__in=ids, state=State.PENDING).update(state=State.INBOX_ONLY, sent_at=timezone.now())


# -- the inbox -------------------------------------------------------------------------------------

def open_notice(*, user: User, notice_id: int) -> Notice | None:
    """The user's own notice, marked read; None for anyone else's (the view answers 404)."""
    notice = Notice.objects.filter(pk=notice_id, recipient=user).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def mark_read(*, user: User, notice_id: int) -> bool:
    return bool(Notice.objects.filter(pk=notice_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_read(*, user: User) -> int:
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, user: User, by_email: dict[str, bool]) -> None:
    """E-mail and inbox (True) or inbox only (False), per kind; the default needs no row."""
    for kind, email in by_email.items():
        if email:
            NoticePreference.objects.filter(user=user, kind=kind).delete()
        else:
            NoticePreference.objects.update_or_create(user=user, kind=kind, defaults={"by_email": False})


def retry_failed(*, ids: list[int]) -> list[int]:
    """The admin's 再送信: failed notices become pending again with fresh attempts, and are enqueued."""
    from .outbox import enqueue

    with transaction.atomic():
        chosen = list(Notice.objects.filter(pk__in=ids, state=State.FAILED).values_list("pk", flat=True))
        Notice.objects.filter(pk__in=chosen).update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
    if chosen:
        enqueue(chosen)
    return chosen
