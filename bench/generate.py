"""The one data generator of the benchmarks: a city of 40 課 and ~400 people, and their reports.

    python -m bench.generate --reports 100000 --seed 1          # fill (or top up) the bench database
    python -m bench.generate --reports 100000 --seed 1 --reset  # drop, recreate, migrate, fill

The database is DATABASE_URL (default ``postgres://postgres@127.0.0.1:5432/kasuhara_bench``); it is
created when missing, and ``--reset`` drops it first (only a database whose name contains "bench").

One function per kind of record, each taking the shared :class:`World` (random generator, the
organisation, the people) so that later generators (相手方, 相談, …) add a function and a flag
instead of a new script. Large tables are written with PostgreSQL ``COPY`` (:func:`copy_rows`),
explicit ids for the rows children point at, and the sequences moved past them afterwards.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

import bench.django_env  # noqa: F401 - configures Django; must stay the first project import
from demo.management.commands.load_demo import DEMO_PASSWORD
from demo.management.commands.load_demo import Command as LoadDemo
from incidents.lifecycle import OPEN, WAITING, Status
from incidents.models import (
    Channel,
    Difficulty,
    EventAction,
    IncidentReport,
    Judgement,
    Level,
    ReportEvent,
    TimelineEntry,
    TimelineKind,
)
from kasuhara.textnorm import fold
from manual.models import HarassmentType
from organization.models import Department, Section, User

# -- the city ------------------------------------------------------------------------------------

#: 部 → [(課, weight)]: 40 課 in 8 部, the demo's 10 among them. The weight is how often the 課 meets
#: customer harassment (counters that handle money, benefits and certificates meet it most).
ORGANISATION: dict[str, list[tuple[str, int]]] = {
    "総務部": [("総務課", 1), ("人事課", 1), ("財政課", 1), ("契約課", 1), ("情報政策課", 1), ("危機管理課", 1)],
    "市民環境部": [("市民課", 6), ("生活環境課", 3), ("保険年金課", 5), ("環境保全課", 2), ("市民協働課", 1)],
    "健康福祉部": [("福祉課", 6), ("長寿社会課", 3), ("こども家庭課", 3), ("障がい福祉課", 3), ("健康づくり課", 1),
               ("生活支援課", 5), ("保育課", 3)],
    "都市整備部": [("都市計画課", 1), ("土木課", 2), ("建築指導課", 2), ("道路管理課", 2), ("公園緑地課", 1),
               ("住宅課", 2)],
    "税務部": [("市民税課", 3), ("資産税課", 2), ("納税課", 5), ("債権管理課", 2)],
    "産業振興部": [("商工観光課", 1), ("農林水産課", 1), ("雇用労働課", 1)],
    "教育部": [("教育総務課", 1), ("学校教育課", 2), ("生涯学習課", 1), ("文化スポーツ課", 1), ("学務課", 2)],
    "上下水道部": [("水道総務課", 1), ("料金課", 3), ("下水道課", 1), ("浄水課", 1)],
}

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水".split()
GIVEN_NAMES = "翔太 大輔 健一 誠 直樹 拓也 陽子 美咲 恵 由美 真由美 智子 裕子 愛 彩 花子 太郎 一郎 明美 優子".split()

# -- the words of a report: small lists, so a substring search hits a realistic fraction ---------

PLACES = ["窓口", "電話", "庁舎ロビー", "訪問先", "駐車場", "相談室", "メール", "SNS"]
BEHAVIOURS = [
    "長時間の居座り", "大声での威圧", "暴言", "同じ要求の繰り返し", "土下座の要求", "職員の無断撮影",
    "書類を投げつける行為", "執拗な電話", "個人の連絡先の要求", "脅迫的な発言", "上司を出せとの要求",
    "ネット上での中傷", "深夜の着信", "机を叩く行為", "長時間の電話",
]
QUOTES = [
    "馬鹿野郎", "税金泥棒", "お前じゃ話にならない", "上の者を出せ", "納得するまで帰らない", "ネットにさらしてやる",
    "訴えてやる", "土下座しろ", "名前を教えろ", "市長に言いつけるぞ", "今すぐやれ", "何度でも電話するからな",
    "覚えておけよ", "お前の家族も知っている", "クビにしてやる", "誠意を見せろ", "録音しているぞ", "ふざけるな",
]
ACTIONS = [
    "と大声で怒鳴った", "と繰り返し述べた", "とカウンターを叩きながら言った", "と職員に顔を近づけて言った",
    "と言って電話を切らせなかった", "と言い、閉庁時間を過ぎても帰らなかった", "と言いながら職員を撮影した",
    "と書いたメールを一日に何通も送った", "と言い、書類を職員に向けて投げた", "と周囲の来庁者にも聞こえる声で言った",
]
DEMANDS = [
    "手数料の免除", "申請の即日受理", "担当者の交代", "文書での謝罪", "給付の即時決定", "ごみ収集場所の移設",
    "税額の取消し", "規則の例外適用", "職員の処分", "職員の個人連絡先", "延滞金の免除", "工事の即時中止",
]
PLACE_DETAILS = ["本庁舎1階 窓口", "本庁舎2階 窓口", "第2庁舎 相談室", "相手方の自宅玄関先", "支所 窓口", "電話", ""]
RELATIONS = ["申請者本人", "申請者の家族", "事業者", "施設利用者", "近隣住民", ""]
TIMELINE_TEXT = {
    TimelineKind.WARNING: ["言動をやめるよう警告した", "大声をやめるよう求めた", "これ以上は対応できないと伝えた"],
    TimelineKind.RECORDING: ["録音を開始すると告げて録音した", "録画を開始した"],
    TimelineKind.EXIT_REQUEST: ["退去を求めた", "お引き取りくださいと伝えた"],
    TimelineKind.EXIT_ORDER: ["庁舎管理規則に基づき退去を命じた"],
    TimelineKind.POLICE: ["警察に通報した", "110番通報した"],
    TimelineKind.SUPERVISOR: ["係長に報告し交代した", "課長が対応を代わった"],
}
HARASSMENT_WEIGHTS = {
    "verbal_abuse": 10, "long_detention": 7, "repeat": 7, "intimidation": 4, "authority": 3,
    "off_premises": 1, "online_defamation": 2, "sexual_harassment": 1, "private_contact": 1, "violence": 1,
}
CHANNELS = [
    (Channel.COUNTER, 45), (Channel.PHONE, 35), (Channel.VISIT, 5), (Channel.EMAIL, 7),
    (Channel.ONLINE, 5), (Channel.PERSONAL, 2), (Channel.OTHER, 1),
]
#: Status by age of the report: recent ones are still moving, old ones are mostly closed.
STATUS_BY_AGE = [
    (14, [(Status.DRAFT, 15), (Status.SUBMITTED, 45), (Status.RETURNED, 5), (Status.CONFIRMED, 20),
          (Status.ACCEPTED, 10), (Status.IN_PROGRESS, 5)]),
    (90, [(Status.DRAFT, 3), (Status.SUBMITTED, 7), (Status.RETURNED, 2), (Status.CONFIRMED, 18),
          (Status.ACCEPTED, 20), (Status.IN_PROGRESS, 20), (Status.REFERRED, 10), (Status.DECIDED, 10),
          (Status.SHARED, 5), (Status.CLOSED, 5)]),
    (None, [(Status.DRAFT, 2), (Status.CONFIRMED, 1), (Status.ACCEPTED, 2), (Status.IN_PROGRESS, 3),
            (Status.REFERRED, 2), (Status.DECIDED, 5), (Status.SHARED, 15), (Status.CLOSED, 70)]),
]
#: States the 所属長 has confirmed (or the desk took straight in): the case fields are filled from here on.
CONFIRMED_OR_LATER = frozenset({Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REFERRED,
                                Status.DECIDED, Status.SHARED, Status.CLOSED})
#: States the 相談窓口 has accepted: a handler, 受付日時, 継続性・悪質性.
ACCEPTED_OR_LATER = CONFIRMED_OR_LATER - {Status.CONFIRMED}
DIFFICULTIES = [(Difficulty.NORMAL, 70), (Difficulty.HARD, 22), (Difficulty.VERY_HARD, 8)]
LEVELS = [(Level.LOW, 50), (Level.MEDIUM, 35), (Level.HIGH, 15)]
JUDGEMENTS = [(Judgement.APPLICABLE, 80), (Judgement.PENDING, 12), (Judgement.NOT_APPLICABLE, 8)]
YEARS = 3
BATCH = 10_000
#: A 職員 of 市民課 who filed only a few reports, long ago, and was never 対応職員 otherwise: the
#: worst case of the 閲覧できる連絡票 list (the database walks the whole list order to find them).
RARE = ("rare", "稀 報告者", "市民課", 3)


@dataclass
class World:
    """What every generator function shares."""

    rng: random.Random
    now: datetime
    sections: list[Section] = field(default_factory=list)
    section_weights: list[int] = field(default_factory=list)
    members: dict[int, list[User]] = field(default_factory=dict)  # section id → its users
    users: dict[str, User] = field(default_factory=dict)  # username → user (demo users among them)
    types: list[HarassmentType] = field(default_factory=list)
    type_weights: list[int] = field(default_factory=list)
    made: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int) -> None:
        self.made[what] = self.made.get(what, 0) + n


# -- COPY ------------------------------------------------------------------------------------------

def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write rows into ``table`` with one COPY; returns how many."""
    buffer = io.StringIO()
    n = 0
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
        n += 1
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)
    return n


