"""Reading every audit trail as one list: a UNION ALL of one query per audit table, with the columns
they share (who, when, from where, what, on which record, details), newest first.

The tables are the ``AuditEvent`` subclasses of every installed app, found at run time, and two
trails kept in tables of another shape, each read through an adapter naming its columns (``ADAPTERS``):
the Django admin's history (``LogEntry``: who added, changed or deleted what in /admin/) and the
職員名簿 imports applied (``RosterImport``). Each search costs a bounded number of queries whatever the
number of tables or rows: one COUNT over the union, one page of it, and one for the actors' names.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    F,
    GenericIPAddressField,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from organization.models import AuditEvent, User

#: The action of a trail without actions (``incidents.ExportEvent``: every row is an export).
EXPORT_LABEL = "出力"

#: Names for trails whose own verbose name says too little in a list of every trail.
LABELS = {"incidents.reportevent": "連絡票の監査記録"}

COLUMNS = ("a_table", "a_id", "a_actor", "a_at", "a_ip", "a_action", "a_record", "a_detail")


@dataclass
class Row:
    table: str
    id: int
    actor: str
    at: datetime.datetime
    ip: str
    action: str
    record: str
    detail: dict
    #: What the event changed, in words, where its trail says so (the admin's change message, an
    #: import's counts); empty otherwise.
    note: str = ""


def _as_read(row: Row) -> None:
    """An ``AuditEvent``'s row reads as the query gave it."""


@dataclass(frozen=True)
class Source:
    """One trail of the union: its table, how its rows give the shared columns, its name and its
    actions in the viewer.

    ``columns()`` gives the expressions of ``a_ip``, ``a_action``, ``a_record`` and ``a_detail``;
    ``at`` and ``actor`` name the columns searched by date and by actor; ``events`` picks the rows
    that are events (an import still 確認中 is not); ``report_column`` names a 発生連絡票 if the
    trail points at one; ``present`` makes a row readable from what the query read (no query)."""

    model: type[Model]
    columns: Callable[[], dict[str, Any]]
    action_labels: Callable[[], dict[str, str]]
    name: Any = None
    at: str = "at"
    actor: str = "actor_id"
    events: Q = field(default_factory=Q)
    report_column: str | None = None
    present: Callable[[Row], None] = _as_read

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.name or LABELS.get(self.key) or self.model._meta.verbose_name_plural)

    @property
    def actions(self) -> dict[str, str]:
        """code → label (translated now); every row's ``a_action`` is one of the codes."""
        return self.action_labels()


def _record(links: tuple[tuple[str, str], ...]):
    """「発生連絡票 No.12」: the first record the row points at, as text."""
    cases = [
        Case(When(**{f"{column}__isnull": False},
                  then=Concat(Value(f"{label} No."), Cast(column, CharField()), output_field=CharField())),
             default=Value(None, output_field=CharField()), output_field=CharField())
        for column, label in links
    ]
    return Coalesce(*cases, Value(""), output_field=CharField()) if cases else Value("", output_field=CharField())


def _no_ip() -> Cast:
    """A trail that does not keep the address (typed, so that the union's column stays ``inet``)."""
    return Cast(Value(None), GenericIPAddressField())


def audit_event_source(model: type[AuditEvent]) -> Source:
    """An ``AuditEvent`` subclass: its own columns, its ``action`` choices (出力 for a trail without
    actions), and the records its foreign keys point at."""
    links, report_column = [], None
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.name != "actor":
            links.append((model_field.attname, str(model_field.related_model._meta.verbose_name)))
            if model_field.related_model._meta.label == "incidents.IncidentReport" and report_column is None:
                report_column = model_field.attname
    action_field = next((f for f in model._meta.concrete_fields if f.name == "action"), None)

    def action_labels() -> dict[str, str]:
        if action_field is None:
            return {"export": EXPORT_LABEL}
        return {str(code): str(label) for code, label in action_field.choices or ()}

    def columns() -> dict[str, Any]:
        return {
            "a_ip": F("ip_address"),
            "a_action": F("action") if action_field else Value("export", output_field=CharField()),
            "a_record": _record(tuple(links)),
            "a_detail": F("detail"),
        }

    return Source(model, columns, action_labels, report_column=report_column)


def admin_log_source() -> Source:
    """The Django admin's history (``LogEntry``): who added, changed or deleted which object in
    /admin/, with Django's change message, translated when shown (「名前 を変更しました。」)."""
    from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

    codes = {ADDITION: "admin_added", CHANGE: "admin_changed", DELETION: "admin_deleted"}

    def action_labels() -> dict[str, str]:
        return {"admin_added": gettext("管理画面での追加"), "admin_changed": gettext("管理画面での変更"),
                "admin_deleted": gettext("管理画面での削除")}

    def columns() -> dict[str, Any]:
        return {
            "a_ip": _no_ip(),
            "a_action": Case(*(When(action_flag=flag, then=Value(code)) for flag, code in codes.items()),
                             default=Cast("action_flag", CharField()), output_field=CharField()),
            "a_record": F("object_repr"),
            "a_detail": JSONObject(model=Concat("content_type__app_label", Value("."), "content_type__model",
                                                output_field=CharField()),
                                   object_id=F("object_id"), change_message=F("change_message")),
        }

    def present(row: Row) -> None:
        label = row.detail.get("model") or ""
        try:
            kind = str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):  # a model removed since
            kind = label
        row.record = f"{kind}「{row.record}」" if kind else row.record
        row.note = LogEntry(change_message=row.detail.get("change_message") or "").get_change_message()

    return Source(LogEntry, columns, action_labels, name=gettext_lazy("管理画面の変更履歴"), at="action_time",
                  actor="user_id", present=present)


