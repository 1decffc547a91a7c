"""対応中の記録 (the live recorder of the manual's 対応中 view): what each tap means, who may use a
record, how the browser's steps are read, and the reads of records.

A staff member records an incident while it happens with a few taps (``LiveStepKind``). The browser
keeps every tap until the server has confirmed it, and sends it again until then: each step and the
record itself carry a UUID made by the browser, so the same step sent twice is stored once. The
writes are in ``live_services.py``; 「連絡票にする」 turns a record into a draft 発生連絡票.

Who may: a record is its owner's alone. Anyone else — 所属長, 相談窓口, 管理者 — gets 404 for its
page and its 「連絡票にする」, and another user's record id in a sync only ever names a record of
the sender's own (records are looked up by owner and id). The report made from it follows the
report's own rules (``policies.py``).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kasuhara.errors import BadInput
from kasuhara.wareki import wareki_with_western

from .forms import MAX_TIMELINE_ROWS
from .lifecycle import Status
from .models import LiveRecord, LiveStep, LiveStepKind, TimelineKind

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from organization.models import User

#: Steps a record may hold that are not undone: each becomes a 経過 row, and a report holds at most
#: this many. The recorder says so when it is reached.
MAX_ACTIVE_STEPS = MAX_TIMELINE_ROWS
#: Steps a record may hold in all, undone ones included.
MAX_STEPS = 4 * MAX_ACTIVE_STEPS
#: Operations one sync may carry (the browser sends more in several requests).
MAX_OPS = 100
#: A sync's body, in bytes.
MAX_BODY = 128 * 1024
#: The short free note.
MAX_NOTE = 200
#: How old a step may be when it arrives (a phone offline for days still delivers its taps).
MAX_AGE = timedelta(days=7)
#: A difference between the browser's clock and the server's below this is the request's travel
#: time, not a wrong clock: the browser's times are kept as they are.
CLOCK_SLACK = timedelta(seconds=3)

#: Each kind as a 経過 row: its kind there, and the words of the row (``n``: the how-many-th).
TIMELINE: dict[str, tuple[str, str]] = {
    LiveStepKind.JUDGED: (TimelineKind.OTHER, gettext_noop("カスハラと判断した（対応時間の計測を開始）")),
    LiveStepKind.WARNING: (TimelineKind.WARNING, gettext_noop("警告した（%(n)s回目）")),
    LiveStepKind.RECORDING: (TimelineKind.RECORDING, gettext_noop("録音・録画を開始した")),
    LiveStepKind.SUPERVISOR: (TimelineKind.SUPERVISOR, gettext_noop("上司に報告・交代した")),
    LiveStepKind.STOPPED: (TimelineKind.STOPPED, gettext_noop("対応を中止した")),
    LiveStepKind.EXIT_REQUEST: (TimelineKind.EXIT_REQUEST, gettext_noop("退去を求めた（%(n)s回目）")),
    LiveStepKind.EXIT_ORDER: (TimelineKind.EXIT_ORDER, gettext_noop("退去命令を出した（%(n)s回目）")),
    LiveStepKind.POLICE: (TimelineKind.POLICE, gettext_noop("警察に通報した")),
    LiveStepKind.NOTE: (TimelineKind.OTHER, gettext_noop("メモ：%(note)s")),
    LiveStepKind.ENDED: (TimelineKind.OTHER, gettext_noop("対応を終了した")),
}


# -- who may ------------------------------------------------------------------------------------

def can_use(user: User, record: LiveRecord) -> bool:
    """A live record is its owner's alone (reading, adding steps, making a report of it)."""
    return bool(user.is_authenticated and user.is_active and record.owner_id == user.pk)