def copy_models(model: type[models.Model], rows: Sequence[dict]) -> int:
    """COPY rows given as ``{attname: value}``; every other column gets the field's default."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = [f.column for f in fields]
    return copy_rows(
        model._meta.db_table, columns, ([row.get(f.attname, defaults[f.attname]) for f in fields] for row in rows)
    )


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def move_sequence(model: type[models.Model]) -> None:
    """After rows were copied with explicit ids: the next ``save()`` gets a free one."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",  # noqa: S608
            [table],
        )


def _pick(rng: random.Random, weighted: list[tuple[object, int]]):
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


# -- the database ------------------------------------------------------------------------------------

def database_name() -> str:
    return connection.settings_dict["NAME"]


def ensure_database(*, reset: bool) -> None:
    """Create the bench database when missing; with ``reset`` drop it first."""
    import psycopg2

    name = database_name()
    if reset and "bench" not in name:
        sys.exit(f"--reset drops the database; refusing for {name!r} (its name must contain 'bench')")
    settings = connection.settings_dict
    params = {k: settings[k.upper()] for k in ("user", "password", "host", "port") if settings[k.upper()]}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            if reset:
                connection.close()
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}")
    finally:
        admin.close()


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


# -- organisation and people ---------------------------------------------------------------------------

def make_organisation(world: World) -> None:
    """The demo's 部/課 (load_demo) and the rest of the 40 課."""
    demo_sections = LoadDemo()._organisation()
    for d_order, (dept_name, sections) in enumerate(ORGANISATION.items(), 1):
        dept, _ = Department.objects.get_or_create(name=dept_name, defaults={"order": d_order})
        for s_order, (name, weight) in enumerate(sections, 1):
            section = demo_sections.get(name)
            if section is None or section.department_id != dept.pk:
                section, _ = Section.objects.get_or_create(department=dept, name=name, defaults={"order": s_order})
            world.sections.append(section)
            world.section_weights.append(weight)
    world.count("部", Department.objects.count())
    world.count("課", Section.objects.count())