def roster_import_source() -> Source:
    """The 職員名簿 imports applied (``RosterImport``): who applied which file when, and how many
    changes of each kind it made (each change is listed on the import's page in /admin/)."""
    from organization.models import RosterImport
    from organization.roster import kind_name

    def action_labels() -> dict[str, str]:
        return {"roster_applied": gettext("職員名簿の反映")}

    def columns() -> dict[str, Any]:
        return {
            "a_ip": _no_ip(),
            "a_action": Value("roster_applied", output_field=CharField()),
            "a_record": F("filename"),
            "a_detail": JSONObject(filename=F("filename"), sha256=F("sha256"), partial=F("partial"),
                                   counts=F("counts")),
        }

    def present(row: Row) -> None:
        row.record = gettext("職員名簿「%(file)s」") % {"file": row.record}
        counts = row.detail.get("counts") or {}
        if isinstance(counts, str):  # SQLite nests a JSON column as its text
            counts = row.detail["counts"] = json.loads(counts)
        row.note = "、".join(f"{kind_name(kind)} {count}" for kind, count in counts.items()) or gettext("変更なし")

    return Source(RosterImport, columns, action_labels, name=gettext_lazy("職員名簿の取込み"), at="applied_at",
                  events=Q(state=RosterImport.State.APPLIED), present=present)


#: The trails that are not ``AuditEvent`` tables, each read through its adapter.
ADAPTERS: tuple[Callable[[], Source], ...] = (admin_log_source, roster_import_source)


@cache
def sources() -> tuple[Source, ...]:
    found = [audit_event_source(model) for model in apps.get_models() if issubclass(model, AuditEvent)]
    found += [adapter() for adapter in ADAPTERS]
    return tuple(sorted(found, key=lambda s: s.label))


def source_by_key(key: str) -> Source | None:
    return next((s for s in sources() if s.key == key), None)


def action_choices() -> list[tuple[str, str]]:
    """Every action of every trail; a code two trails share is one choice naming both labels
    (「作成／相談の受付」), and matches in both."""
    labels: dict[str, list[str]] = {}
    for source in sources():
        for code, label in source.actions.items():
            if label not in labels.setdefault(code, []):
                labels[code].append(label)
    return sorted(((code, "／".join(names)) for code, names in labels.items()), key=lambda item: item[1])


@dataclass
class Filters:
    actors: list[int] | None = None  # None: anyone; []: nobody matched
    report: int | None = None
    action: str = ""
    source: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def _table_query(source: Source, filters: Filters) -> QuerySet | None:
    """The trail's rows matching ``filters`` as the union's columns; None if none can match."""
    if filters.source and filters.source != source.key:
        return None
    if filters.action and filters.action not in source.actions:
        return None
    if filters.report is not None and source.report_column is None:
        return None
    qs = source.model._default_manager.filter(source.events)
    if filters.actors is not None:
        qs = qs.filter(**{f"{source.actor}__in": filters.actors})
    if filters.report is not None:
        qs = qs.filter(**{source.report_column: filters.report})
    tz = timezone.get_current_timezone()
    if filters.since:
        start = datetime.datetime.combine(filters.since, datetime.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{source.at}__gte": start})
    if filters.until:
        end = datetime.datetime.combine(filters.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(**{f"{source.at}__lt": end})
    qs = qs.order_by().annotate(
        a_table=Value(source.key, output_field=CharField()),
        a_id=Cast("id", IntegerField()),
        a_actor=F(source.actor),
        a_at=F(source.at),
        **source.columns(),
    )
    if filters.action and len(source.actions) > 1:  # a one-action trail matched already
        qs = qs.filter(a_action=filters.action)
    return qs.values(*COLUMNS)


def events(filters: Filters) -> QuerySet | None:
    """The union of every trail's matching rows, newest first; None if no trail can match."""
    if filters.actors == []:
        return None
    parts = [qs for source in sources() if (qs := _table_query(source, filters)) is not None]
    if not parts:
        return None
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-a_at", "-a_id")


def label_rows(raw: list[dict]) -> list[Row]:
    """The rows as the page and the CSV show them: the trail's name, the actor's name, the action's
    label, and what the trail's ``present`` makes readable. One query: the actors' names."""
    by_key = {s.key: s for s in sources()}
    actions = {s.key: s.actions for s in sources()}
    ids = {r["a_actor"] for r in raw if r["a_actor"]}
    names = {u.pk: f"{u}（{u.username}）" for u in User.objects.filter(pk__in=ids)} if ids else {}
    rows = []
    for r in raw:
        source = by_key.get(r["a_table"])
        detail = r["a_detail"]
        if isinstance(detail, str):  # SQLite hands JSON back as text in a union
            try:
                detail = json.loads(detail)
            except ValueError:
                detail = {"text": detail}
        row = Row(
            table=source.label if source else r["a_table"], id=r["a_id"],
            actor=names.get(r["a_actor"], "—" if r["a_actor"] is None else str(r["a_actor"])),
            at=r["a_at"], ip=r["a_ip"] or "", action=actions.get(r["a_table"], {}).get(r["a_action"]) or r["a_action"],
            record=r["a_record"] or "", detail=detail or {},
        )
        if source is not None:
            source.present(row)
        rows.append(row)
    return rows


def iter_rows(filters: Filters, chunk: int = 2000) -> Iterator[Row]:
    qs = events(filters)
    if qs is None:
        return
    offset = 0
    while True:
        raw = list(qs[offset:offset + chunk])
        if not raw:
            return
        yield from label_rows(raw)
        offset += chunk
