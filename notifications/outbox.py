"""Writing notices: one ``INSERT … SELECT`` per event or per sweep step, in the caller's transaction.

``fan_out`` takes the rows that cause notices (one report for an event; every overdue report for a
sweep) as a queryset, joins them to the users the kind's rule names, and inserts one notice per
(row, person) that does not exist yet (``ON CONFLICT DO NOTHING`` on the unique key): the same
event, or a sweep run twice at once, never makes a second notice. The new notices' delivery is
enqueued after the transaction commits; if the broker is down then, they stay pending and the
re-enqueue sweep (``tasks.requeue_pending``) picks them up. Nothing here waits for the broker.

The rows' queryset annotates what the audiences need, as integer columns (missing ones are NULL):
``n_section`` (the 課 whose 所属長 hears of it), ``n_department`` (the 部 whose 部長 does): use
``section_columns`` so they name today's 課 and 部 (``Section.current``),
``n_reporter``, ``n_person`` (the invited member, the measure's owner, the consultation's author)
and ``n_person_section`` (a measure owned by a 課: its 所属長). Per-row ``n_key`` and ``n_params``
(a ``JSONObject``) are used where ``key`` / ``params`` are not given as constants.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from organization.models import ActingAssignment, Section, User

from .kinds import SPECS, Audience
from .models import Notice, NoticeRule, State
from .rules import rule_for

log = logging.getLogger(__name__)

CONTEXT_COLUMNS = ("n_section", "n_department", "n_reporter", "n_person", "n_person_section")

_local = threading.local()


def _audience_sql(day: datetime.date) -> dict[str, str]:
    """Each audience as a condition on the user ``u`` and the row ``r``. A 所属長 or 部長 is the
    holder of the role in the 課 (部), or whoever acts for them (代理) on ``day``; the rows name the
    課 by its ``current`` 課, so an abolished 課's cases reach the 課 that took over its work."""
    q = connection.ops.quote_name
    section, acting = q(Section._meta.db_table), q(ActingAssignment._meta.db_table)
    # ``day`` is a date the code made (never input): its ISO text is a constant of the statement.
    on_day = f"a.starts_on <= '{day.isoformat()}' AND a.ends_on >= '{day.isoformat()}'"

    def chief_of(sections: str) -> str:
        return (f"((u.is_section_chief AND u.section_id IN ({sections})) OR u.id IN "  # noqa: S608 (constants)
                f"(SELECT a.user_id FROM {acting} a WHERE a.kind = 'section_chief' AND a.section_id IN ({sections}) AND {on_day}))")

    return {
        Audience.DESK: "u.is_desk",
        Audience.SECTION_CHIEF: chief_of("r.n_section"),
        Audience.DIRECTOR: (
            f"((u.is_director AND u.section_id IN (SELECT s.id FROM {section} s WHERE s.department_id = r.n_department)) "  # noqa: S608 (constants)
            f"OR u.id IN (SELECT a.user_id FROM {acting} a WHERE a.kind = 'director' AND a.department_id = r.n_department AND {on_day}))"
        ),
        Audience.GA_SECTION_CHIEF: chief_of(f"SELECT s.id FROM {section} s WHERE s.is_general_affairs AND s.is_active"),  # noqa: S608
        Audience.GA_DIRECTOR: "u.is_ga_director",
        Audience.COMMITTEE_CHAIR: "u.is_committee_chair",
        Audience.REPORTER: "u.id = r.n_reporter",
        Audience.PERSON: f"(u.id = r.n_person OR (r.n_person IS NULL AND {chief_of('r.n_person_section')}))",
        Audience.COLLEAGUES: "u.section_id = r.n_section",
        Audience.HEALTH_OFFICE: "u.is_health_office",
        Audience.ADMINS: "(u.is_staff OR u.is_superuser)",
        Audience.BUILDING_SECTION: chief_of(f"SELECT s.id FROM {section} s WHERE s.manages_building AND s.is_active"),  # noqa: S608
    }


def section_columns(path: str = "section") -> dict:
    """``n_section`` and ``n_department`` for rows whose 課 is at ``path``: today's 課 (the end of an
    abolished 課's successor chain) and its 部, so a notice reaches whoever heads them now."""
    return {"n_section": F(f"{path}__current_id"), "n_department": F(f"{path}__current__department_id")}


def null_int():
    """A typed NULL for a context column the rows do not have (PostgreSQL needs the type)."""
    return Cast(Value(None), IntegerField())