def make_people(world: World) -> None:
    """The demo users (load_demo), then ~10 people per 課: one 所属長 each, one 部長 per 部."""
    by_name = {s.name: s for s in world.sections}
    world.users.update(LoadDemo()._users(by_name))
    existing = set(User.objects.values_list("username", flat=True))
    has_chief = set(User.objects.filter(is_section_chief=True).values_list("section_id", flat=True))
    has_director = set(
        User.objects.filter(is_director=True, section__isnull=False).values_list("section__department_id", flat=True)
    )
    password = make_password(DEMO_PASSWORD)  # one hash for all: hashing 400 times would take minutes
    new = []
    for s_index, (section, weight) in enumerate(zip(world.sections, world.section_weights, strict=True)):
        for n in range(6 + 2 * weight):
            username = f"s{s_index:02d}u{n:02d}"
            if username in existing:
                continue
            flags = {}
            if n == 0 and section.pk not in has_chief:
                flags["is_section_chief"] = True
            if n == 1 and section.department_id not in has_director:
                flags["is_director"] = True
                has_director.add(section.department_id)
            if section.name == "総務課" and n in (2, 3):
                flags["is_desk"] = True
            rng = world.rng
            new.append(User(
                username=username, password=password, section=section,
                display_name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}", **flags,
            ))
    rare_name, rare_display, rare_section, _ = RARE
    if rare_name not in existing:
        new.append(User(username=rare_name, password=password, section=by_name[rare_section],
                        display_name=rare_display))
    User.objects.bulk_create(new, batch_size=1000)
    world.count("利用者", len(new))
    world.users.update({u.username: u for u in User.objects.select_related("section")})
    for user in world.users.values():
        if user.section_id and user.username != rare_name:
            world.members.setdefault(user.section_id, []).append(user)
    world.types = list(HarassmentType.objects.order_by("number", "pk"))
    world.type_weights = [HARASSMENT_WEIGHTS.get(t.code, 1) for t in world.types]


# -- reports and what hangs on them --------------------------------------------------------------------

def _status_for(rng: random.Random, age: timedelta) -> str:
    for days, weighted in STATUS_BY_AGE:
        if days is None or age < timedelta(days=days):
            return _pick(rng, weighted)
    raise AssertionError


def report_rows(world: World, count: int, first_id: int) -> list[dict]:
    """``count`` reports, oldest first (ids grow with time, as in the real table)."""
    rng, now = world.rng, world.now
    span = YEARS * 365 * 24 * 3600
    # More reports lately (the city started reporting in earnest): density grows over the span.
    offsets = sorted(int(span * (1 - rng.random() ** 0.8)) for _ in range(count))
    cum_weights = list(itertools.accumulate(world.section_weights))
    rare = world.users[RARE[0]]
    rare_left = RARE[3] if not IncidentReport.objects.filter(reporter=rare).exists() else 0
    desks = sorted((u for u in world.users.values() if u.is_desk), key=lambda u: u.pk)
    rows = []
    for i, offset in enumerate(offsets):
        created = now - timedelta(seconds=span - offset)
        section = rng.choices(world.sections, cum_weights=cum_weights)[0]
        reporter = rng.choice(world.members[section.pk])
        if rare_left and section.pk == rare.section_id:
            reporter, rare_left = rare, rare_left - 1
        status = _status_for(rng, now - created)
        minutes = rng.choice([10, 15, 20, 30, 40, 45, 60, 90, 120, 150, 180])
        start = (created - timedelta(minutes=rng.randint(30, 3 * 24 * 60))).replace(second=0, microsecond=0)
        end = start + timedelta(minutes=minutes)
        submitted = None if status == Status.DRAFT else created + timedelta(minutes=rng.randint(5, 600))
        place, behaviour = rng.choice(PLACES), rng.choice(BEHAVIOURS)
        quote = rng.choice(QUOTES)
        conduct = f"「{quote}」{rng.choice(ACTIONS)}。"
        if rng.random() < 0.5:
            conduct += f"さらに「{rng.choice(QUOTES)}」{rng.choice(ACTIONS)}。"
        police = rng.random() < 0.04
        case = _case_fields(rng, status, submitted, now, desks)
        rows.append({
            "id": first_id + i,
            "reporter_id": reporter.pk,
            "section_id": section.pk,
            "status": status,
            "title": f"{place}での{behaviour}" if rng.random() < 0.97 else "",
            "occurred_start": start,
            "occurred_end": end,
            "channel": _pick(rng, CHANNELS),
            "place": rng.choice(PLACE_DETAILS),
            "staff_count": rng.randint(1, 4),
            "counterpart_count": rng.choice([1, 1, 1, 1, 2, 3]),
            "counterpart_name": "" if rng.random() < 0.7 else f"{rng.choice(SURNAMES)} 某",
            "counterpart_sex": rng.choice(["male", "male", "male", "female", "unknown"]),
            "counterpart_age_band": rng.choice(["30s", "40s", "50s", "60s", "60s", "70plus", "unknown"]),
            "counterpart_relation": rng.choice(RELATIONS),
            "demand": rng.choice(DEMANDS),
            "conduct": conduct,
            "ground_unreasonable_demand": rng.random() < 0.8,
            "ground_inappropriate_means": rng.random() < 0.9,
            "warning_count": rng.choice([0, 1, 1, 2, 2, 3]),
            "recording_started": rng.random() < 0.4,
            "response_stopped": rng.random() < 0.3,
            "exit_request_count": rng.choice([0, 0, 0, 1, 2]),
            "police_called": police,
            "police_called_at": end if police else None,
            "harm_mental": rng.random() < 0.6,
            "work_minutes_lost": minutes,
            "wants_consultation": rng.random() < 0.2,
            "created_at": created,
            "updated_at": submitted or created,
            "submitted_at": submitted,
            **case,
            "_minutes": minutes,
            "_reporter": reporter,
        })
    return rows