def get_record_for_user(user: User, client_id: uuid.UUID) -> LiveRecord:
    """The user's own record with that id; anyone else's, or none, is 404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        record = LiveRecord.objects.select_related("harassment_type", "report").get(owner=user, client_id=client_id)
    except LiveRecord.DoesNotExist:
        raise Http404 from None
    if not can_use(user, record):
        raise Http404
    return record


def is_reported(record: LiveRecord) -> bool:
    """Made into a report that still exists (a discarded draft frees the record for another try)."""
    return record.report_id is not None and record.report.status != Status.DISCARDED


# -- what the steps say -------------------------------------------------------------------------

@dataclass
class Summary:
    """What the steps that are not undone add up to: the counts and flags of the report."""

    warnings: int = 0
    exit_requests: int = 0
    exit_orders: int = 0
    recording: bool = False
    stopped: bool = False
    police_at: datetime | None = None
    judged_at: datetime | None = None
    ended_at: datetime | None = None
    first_at: datetime | None = None
    last_at: datetime | None = None
    steps: int = 0


def active(steps: Iterable[LiveStep]) -> list[LiveStep]:
    return sorted((s for s in steps if s.undone_at is None), key=lambda s: (s.at, s.pk or 0))


def summarise(steps: Iterable[LiveStep]) -> Summary:
    summary = Summary()
    for step in active(steps):
        summary.steps += 1
        summary.first_at = summary.first_at or step.at
        summary.last_at = step.at
        if step.kind == LiveStepKind.WARNING:
            summary.warnings += 1
        elif step.kind == LiveStepKind.EXIT_REQUEST:
            summary.exit_requests += 1
        elif step.kind == LiveStepKind.EXIT_ORDER:
            summary.exit_orders += 1
        elif step.kind == LiveStepKind.RECORDING:
            summary.recording = True
        elif step.kind == LiveStepKind.STOPPED:
            summary.stopped = True
        elif step.kind == LiveStepKind.POLICE:
            summary.police_at = summary.police_at or step.at
        elif step.kind == LiveStepKind.JUDGED:
            summary.judged_at = summary.judged_at or step.at
        elif step.kind == LiveStepKind.ENDED:
            summary.ended_at = step.at
    return summary


def timeline_rows(steps: Iterable[LiveStep]) -> list[tuple[datetime, str, str]]:
    """The 経過 rows of the report: (time, kind, words), in order; undone steps are left out."""
    rows, seen = [], {}
    for step in active(steps):
        kind, words = TIMELINE[step.kind]
        seen[step.kind] = seen.get(step.kind, 0) + 1
        rows.append((step.at, kind, _(words) % {"n": seen[step.kind], "note": step.note}))
    return rows


def report_values(steps: Iterable[LiveStep]) -> dict:
    """The report's own columns the steps fill: 発生日時 (the first and the last step), the counts and flags."""
    summary = summarise(steps)
    return {
        "occurred_start": summary.first_at,
        "occurred_end": summary.last_at,
        "warning_count": summary.warnings,
        "exit_request_count": summary.exit_requests,
        "exit_order_count": summary.exit_orders,
        "recording_started": summary.recording,
        "response_stopped": summary.stopped,
        "police_called": summary.police_at is not None,
        "police_called_at": summary.police_at,
    }


# -- what the browser sends ---------------------------------------------------------------------

@dataclass(frozen=True)
class StepOp:
    id: uuid.UUID
    kind: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class UndoOp:
    id: uuid.UUID
    step: uuid.UUID


@dataclass
class SyncRequest:
    """A sync as the browser sent it: the record (None: "what is open for this 態様?"), the 態様's
    code, the operations that are well-formed, and those refused already (id, Japanese message)."""

    record: uuid.UUID | None
    type_code: str
    ops: list[StepOp | UndoOp] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}", re.ASCII)


def _uuid(value) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _moment(value) -> datetime | None:
    """Milliseconds since 1970 (JavaScript's ``Date.now()``) as an aware datetime, if it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_sync(payload, *, now: datetime) -> SyncRequest:
    """Read a sync's JSON. What cannot be a sync at all is a ``BadInput`` (400, Japanese message);
    one malformed operation is refused on its own, with a message the recorder shows.

    Times: the browser's clock may be off (a tablet at a counter, a phone offline). The sync carries
    the browser's "now" (``sent_at``); each step's time is moved by the difference to the server's
    clock, so a tap keeps its distance from the moment it was sent. A time still in the future is the
    server's now; one older than ``MAX_AGE`` is refused. A difference under ``CLOCK_SLACK`` is left alone."""
    unreadable = _("送信された記録を読み取れませんでした。ページを開き直してください（記録はこの端末に残っています）。")
    if not isinstance(payload, dict):
        raise BadInput(unreadable)
    type_code = payload.get("type")
    if not isinstance(type_code, str) or not _SLUG.fullmatch(type_code):
        raise BadInput(unreadable)
    raw_record = payload.get("record")
    record = _uuid(raw_record)
    if raw_record is not None and record is None:
        raise BadInput(unreadable)
    ops = payload.get("ops", [])
    if not isinstance(ops, list):
        raise BadInput(unreadable)
    if len(ops) > MAX_OPS:
        raise BadInput(_("一度に送れる記録は %(n)s 件までです。") % {"n": MAX_OPS})
    if ops and record is None:
        raise BadInput(unreadable)
    sent_at = _moment(payload.get("sent_at"))
    skew = (now - sent_at) if sent_at is not None else timedelta(0)
    if abs(skew) < CLOCK_SLACK:
        skew = timedelta(0)
    request = SyncRequest(record=record, type_code=type_code)
    for raw in ops:
        op_id = _uuid(raw.get("id")) if isinstance(raw, dict) else None
        if op_id is None:
            raise BadInput(unreadable)
        refused = _read_op(raw, op_id, skew=skew, now=now, into=request.ops)
        if refused:
            request.rejected.append((str(op_id), refused))
    return request