def fan_out(
    kind: str,
    rows: QuerySet,
    *,
    key: str | None = None,
    params: dict | None = None,
    actor: User | None = None,
    audiences: Iterable[str] | None = None,
    extra_audiences: Iterable[str] = (),
    rule: NoticeRule | None = None,
    now=None,
) -> list[int]:
    """Write the notices of ``kind`` for ``rows`` to the people the kind's rule names (or
    ``audiences``, plus ``extra_audiences``), never to ``actor``; returns the new notices' ids and
    enqueues their delivery after commit. A disabled rule writes nothing."""
    rule = rule if rule is not None else rule_for(kind)
    if not rule.enabled:
        return []
    chosen = list(dict.fromkeys([*(rule.audiences if audiences is None else audiences), *extra_audiences]))
    now = now or timezone.now()
    predicates = _audience_sql(timezone.localdate(now))
    chosen = [a for a in chosen if a in predicates]
    if not chosen:
        return []
    missing = {name: null_int() for name in CONTEXT_COLUMNS if name not in rows.query.annotations}
    columns = [*CONTEXT_COLUMNS]
    if key is None:
        columns.append("n_key")
    if params is None:
        columns.append("n_params")
    sub_sql, sub_params = rows.annotate(**missing).order_by().values(*columns).query.sql_with_params()

    adapt = connection.ops.adapt_datetimefield_value
    q = connection.ops.quote_name
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    select_key, key_params = ("%s", [key]) if key is not None else ("r.n_key", [])
    select_params, params_params = (json_param, [json.dumps(params, ensure_ascii=False)]) if params is not None else ("r.n_params", [])
    audience = " OR ".join(predicates[a] for a in chosen)
    not_actor, actor_params = ("AND u.id <> %s", [actor.pk]) if actor is not None else ("", [])
    # Only constants and the ORM's own compiled subquery go into the text; every value is a parameter.
    sql = (
        f"INSERT INTO {q(Notice._meta.db_table)} "  # noqa: S608
        "(kind, key, recipient_id, urgent, params, created_at, state, attempts, next_attempt_at, email_to, last_error) "
        f"SELECT %s, {select_key}, u.id, %s, {select_params}, %s, %s, 0, %s, '', '' "
        f"FROM ({sub_sql}) r INNER JOIN {q(User._meta.db_table)} u ON ({audience}) "
        f"WHERE u.is_active {not_actor} "
        "ON CONFLICT (kind, key, recipient_id) DO NOTHING RETURNING id"
    )
    # The SELECT list's parameters come before the subquery's in the statement.
    # Written at ``now`` (a sweep's moved clock in tests), due for delivery at once in real time.
    values = [kind, *key_params, SPECS[kind].urgent, *params_params, adapt(now), State.PENDING, adapt(timezone.now()),
              *sub_params, *actor_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = [row[0] for row in cursor.fetchall()]
    if ids:
        enqueue_after_commit(ids)
    return ids


def enqueue_after_commit(ids: list[int]) -> None:
    if getattr(_local, "held", None) is not None:
        _local.held.extend(ids)
        return
    transaction.on_commit(lambda: enqueue(ids))


def enqueue(ids: list[int]) -> bool:
    """Hand the notices to the broker; a broker that is down is logged, not raised: the rows stay
    pending and ``requeue_pending`` sends them later. Returns whether the broker took them."""
    from .tasks import deliver_notices

    try:
        for start in range(0, len(ids), 100):
            deliver_notices.apply_async((ids[start:start + 100],), retry=False)
    except Exception as error:  # kombu's OperationalError and friends: the broker is unreachable
        log.warning("notices %s stay pending: the broker refused them (%s)", ids[:10], error)
        return False
    return True


def enqueue_later(notice_id: int, countdown: float) -> None:
    """A retry after back-off; lost if the broker is down, and then found by ``requeue_pending``."""
    from .tasks import deliver_notices

    try:
        deliver_notices.apply_async(([notice_id],), countdown=countdown, retry=False)
    except Exception as error:
        log.warning("notice %s: retry not enqueued (%s); the re-enqueue sweep will send it", notice_id, error)


@contextmanager
def held() -> Iterator[list[int]]:
    """Write notices without enqueuing them (the demo loader marks them read-only in the inbox)."""
    _local.held = []
    try:
        yield _local.held
    finally:
        _local.held = None