def _case_fields(rng: random.Random, status: str, submitted: datetime | None, now: datetime,
                 desks: list[User]) -> dict:
    """The case after 提出: 所属長の判断・難易度 once confirmed; 受付日時, 担当者 (a 相談窓口 user),
    継続性・悪質性 once accepted; 至急 on ~5% of submitted reports; 特に困難 cases under cross review."""
    fields: dict = {}
    if submitted is None:
        return fields
    fields["urgent"] = rng.random() < 0.05
    if status in CONFIRMED_OR_LATER:
        difficulty = _pick(rng, DIFFICULTIES)
        confirmed = min(submitted + timedelta(hours=rng.randint(1, 72)), now)
        fields.update(difficulty=difficulty, chief_judgement=_pick(rng, JUDGEMENTS), confirmed_at=confirmed,
                      cross_review=difficulty == Difficulty.VERY_HARD and rng.random() < 0.5)
        if status in ACCEPTED_OR_LATER:
            fields.update(
                accepted_at=min(confirmed + timedelta(hours=rng.randint(1, 96)), now),
                handler_id=rng.choice(desks).pk if desks and rng.random() < 0.97 else None,
                continuity=_pick(rng, LEVELS), malice=_pick(rng, LEVELS),
            )
    return fields


def fill_search_text(reports: list[dict], timeline: list[dict]) -> None:
    """``search_text`` as ``services.refresh_search_text`` folds it: 件名, 要求内容, 言動, 相手方の氏名, 経過."""
    steps: dict[int, list[str]] = {}
    for entry in timeline:
        steps.setdefault(entry["report_id"], []).append(entry["description"])
    for r in reports:
        r["search_text"] = fold("\n".join([r["title"], r["demand"], r["conduct"], r["counterpart_name"],
                                            *steps.get(r["id"], [])]))