def _read_op(raw: dict, op_id: uuid.UUID, *, skew: timedelta, now: datetime, into: list) -> str:
    """Append the operation to ``into``; or return why it is refused."""
    if raw.get("op") == "undo":
        step = _uuid(raw.get("step"))
        if step is None:
            return _("取り消す記録を読み取れませんでした。")
        into.append(UndoOp(id=op_id, step=step))
        return ""
    if raw.get("op") != "step":
        return _("記録の種類を読み取れませんでした。")
    kind = raw.get("kind")
    if kind not in LiveStepKind.values:
        return _("記録の種類を読み取れませんでした。")
    tapped = _moment(raw.get("at"))
    if tapped is None:
        return _("記録の時刻を読み取れませんでした。")
    try:
        at = min(tapped + skew, now)
    except OverflowError:
        return _("記録の時刻を読み取れませんでした。")
    if at < now - MAX_AGE:
        return _("%(days)s日より前の記録は受け付けられません。連絡票の経過に直接書いてください。") % {"days": MAX_AGE.days}
    note = raw.get("note", "")
    if not isinstance(note, str):
        return _("メモを読み取れませんでした。")
    note = note.strip()
    if "\x00" in note:
        return _("メモに使えない文字が含まれています。")
    if kind == LiveStepKind.NOTE and not note:
        return _("メモが空です。")
    if len(note) > MAX_NOTE:
        return _("メモは %(n)s 文字までです。") % {"n": MAX_NOTE}
    into.append(StepOp(id=op_id, kind=kind, at=at, note=note if kind == LiveStepKind.NOTE else ""))
    return ""


# -- reads --------------------------------------------------------------------------------------

def records_of(user: User) -> QuerySet[LiveRecord]:
    """The user's own records, newest first, each with how many steps it holds (undone ones not counted)."""
    return (
        LiveRecord.objects.filter(owner=user)
        .select_related("harassment_type", "report")
        .annotate(step_count=Count("steps", filter=Q(steps__undone_at__isnull=True)))
        .order_by("-created_at", "-id")
    )


def open_records(user: User) -> QuerySet[LiveRecord]:
    """The user's records not yet made into a report (or whose report draft was discarded)."""
    return records_of(user).filter(Q(report__isnull=True) | Q(report__status=Status.DISCARDED))


def current_record(user: User, type_code: str) -> LiveRecord | None:
    """The record the live view of this 態様 continues: the newest one not ended and not reported."""
    return open_records(user).filter(harassment_type__code=type_code, ended_at__isnull=True).first()


def when_label(record: LiveRecord) -> str:
    """令和7年6月18日 (2025-06-18) 10:05〜10:40, or since when it goes on."""
    start = record.started_at or record.created_at
    local_start = timezone.localtime(start)
    text = f"{wareki_with_western(start)} {local_start:%H:%M}"
    if record.ended_at:
        text += f"〜{timezone.localtime(record.ended_at):%H:%M}"
    else:
        text += _("〜（記録中）")
    return text


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def state(record: LiveRecord, steps: list[LiveStep] | None = None) -> dict:
    """The record as the recorder shows it (JSON)."""
    steps = list(record.steps.all()) if steps is None else steps
    reported = None
    if is_reported(record):
        report = record.report
        view = "incidents:edit" if report.is_editable else "incidents:detail"
        reported = {"number": report.pk, "url": reverse(view, args=[report.pk])}
    return {
        "id": str(record.client_id),
        "type": record.harassment_type.code,
        "type_name": record.harassment_type.name,
        "url": reverse("live:record", args=[record.client_id]),
        "report_url": reverse("live:report", args=[record.client_id]),
        "reported": reported,
        "steps": [
            {"id": str(s.client_id), "kind": s.kind, "at": _ms(s.at), "note": s.note, "undone": s.undone_at is not None}
            for s in sorted(steps, key=lambda s: (s.at, s.pk or 0))
        ],
    }


def waiting(user: User, *, besides: Iterable[LiveRecord | None] = (), limit: int = 5) -> list[dict]:
    """The user's other records not made into a report yet, newest first, for the live view."""
    skip = [r.pk for r in besides if r is not None]
    return [
        {"id": str(r.client_id), "url": reverse("live:record", args=[r.client_id]), "type_name": r.harassment_type.name,
         "when": when_label(r), "ended": r.ended_at is not None}
        for r in open_records(user).exclude(pk__in=skip)[:limit]
    ]
