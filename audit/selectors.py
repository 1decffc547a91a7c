"""Reading every audit trail as one list: a UNION ALL of one query per audit table, with the columns
they share (who, when, from where, what, on which record, details), newest first.

The tables are the ``AuditEvent`` subclasses of every installed app, found at run time. Each search
costs a bounded number of queries whatever the number of tables or rows: one COUNT over the union,
one page of it, and one for the actors' names.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Model,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from organization.models import AuditEvent, User

#: The action of a trail without actions (``incidents.ExportEvent``: every row is an export).
EXPORT_LABEL = "出力"

#: Names for trails whose own verbose name says too little in a list of every trail.
LABELS = {"incidents.reportevent": "連絡票の監査記録"}

COLUMNS = ("a_table", "a_id", "a_actor", "a_at", "a_ip", "a_action", "a_record", "a_detail")


@dataclass(frozen=True)
class Source:
    """One audit table: its model, its name in the viewer, the records its rows point at
    (foreign key column, label), and the column naming a 発生連絡票 if it has one."""

    model: type[Model]
    links: tuple[tuple[str, str], ...]
    report_column: str | None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return LABELS.get(self.key) or str(self.model._meta.verbose_name_plural)

    @property
    def actions(self) -> dict[str, str]:
        try:
            field = self.model._meta.get_field("action")
        except Exception:  # noqa: BLE001 - a trail without actions (ExportEvent)
            return {}
        return {str(code): str(label) for code, label in field.choices or ()}


@cache
def sources() -> tuple[Source, ...]:
    found = []
    for model in apps.get_models():
        if not issubclass(model, AuditEvent):
            continue
        links, report_column = [], None
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name != "actor":
                links.append((field.attname, str(field.related_model._meta.verbose_name)))
                if field.related_model._meta.label == "incidents.IncidentReport" and report_column is None:
                    report_column = field.attname
        found.append(Source(model, tuple(links), report_column))
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
    if any(not s.actions for s in sources()):
        labels.setdefault("export", [EXPORT_LABEL])
    return sorted(((code, "／".join(names)) for code, names in labels.items()), key=lambda item: item[1])


@dataclass
class Filters:
    actors: list[int] | None = None  # None: anyone; []: nobody matched
    report: int | None = None
    action: str = ""
    source: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def _record(source: Source):
    """「発生連絡票 No.12」: the first record the row points at, as text."""
    cases = [
        Case(When(**{f"{column}__isnull": False},
                  then=Concat(Value(f"{label} No."), Cast(column, CharField()), output_field=CharField())),
             default=Value(None, output_field=CharField()), output_field=CharField())
        for column, label in source.links
    ]
    return Coalesce(*cases, Value(""), output_field=CharField()) if cases else Value("", output_field=CharField())


def _table_query(source: Source, filters: Filters) -> QuerySet | None:
    qs = source.model.objects.all()
    actions = source.actions
    if filters.source and filters.source != source.key:
        return None
    if filters.action:
        if actions and filters.action not in actions:
            return None
        if not actions and filters.action != "export":
            return None
    if filters.actors is not None:
        qs = qs.filter(actor_id__in=filters.actors)
    if filters.report is not None:
        if source.report_column is None:
            return None
        qs = qs.filter(**{source.report_column: filters.report})
    if filters.action and actions:
        qs = qs.filter(action=filters.action)
    tz = timezone.get_current_timezone()
    if filters.since:
        qs = qs.filter(at__gte=datetime.datetime.combine(filters.since, datetime.time.min, tzinfo=tz))
    if filters.until:
        qs = qs.filter(at__lt=datetime.datetime.combine(filters.until + datetime.timedelta(days=1),
                                                        datetime.time.min, tzinfo=tz))
    return qs.order_by().annotate(
        a_table=Value(source.key, output_field=CharField()),
        a_id=Cast("id", IntegerField()),
        a_actor=F("actor_id"),
        a_at=F("at"),
        a_ip=F("ip_address"),
        a_action=F("action") if actions else Value("export", output_field=CharField()),
        a_record=_record(source),
        a_detail=F("detail"),
    ).values(*COLUMNS)


def events(filters: Filters) -> QuerySet | None:
    """The union of every trail's matching rows, newest first; None if no trail can match."""
    if filters.actors == []:
        return None
    parts = [qs for source in sources() if (qs := _table_query(source, filters)) is not None]
    if not parts:
        return None
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-a_at", "-a_id")


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


def label_rows(raw: list[dict]) -> list[Row]:
    """The rows as the page and the CSV show them: the trail's name, the actor's name, the action's label."""
    by_key = {s.key: s for s in sources()}
    ids = {r["a_actor"] for r in raw if r["a_actor"]}
    names = {u.pk: f"{u}（{u.username}）" for u in User.objects.filter(pk__in=ids)} if ids else {}
    rows = []
    for r in raw:
        source = by_key.get(r["a_table"])
        actions = source.actions if source else {}
        detail = r["a_detail"]
        if isinstance(detail, str):  # SQLite hands JSON back as text in a union
            import json

            try:
                detail = json.loads(detail)
            except ValueError:
                detail = {"text": detail}
        rows.append(Row(
            table=source.label if source else r["a_table"], id=r["a_id"],
            actor=names.get(r["a_actor"], "—" if r["a_actor"] is None else str(r["a_actor"])),
            at=r["a_at"], ip=r["a_ip"] or "", action=actions.get(r["a_action"]) or (EXPORT_LABEL if r["a_action"] == "export" else r["a_action"]),
            record=r["a_record"] or "", detail=detail or {},
        ))
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