def timeline_rows(world: World, reports: list[dict]) -> list[dict]:
    """経過: 2–5 entries per report, from 対応開始 to 対応終了."""
    rng, kinds = world.rng, list(TIMELINE_TEXT)
    rows = []
    for r in reports:
        n, start, minutes, actor = rng.randint(2, 5), r["occurred_start"], r["_minutes"], str(r["_reporter"])
        rows.append({"report_id": r["id"], "at": start, "kind": TimelineKind.OTHER, "description": "対応開始",
                     "actor_name": actor})
        for k in range(1, n - 1):
            kind = rng.choice(kinds)
            rows.append({"report_id": r["id"], "at": start + timedelta(minutes=minutes * k // n), "kind": kind,
                         "description": rng.choice(TIMELINE_TEXT[kind]), "actor_name": actor})
        rows.append({"report_id": r["id"], "at": r["occurred_end"], "kind": TimelineKind.STOPPED,
                     "description": "対応を終了", "actor_name": actor})
    return rows


def staff_member_rows(world: World, reports: list[dict]) -> list[tuple[int, int]]:
    """対応職員: the reporter and 0–2 others, nearly always of the same 課."""
    rng = world.rng
    rows = []
    for r in reports:
        staff = {r["reporter_id"]}
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            pool = world.members[r["section_id"]] if rng.random() < 0.9 else world.members[rng.choice(world.sections).pk]
            staff.add(rng.choice(pool).pk)
        rows.extend((r["id"], user_id) for user_id in staff)
    return rows


def harassment_type_rows(world: World, reports: list[dict]) -> list[tuple[int, int]]:
    """態様: one, sometimes two."""
    rng = world.rng
    rows = []
    for r in reports:
        chosen = {t.pk for t in rng.choices(world.types, world.type_weights, k=1 if rng.random() < 0.7 else 2)}
        rows.extend((r["id"], type_id) for type_id in chosen)
    return rows


def event_rows(world: World, reports: list[dict]) -> list[dict]:
    """監査記録: created, and submitted for every report past the draft."""
    rows = []
    for r in reports:
        rows.append({"report_id": r["id"], "actor_id": r["reporter_id"], "at": r["created_at"],
                     "action": EventAction.CREATED, "to_status": Status.DRAFT, "detail": {}})
        if r["submitted_at"]:
            rows.append({"report_id": r["id"], "actor_id": r["reporter_id"], "at": r["submitted_at"],
                         "action": EventAction.SUBMITTED, "from_status": Status.DRAFT,
                         "to_status": Status.SUBMITTED, "detail": {}})
    return rows


def make_reports(world: World, count: int) -> None:
    """``count`` reports with their 経過, 対応職員, 態様 and audit events, in batches of COPY."""
    staff_through = IncidentReport.staff_members.through
    type_through = IncidentReport.harassment_types.through
    staff_field = IncidentReport._meta.get_field("staff_members")
    type_field = IncidentReport._meta.get_field("harassment_types")
    first_id = next_id(IncidentReport)
    all_rows = report_rows(world, count, first_id)
    for start in range(0, count, BATCH):
        batch = all_rows[start:start + BATCH]
        timeline = timeline_rows(world, batch)
        fill_search_text(batch, timeline)
        with transaction.atomic():
            world.count("連絡票", copy_models(IncidentReport, batch))
            world.count("経過", copy_models(TimelineEntry, timeline))
            world.count("対応職員", copy_rows(staff_through._meta.db_table,
                                          [staff_field.m2m_column_name(), staff_field.m2m_reverse_name()],
                                          staff_member_rows(world, batch)))
            world.count("態様", copy_rows(type_through._meta.db_table,
                                        [type_field.m2m_column_name(), type_field.m2m_reverse_name()],
                                        harassment_type_rows(world, batch)))
            world.count("監査記録", copy_models(ReportEvent, event_rows(world, batch)))
        print(f"  連絡票 {start + len(batch):,} / {count:,}", flush=True)
    for model in (IncidentReport, TimelineEntry, ReportEvent, staff_through, type_through):
        move_sequence(model)


# -- how many cases are open (--open) ----------------------------------------------------------------

#: The shares of the open states past 受付 among old reports (``STATUS_BY_AGE``): what a closed case
#: becomes when ``--open`` needs more open cases than the age-based statuses made.
REOPENED = [(Status.ACCEPTED, 2), (Status.IN_PROGRESS, 3), (Status.REFERRED, 2), (Status.DECIDED, 5),
            (Status.SHARED, 15)]


def make_open(world: World, count: int, rng: random.Random) -> None:
    """Exactly ``count`` open cases (``incidents.lifecycle.OPEN``), for the benchmarks of open work
    (the escalation sweep of ``bench.notices``). The reports waiting for 受付 (提出済み・所属長確認済み)
    stay as the age-based statuses made them: about 2% of the reports, most submitted weeks or months
    ago, so a sweep has real work. Of the other open cases, randomly chosen ones are closed (or, when
    too few are open, closed ones reopened in the shares of ``REOPENED``), so the open states keep
    their shares and ages. Only the status moves: a case accepted or later already has its 受付 fields
    (the generator writes no 完了 fields either). ``rng`` is the option's own, so every other record
    is the same as without ``--open``."""
    waiting = IncidentReport.objects.filter(status__in=WAITING).count()
    if count < waiting:
        sys.exit(f"--open {count}: {waiting:,} reports wait for 受付 and stay open; ask for at least that many")
    movable = list(IncidentReport.objects.filter(status__in=OPEN - WAITING).order_by("id").values_list("id", flat=True))
    excess = waiting + len(movable) - count
    moves: dict[str, list[int]] = {}
    if excess > 0:
        moves[Status.CLOSED] = rng.sample(movable, excess)
    elif excess < 0:
        closed = list(IncidentReport.objects.filter(status=Status.CLOSED).order_by("id").values_list("id", flat=True))
        if -excess > len(closed):
            sys.exit(f"--open {count}: only {waiting + len(movable) + len(closed):,} reports were ever submitted")
        for report_id in rng.sample(closed, -excess):
            moves.setdefault(_pick(rng, REOPENED), []).append(report_id)
    with transaction.atomic():
        for status, ids in moves.items():
            for start in range(0, len(ids), BATCH):
                IncidentReport.objects.filter(pk__in=ids[start:start + BATCH]).update(status=status)
    world.count("完了にした事案" if excess > 0 else "再開した事案", abs(excess))


# -- 相手方 (counterparts), their links to reports, measures ------------------------------------------

#: 「山田 太郎」, 「山田\u3000太郎」 and 「山田太郎」: the folded name key makes them one.
NAME_SEPARATORS = [" ", "\u3000", ""]
CITY_TOWNS = ["本町", "栄町", "緑町", "旭町", "中央", "東町", "西町", "南町", "北町", "新町", "宮前", "川端"]
CP_DESCRIPTIONS = ["", "", "", "眼鏡をかけている", "大柄", "杖をついている", "作業着姿が多い", "早口で話す"]
MEASURE_TEXT = {
    "ban": "本庁舎への立入りを禁止", "warning_letter": "警告文書を送付", "single_handler": "対応者を一本化",
    "time_limit": "対応は平日10時〜11時の30分以内に限る", "other": "録音を告げてから対応する",
}
#: How many reports the benchmark counterpart has (``bench.pages`` looks it up by this count).
BIG_COUNTERPART_REPORTS = 50


def _counterpart_sizes(rng: random.Random, count: int, *, big: bool) -> list[int]:
    """Reports per counterpart: most 1, a tail of 2–10 (fewer the more), and one with exactly 50."""
    sizes = [1 if rng.random() < 0.8 else min(10, 2 + int(rng.expovariate(0.6))) for _ in range(count)]
    if big and sizes:
        sizes[0] = BIG_COUNTERPART_REPORTS
    return sizes


def counterpart_rows(world: World, count: int, first_id: int) -> list[dict]:
    """``count`` counterparts: names from the small lists (so names repeat, as they do), phones,
    addresses; the folded keys computed by the model's own key functions, as ``save()`` does."""
    from counterparts.models import address_key, name_key, phone_key

    rng, now = world.rng, world.now
    desks = sorted((u for u in world.users.values() if u.is_desk), key=lambda u: u.pk)
    rows = []
    for i in range(count):
        name = "" if rng.random() < 0.03 else (
            f"{rng.choice(SURNAMES)}{rng.choice(NAME_SEPARATORS)}{rng.choice(GIVEN_NAMES)}")
        phone = "" if rng.random() < 0.25 else rng.choice([
            f"090-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
            f"080{rng.randint(0, 99_999_999):08d}",
            f"０３－{rng.randint(1000, 9999)}－{rng.randint(0, 9999):04d}".translate(
                str.maketrans("0123456789", "０１２３４５６７８９")),
        ])
        address = "" if rng.random() < 0.3 else (
            f"{rng.choice(CITY_TOWNS)}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}")
        created = now - timedelta(days=rng.randint(0, YEARS * 365), minutes=rng.randint(0, 1440))
        rows.append({
            "id": first_id + i, "name": name, "phone": phone, "address": address,
            "sex": rng.choice(["male", "male", "female", "unknown", ""]),
            "age_band": rng.choice(["30s", "40s", "50s", "60s", "70plus", "unknown", ""]),
            "relation": rng.choice(RELATIONS), "description": rng.choice(CP_DESCRIPTIONS),
            "name_key": name_key(name), "phone_key": phone_key(phone), "address_key": address_key(address),
            "created_by_id": rng.choice(desks).pk, "created_at": created, "updated_at": created,
        })
    return rows


def _update_reports_from_counterparts(pairs: list[tuple[int, dict]]) -> None:
    """Linked reports name their counterpart: 相手方の氏名 and 住所・連絡先 as the counterpart has them,
    and ``search_text`` refolded (it holds the name) as ``fill_search_text`` does."""
    if not pairs:
        return
    report_ids = [report_id for report_id, _ in pairs]
    texts = {r["id"]: r for r in IncidentReport.objects.filter(pk__in=report_ids).values("id", "title", "demand",
                                                                                         "conduct")}
    steps: dict[int, list[str]] = {}
    for report_id, description in (TimelineEntry.objects.filter(report_id__in=report_ids)
                                   .order_by("report_id", "at", "id").values_list("report_id", "description")):
        steps.setdefault(report_id, []).append(description)
    rows = []
    for report_id, cp in pairs:
        r = texts[report_id]
        contact = " ".join(part for part in (cp["address"], f"TEL {cp['phone']}" if cp["phone"] else "") if part)
        search_text = fold("\n".join([r["title"], r["demand"], r["conduct"], cp["name"], *steps.get(report_id, [])]))
        rows.append((report_id, cp["name"], contact, search_text))
    table = IncidentReport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_cp_names (id bigint, name text, contact text, search_text text) "
                       "ON COMMIT DROP")
        copy_rows("bench_cp_names", ["id", "name", "contact", "search_text"], rows)
        cursor.execute(f"UPDATE {table} r SET counterpart_name = t.name, counterpart_contact = t.contact, "  # noqa: S608
                       "search_text = t.search_text FROM bench_cp_names t WHERE r.id = t.id")


def measure_rows(world: World, counterparts: list[dict], sizes: list[int]) -> list[dict]:
    """措置: on ~3% of counterparts, more often the more reports; some in force, some ended, a few planned."""
    rng, today = world.rng, timezone.localdate(world.now)
    desks = sorted((u for u in world.users.values() if u.is_desk), key=lambda u: u.pk)
    rows = []
    for cp, size in zip(counterparts, sizes, strict=True):
        if not (size >= 5 or rng.random() < 0.02 + 0.03 * (size - 1)):
            continue
        for _ in range(rng.choice([1, 1, 2])):
            kind = rng.choice(list(MEASURE_TEXT))
            starts = today - timedelta(days=rng.randint(-20, 700))
            ends = starts + timedelta(days=rng.choice([90, 180, 365])) if rng.random() < 0.7 else None
            ended = rng.random() < 0.2 and starts < today
            rows.append({
                "counterpart_id": cp["id"], "kind": kind, "description": MEASURE_TEXT[kind],
                "handler_id": rng.choice(desks).pk if kind == "single_handler" else None,
                "decided_by": rng.choice(["カスハラ対策委員会", "総務課長", "市長"]),
                "decided_on": starts - timedelta(days=rng.randint(0, 14)), "starts_on": starts, "ends_on": ends,
                "recorded_by_id": rng.choice(desks).pk,
                "recorded_at": datetime.combine(starts, datetime.min.time(), tzinfo=UTC),
                "ended_on": min(today, starts + timedelta(days=30)) if ended else None,
                "ended_by_id": rng.choice(desks).pk if ended else None,
                "end_reason": "改善が見られたため" if ended else "",
            })
    return rows


def make_counterparts(world: World, count: int) -> None:
    """``count`` counterparts, each linked to non-draft reports that have no counterpart yet
    (most 1, a tail 2–10, one with exactly 50), with 登録/紐付け audit events and some measures."""
    from counterparts.models import Counterpart, CounterpartAction, CounterpartEvent, CounterpartLink, Measure

    rng = world.rng
    has_big = (CounterpartLink.objects.values("counterpart").annotate(n=models.Count("id"))
               .filter(n=BIG_COUNTERPART_REPORTS).exists())
    rows = counterpart_rows(world, count, next_id(Counterpart))
    sizes = _counterpart_sizes(rng, count, big=not has_big)
    free = list(IncidentReport.objects.exclude(status=Status.DRAFT).filter(counterpart_links__isnull=True)
                .values_list("id", "submitted_at", "reporter_id"))
    rng.shuffle(free)
    links, events, pairs = [], [], []
    desks = sorted((u for u in world.users.values() if u.is_desk), key=lambda u: u.pk)
    for cp, size in zip(rows, sizes, strict=True):
        events.append({"counterpart_id": cp["id"], "actor_id": cp["created_by_id"], "at": cp["created_at"],
                       "action": CounterpartAction.CREATED, "detail": {}})
        for _ in range(size):
            if not free:
                break
            report_id, submitted, _reporter = free.pop()
            at = max(cp["created_at"], submitted or cp["created_at"])
            actor = rng.choice(desks).pk
            links.append({"counterpart_id": cp["id"], "report_id": report_id, "linked_by_id": actor, "linked_at": at})
            events.append({"counterpart_id": cp["id"], "actor_id": actor, "at": at,
                           "action": CounterpartAction.LINKED, "detail": {"report": report_id}})
            pairs.append((report_id, cp))
    measures = measure_rows(world, rows, sizes)
    with transaction.atomic():
        world.count("相手方", copy_models(Counterpart, rows))
        world.count("紐付け", copy_models(CounterpartLink, links))
        world.count("措置", copy_models(Measure, measures) if measures else 0)
        world.count("相手方の監査記録", copy_models(CounterpartEvent, events))
        _update_reports_from_counterparts(pairs)
    for model in (Counterpart, CounterpartLink, Measure, CounterpartEvent):
        move_sequence(model)


# -- 相談 (consultations) -----------------------------------------------------------------------------

CONSULT_WHAT = [
    "窓口で「{q}」と言われ、1時間以上帰ってもらえなかった", "電話で「{q}」と何度も言われた",
    "訪問先で「{q}」と大声を出された", "メールで「{q}」と毎日送られてくる", "SNSに名前を書かれ「{q}」とあった",
]
CONSULT_WISH = ["カスハラに当たるか判断してほしい", "対応方法を相談したい", "次に来たときの対応を一緒に考えてほしい",
                "上司にどう報告すればよいか知りたい", "精神的につらいので相談したい"]
CONSULT_CONTACT = ["内線{n}", "平日15時以降に内線{n}へ", "メールで", "直接来てもらえると助かる"]
CONSULT_ANSWERS = ["カスハラに当たると考えられます。発生連絡票の提出をお勧めします。",
                   "録音を告げたうえで対応し、要求には応じられない旨を明確に伝えてください。",
                   "次回は複数人で対応してください。必要なら相談窓口も同席します。",
                   "産業医との面談を手配します。"]
FOLLOW_UP_TEXT = ["相談者と面談した", "所属長に状況を確認した", "相手方への対応方針を共有した", "産業医面談を実施した",
                  "電話で状況を確認した"]


def consultation_rows(world: World, count: int, first_id: int) -> tuple[list[dict], list[dict], list[dict]]:
    """``count`` 相談 over the people (any 課), newest mostly new or in progress, older mostly closed;
    the answered ones with 1–3 follow-ups; ``search_text`` folded as ``services._search_text``.
    Returns (consultations, follow-ups, audit events)."""
    from consultations.models import EventAction as ConsultationAction
    from consultations.models import State

    rng, now = world.rng, world.now
    people = sorted((u for u in world.users.values() if u.section_id), key=lambda u: u.pk)
    desks = sorted((u for u in world.users.values() if u.is_desk), key=lambda u: u.pk)
    span = YEARS * 365 * 24 * 3600
    offsets = sorted(int(span * (1 - rng.random() ** 0.8)) for _ in range(count))
    rows, follow_ups, events = [], [], []
    for i, offset in enumerate(offsets):
        created = now - timedelta(seconds=span - offset)
        age = now - created
        author = rng.choice(people)
        if age < timedelta(days=7):
            state = rng.choice([State.NEW, State.NEW, State.IN_PROGRESS])
        elif age < timedelta(days=60):
            state = rng.choice([State.NEW, State.IN_PROGRESS, State.IN_PROGRESS, State.CLOSED])
        else:
            state = State.CLOSED if rng.random() < 0.97 else State.IN_PROGRESS
        cid = first_id + i
        row = {
            "id": cid, "author_id": author.pk, "section_id": author.section_id,
            "what_happened": rng.choice(CONSULT_WHAT).format(q=rng.choice(QUOTES)),
            "wish": rng.choice(CONSULT_WISH), "contact": rng.choice(CONSULT_CONTACT).format(n=rng.randint(1000, 9999)),
            "occurred_on": (created - timedelta(days=rng.randint(0, 5))).date() if rng.random() < 0.8 else None,
            "channel": _pick(rng, CHANNELS) if rng.random() < 0.8 else "",
            "share_with_supervisors": rng.random() < 0.3, "state": state, "answer": "",
            "created_at": created, "updated_at": created,
        }
        events.append({"consultation_id": cid, "actor_id": author.pk, "at": created,
                       "action": ConsultationAction.CREATED, "detail": {"to": State.NEW,
                                                                        "shared": row["share_with_supervisors"]}})
        steps = []
        if state != State.NEW:
            handler = rng.choice(desks)
            answered = min(created + timedelta(hours=rng.randint(1, 72)), now)
            row.update(handler_id=handler.pk, answer=rng.choice(CONSULT_ANSWERS), answered_at=answered,
                       answered_by_id=handler.pk, updated_at=answered)
            events.append({"consultation_id": cid, "actor_id": handler.pk, "at": answered,
                           "action": ConsultationAction.ANSWERED, "detail": {"from": State.NEW,
                                                                             "to": State.IN_PROGRESS}})
            for k in range(rng.randint(1, 3)):
                done = min(answered + timedelta(days=k * rng.randint(1, 10)), now)
                text = rng.choice(FOLLOW_UP_TEXT)
                steps.append((done.date(), text))
                follow_ups.append({"consultation_id": cid, "done_on": done.date(), "description": text,
                                   "done_by": str(handler), "recorded_by_id": handler.pk, "recorded_at": done})
                events.append({"consultation_id": cid, "actor_id": handler.pk, "at": done,
                               "action": ConsultationAction.FOLLOW_UP, "detail": {}})
            if state == State.CLOSED:
                closed = min(answered + timedelta(days=rng.randint(1, 30)), now)
                row.update(closed_at=closed, outcome=rng.choice(["助言で解決", "連絡票の提出へ", "経過観察"]),
                           updated_at=closed)
                events.append({"consultation_id": cid, "actor_id": handler.pk, "at": closed,
                               "action": ConsultationAction.CLOSED, "detail": {"from": State.IN_PROGRESS,
                                                                               "to": State.CLOSED}})
        steps.sort(key=lambda s: s[0])  # the services fold follow-ups in their order (done_on, id)
        row["search_text"] = fold("\n".join([row["what_happened"], row["wish"], row["answer"],
                                             *(text for _, text in steps)]))
        rows.append(row)
    return rows, follow_ups, events


def make_consultations(world: World, count: int) -> None:
    """``count`` 相談 with 対応の記録 and audit events, in one COPY each."""
    from consultations.models import Consultation, ConsultationEvent, FollowUp

    rows, follow_ups, events = consultation_rows(world, count, next_id(Consultation))
    with transaction.atomic():
        world.count("相談", copy_models(Consultation, rows))
        world.count("対応の記録", copy_models(FollowUp, follow_ups) if follow_ups else 0)
        world.count("相談の監査記録", copy_models(ConsultationEvent, events))
    for model in (Consultation, FollowUp, ConsultationEvent):
        move_sequence(model)


def vacuum_analyze() -> None:
    """Fresh statistics and visibility map, as autovacuum leaves a table in production; first the
    queue's count rows (one per COPY batch and key, written by the triggers) folded as the hourly
    task folds them."""
    from incidents import counts

    counts.compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def extra_totals() -> dict[str, int]:
    from consultations.models import Consultation, FollowUp
    from counterparts.models import Counterpart, CounterpartLink, Measure

    return {
        "相手方": Counterpart.objects.count(),
        "紐付け": CounterpartLink.objects.count(),
        "措置": Measure.objects.count(),
        "相談": Consultation.objects.count(),
        "対応の記録": FollowUp.objects.count(),
    }


# -- CLI -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=None, help="how many reports in all (tops up)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--counterparts", type=int, default=None,
                        help="how many 相手方 in all (tops up; default 20000 when --reports is given)")
    parser.add_argument("--consultations", type=int, default=None,
                        help="how many 相談 in all (tops up; default 10000 when --reports is given)")
    parser.add_argument("--open", type=int, default=None,
                        help="make exactly this many cases open (close or reopen cases past 受付; default: as "
                             "the ages make them, about 31%% of the reports)")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    print(f"database {database_name()} on {url.hostname}:{url.port or 5432}")
    ensure_database(reset=args.reset)
    migrate()
    timings = {"migrate": time.perf_counter() - began}

    if args.reports is not None:
        world = World(rng=random.Random(args.seed), now=timezone.now().astimezone(UTC))
        step = time.perf_counter()
        with transaction.atomic():
            make_organisation(world)
            make_people(world)
        timings["organisation"] = time.perf_counter() - step
        missing = args.reports - IncidentReport.objects.count()
        if missing > 0:
            step = time.perf_counter()
            make_reports(world, missing)
            timings["reports"] = time.perf_counter() - step
        from consultations.models import Consultation
        from counterparts.models import Counterpart

        wanted_counterparts = 20_000 if args.counterparts is None else args.counterparts
        missing = wanted_counterparts - Counterpart.objects.count()
        if missing > 0:
            step = time.perf_counter()
            make_counterparts(world, missing)
            timings["counterparts"] = time.perf_counter() - step
        wanted_consultations = 10_000 if args.consultations is None else args.consultations
        missing = wanted_consultations - Consultation.objects.count()
        if missing > 0:
            step = time.perf_counter()
            make_consultations(world, missing)
            timings["consultations"] = time.perf_counter() - step
        if args.open is not None:
            step = time.perf_counter()
            make_open(world, args.open, random.Random(f"open:{args.seed}"))
            timings["open"] = time.perf_counter() - step
        step = time.perf_counter()
        vacuum_analyze()
        timings["vacuum analyze"] = time.perf_counter() - step
        print("made: " + ", ".join(f"{what} {n:,}" for what, n in world.made.items()))

    totals = {
        "連絡票": IncidentReport.objects.count(),
        "下書き": IncidentReport.objects.filter(status=Status.DRAFT).count(),
        "未完了": IncidentReport.objects.filter(status__in=OPEN).count(),
        "受付待ち": IncidentReport.objects.filter(status__in=WAITING).count(),
        "経過": TimelineEntry.objects.count(),
        "対応職員": IncidentReport.staff_members.through.objects.count(),
        "利用者": User.objects.count(),
        "課": Section.objects.count(),
        **extra_totals(),
    }
    print("in the database: " + ", ".join(f"{what} {n:,}" for what, n in totals.items()))
    print("took " + ", ".join(f"{what} {s:.1f} s" for what, s in timings.items())
          + f"; total {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
