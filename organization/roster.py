"""The 職員名簿 import: 部, 課 and users from the CSV or XLSX file a personnel section exports.

Three steps, each usable alone (the admin page and ``manage.py import_roster`` share them):

- ``read_roster(data, filename)`` reads the file (UTF-8 with or without BOM, or CP932; or XLSX's
  first sheet), matches the columns by their Japanese headers in any order, and checks each row on
  its own and against the other rows: a bad row becomes a ``RowError`` with the row number as Excel
  shows it (the header is row 1) and is skipped; a file that cannot be read raises ``RosterError``.
- ``plan_import(parsed, partial=...)`` compares the rows with the organisation in the database
  (three queries) and lists every change it would make, without writing. The same file against an
  unchanged organisation gives an empty plan. Its ``fingerprint`` names the plan's content.
- ``apply_import(data=..., actor=..., filename=..., partial=...)`` plans again inside one
  transaction (refusing with ``StalePlan`` when the plan is not the one previewed), writes with
  bulk statements, and records a ``RosterImport`` with the counts, the changes and the errors.

Identity: a user by 職員番号, a 部 by 部コード, a 課 by 課コード. A 部/課 without a code but with the
same name is adopted on first import. A user, 課 or 部 is never deleted: a leaver is deactivated
(roles cleared), a 課 nobody belongs to any more is abolished (with the 課 that names it in 旧課コード
as its successor), a 部 without an active 課 is no longer active. Accounts without a 職員番号 (local
admin and demo accounts) are never touched. Admin rights are never granted by a file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Department, RosterImport, Section, User, one_chief_per_section
from .policies import chief_taken_message, second_chiefs

# -- the file --------------------------------------------------------------------------------------

#: field → the column's header (after NFKC and without spaces).
REQUIRED_COLUMNS = {
    "employee_number": "職員番号",
    "name": "氏名",
    "department_code": "部コード",
    "department_name": "部名",
    "section_code": "課コード",
    "section_name": "課名",
}
OPTIONAL_COLUMNS = {
    "username": "ログインID",
    "email": "メールアドレス",
    "title": "職名",
    "roles": "役割",
    "status": "在籍",
    "predecessors": "旧課コード",
}
COLUMNS = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}

#: The role names a 役割 cell may hold → the user's flag. 管理者 is not here on purpose.
ROLE_FLAGS = {
    "所属長": "is_section_chief",
    "部長": "is_director",
    "相談窓口": "is_desk",
    "総務部長": "is_ga_director",
    "対策委員": "is_committee_member",
    "対策委員長": "is_committee_chair",
    "職員保健室": "is_health_office",
}
FLAGS = tuple(ROLE_FLAGS.values())
#: Words in a 役割 cell that name no extra role (everyone is 職員).
NO_ROLE = {"職員", "なし", "-", "ー", "―"}
ROLE_SEPARATORS = re.compile(r"[・、,，/／;；\s]+")
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,19}$")
LEAVING_WORDS = ("退職", "離職")
MAX_NAME = 100
#: How far down the header row may be (a title line or two above it is common).
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 50_000

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8（BOM付き）",
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS（CP932）",
    "xlsx": "Excel（XLSX）",
}


class RosterError(Exception):
    """The file cannot be read at all (the message is for the person who chose it)."""


class StalePlan(Exception):  # noqa: N818 - a state, not a failure of the code
    """The organisation changed after the preview: ``plan`` is what the file would do now."""

    def __init__(self, plan: Plan):
        super().__init__("stale plan")
        self.plan = plan


@dataclass
class RosterRow:
    line: int
    employee_number: str
    name: str = ""
    department_code: str = ""
    department_name: str = ""
    section_code: str = ""
    section_name: str = ""
    username: str = ""
    email: str = ""
    title: str = ""
    #: flag → value for the flags the file decides for this row; None: the file leaves roles alone.
    flags: dict[str, bool] | None = None
    leaving: bool = False
    predecessors: tuple[str, ...] = ()


@dataclass
class RowError:
    line: int
    employee_number: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "employee_number": self.employee_number, "message": self.message}


@dataclass
class ParsedRoster:
    rows: list[RosterRow]
    errors: list[RowError]
    encoding: str
    columns: list[str]
    filename: str = ""
    sha256: str = ""
    #: Headers of columns the import does not use (shown, not an error).
    ignored_columns: list[str] = field(default_factory=list)
    #: 職員番号 / 課コード named anywhere in the file, bad rows included: nobody and no 課 named in a
    #: bad row is taken for a leaver or an abolished 課.
    mentioned_numbers: set[str] = field(default_factory=set)
    mentioned_sections: set[str] = field(default_factory=set)

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def normalise(value: object) -> str:
    """A cell as text: NFKC (full-width letters and digits become ASCII), trimmed; an Excel number
    without its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header(value: object) -> str:
    return re.sub(r"\s+", "", normalise(value))


def _name(value: object) -> str:
    """A name as written, trimmed, inner runs of spaces made one (「山田　太郎」 stays 「山田　太郎」)."""
    text = "" if value is None else str(value).strip()
    return re.sub(r"(\s)\s+", r"\1", text)


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise RosterError(_("CSV（UTF-8 または Shift_JIS）か Excel（XLSX）のファイルを選んでください。"))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            raise RosterError(_("UTF-8 のファイルとして読めない文字があります。")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise RosterError(_("文字コードを判別できません。UTF-8 か Shift_JIS（CP932）の CSV にしてください。")) from None


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise RosterError(_("CSV として読めません（%(error)s）。") % {"error": error}) from None


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
        raise RosterError(_("Excel（XLSX）のファイルとして開けません。保存し直すか CSV にしてください。")) from None
    try:
        if not workbook.worksheets:
            raise RosterError(_("Excel のファイルにシートがありません。"))
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_roster(data: bytes, filename: str = "") -> ParsedRoster:
    """Read and check the file; raises ``RosterError`` when it cannot be read at all."""
    if not data.strip():
        raise RosterError(_("ファイルが空です。"))
    is_zip = data.startswith(b"PK\x03\x04")
    if is_zip or filename.lower().endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise RosterError(_("拡張子は .xlsx ですが、Excel（XLSX）のファイルではありません。"))
        table, encoding = _xlsx_rows(data), "xlsx"
    else:
        if filename.lower().endswith(".xls"):
            raise RosterError(_("古い Excel 形式（.xls）は読めません。XLSX か CSV で保存してください。"))
        text, encoding = _decode(data)
        table = _csv_rows(text)
    if len(table) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise RosterError(_("行が多すぎます（%(max)s 行まで）。") % {"max": f"{MAX_ROWS:,}"})

    wanted = {header: key for key, header in COLUMNS.items()}
    header_index = next(
        (i for i, row in enumerate(table[:HEADER_SEARCH_ROWS]) if "職員番号" in {_header(c) for c in row}), None
    )
    if header_index is None:
        raise RosterError(
            _("見出しの行が見つかりません。1行目に「職員番号」「氏名」などの見出しを入れてください。")
        )
    positions: dict[str, int] = {}
    ignored = []
    for position, cell in enumerate(table[header_index]):
        header = _header(cell)
        if not header:
            continue
        key = wanted.get(header)
        if key is None:
            ignored.append(header)
        elif key in positions:
            raise RosterError(_("見出し「%(header)s」の列が二つあります。") % {"header": header})
        else:
            positions[key] = position
    missing = [header for key, header in REQUIRED_COLUMNS.items() if key not in positions]
    if missing:
        raise RosterError(_("必要な列がありません：%(columns)s。") % {"columns": "、".join(f"「{m}」" for m in missing)})

    parsed = ParsedRoster(
        rows=[], errors=[], encoding=encoding, filename=filename, sha256=hashlib.sha256(data).hexdigest(),
        columns=[COLUMNS[key] for key in COLUMNS if key in positions], ignored_columns=ignored,
    )
    checker = _RowChecker(parsed, positions)
    for index, row in enumerate(table[header_index + 1:], start=header_index + 2):
        checker.check(index, row)
    return parsed


class _RowChecker:
    """Each row on its own, then against the rows before it (the first one wins)."""

    def __init__(self, parsed: ParsedRoster, positions: dict[str, int]):
        self.parsed = parsed
        self.positions = positions
        self.has_roles = "roles" in positions
        self.has_title = "title" in positions
        self.chief_titles = {normalise(t) for t in settings.KASUHARA_ROSTER_CHIEF_TITLES}
        self.director_titles = {normalise(t) for t in settings.KASUHARA_ROSTER_DIRECTOR_TITLES}
        self.numbers: dict[str, int] = {}
        self.usernames: dict[str, int] = {}
        self.sections: dict[str, tuple[str, str, int]] = {}
        self.departments: dict[str, tuple[str, int]] = {}
        self.predecessors: dict[str, tuple[str, int]] = {}

    def cell(self, row: list, key: str) -> object:
        position = self.positions.get(key)
        return row[position] if position is not None and position < len(row) else None

    def check(self, line: int, row: list) -> None:
        if all(normalise(c) == "" for c in row):
            return
        number = normalise(self.cell(row, "employee_number"))
        problems: list[str] = []

        def fail(message: str) -> None:
            self.parsed.errors.append(RowError(line, number, message))

        if number and CODE.match(number):
            self.parsed.mentioned_numbers.add(number)
        section_code = normalise(self.cell(row, "section_code"))
        status = normalise(self.cell(row, "status"))
        leaving = any(word in status for word in LEAVING_WORDS)
        if section_code and not leaving:  # a leaver's row keeps no 課 alive
            self.parsed.mentioned_sections.add(section_code)
        values = {
            "name": _name(self.cell(row, "name")),
            "department_code": normalise(self.cell(row, "department_code")),
            "department_name": _name(self.cell(row, "department_name")),
            "section_code": section_code,
            "section_name": _name(self.cell(row, "section_name")),
        }
        if not number:
            problems.append(_("「職員番号」が空です。"))
        elif not CODE.match(number):
            problems.append(_("「職員番号」は英数字20文字までです（%(value)s）。") % {"value": number})
        if leaving:  # a 退職 row needs only its 職員番号
            if problems:
                return fail(" ".join(problems))
            if number in self.numbers:
                return fail(_("職員番号 %(number)s は %(line)s 行目にもあります。") % {"number": number, "line": self.numbers[number]})
            self.numbers[number] = line
            self.parsed.rows.append(RosterRow(line=line, employee_number=number, leaving=True, **values))
            return

        empty = [REQUIRED_COLUMNS[key] for key in ("name", "department_code", "department_name", "section_code",
                                                   "section_name") if not values[key]]
        if empty:
            problems.append(_("空の項目があります：%(columns)s。") % {"columns": "、".join(f"「{e}」" for e in empty)})
        for key in ("department_code", "section_code"):
            if values[key] and not CODE.match(values[key]):
                problems.append(_("「%(column)s」は英数字20文字までです（%(value)s）。")
                                % {"column": COLUMNS[key], "value": values[key]})
        for key in ("name", "department_name", "section_name"):
            if len(values[key]) > MAX_NAME:
                problems.append(_("「%(column)s」が長すぎます（%(max)s文字まで）。") % {"column": COLUMNS[key], "max": MAX_NAME})

        username = normalise(self.cell(row, "username"))
        if username and (len(username) > 150 or not re.fullmatch(r"[\w.@+\-]+", username)):
            problems.append(_("「ログインID」に使えない文字があります（%(value)s）。") % {"value": username})
        email = normalise(self.cell(row, "email"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("「メールアドレス」の形が正しくありません（%(value)s）。") % {"value": email})

        title = normalise(self.cell(row, "title"))
        flags = None
        roles_text = normalise(self.cell(row, "roles"))
        if roles_text:
            flags = dict.fromkeys(FLAGS, False)
            for word in filter(None, ROLE_SEPARATORS.split(roles_text)):
                if word in ROLE_FLAGS:
                    flags[ROLE_FLAGS[word]] = True
                elif word == "管理者":
                    problems.append(_("「管理者」の権限は名簿では付けられません（管理画面で付けてください）。"))
                elif word not in NO_ROLE:
                    problems.append(_("「役割」に知らない役割があります：「%(role)s」（使える役割：%(roles)s）。")
                                    % {"role": word, "roles": "、".join(ROLE_FLAGS)})
        elif self.has_roles or self.has_title:
            flags = dict.fromkeys(FLAGS, False) if self.has_roles else {}
            flags["is_section_chief"] = title in self.chief_titles
            flags["is_director"] = title in self.director_titles

        predecessors = tuple(dict.fromkeys(
            normalise(p) for p in ROLE_SEPARATORS.split(normalise(self.cell(row, "predecessors"))) if p
        ))
        for code in predecessors:
            if not CODE.match(code):
                problems.append(_("「旧課コード」は英数字20文字までです（%(value)s）。") % {"value": code})
            elif code == section_code:
                problems.append(_("「旧課コード」に自分の課コードが入っています（%(value)s）。") % {"value": code})

        if not problems:  # against the rows before
            if number in self.numbers:
                problems.append(_("職員番号 %(number)s は %(line)s 行目にもあります。")
                                % {"number": number, "line": self.numbers[number]})
            key = username.casefold() if username else number.casefold()
            if key in self.usernames:
                problems.append(_("ログインID「%(username)s」は %(line)s 行目と同じです。")
                                % {"username": username or number, "line": self.usernames[key]})
            known = self.sections.get(section_code)
            if known and known[:2] != (values["section_name"], values["department_code"]):
                problems.append(_("課コード %(code)s は %(line)s 行目では「%(name)s」（部コード %(department)s）です。")
                                % {"code": section_code, "line": known[2], "name": known[0], "department": known[1]})
            known_department = self.departments.get(values["department_code"])
            if known_department and known_department[0] != values["department_name"]:
                problems.append(_("部コード %(code)s は %(line)s 行目では「%(name)s」です。")
                                % {"code": values["department_code"], "line": known_department[1],
                                   "name": known_department[0]})
            for code in predecessors:
                claimed = self.predecessors.get(code)
                if claimed and claimed[0] != section_code:
                    problems.append(_("旧課コード %(code)s は %(line)s 行目で別の課（%(other)s）の引継ぎ元になっています。"
                                      "引継ぎ先は一つだけです。") % {"code": code, "line": claimed[1], "other": claimed[0]})
        if problems:
            return fail(" ".join(problems))
        self.numbers[number] = line
        self.usernames[username.casefold() if username else number.casefold()] = line
        self.sections.setdefault(section_code, (values["section_name"], values["department_code"], line))
        self.departments.setdefault(values["department_code"], (values["department_name"], line))
        for code in predecessors:
            self.predecessors.setdefault(code, (section_code, line))
        self.parsed.rows.append(RosterRow(
            line=line, employee_number=number, username=username, email=email, title=title, flags=flags,
            predecessors=predecessors, **values,
        ))


# -- the plan ----------------------------------------------------------------------------------

#: Kinds of change, in the order the preview shows them, with their Japanese names.
KINDS = {
    "department_created": gettext_lazy("部の新設"),
    "department_adopted": gettext_lazy("既存の部に部コードを設定"),
    "department_renamed": gettext_lazy("部の名称変更"),
    "department_reactivated": gettext_lazy("部の再設置"),
    "department_deactivated": gettext_lazy("部の廃止"),
    "section_created": gettext_lazy("課の新設"),
    "section_adopted": gettext_lazy("既存の課に課コードを設定"),
    "section_renamed": gettext_lazy("課の名称変更"),
    "section_moved": gettext_lazy("課の所属部の変更"),
    "section_reactivated": gettext_lazy("課の再設置"),
    "section_abolished": gettext_lazy("課の廃止"),
    "section_succeeded": gettext_lazy("事務の引継ぎ（旧課コード）"),
    "user_created": gettext_lazy("職員の登録"),
    "user_moved": gettext_lazy("異動（課の変更）"),
    "user_renamed": gettext_lazy("氏名の変更"),
    "user_updated": gettext_lazy("ログインID・メールアドレスの変更"),
    "user_roles": gettext_lazy("役割の変更"),
    "user_deactivated": gettext_lazy("退職（利用停止）"),
    "user_reactivated": gettext_lazy("利用の再開"),
}
FLAG_NAMES = {flag: role for role, flag in ROLE_FLAGS.items()}


@dataclass
class Change:
    kind: str
    key: str
    label: str
    before: str = ""
    after: str = ""
    line: int | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "label": self.label, "before": self.before,
                "after": self.after, "line": self.line}


@dataclass
class Plan:
    parsed: ParsedRoster
    partial: bool
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # What to write (ids of existing rows; codes for rows the import creates).
    department_creates: list[dict] = field(default_factory=list)
    department_updates: dict[int, dict] = field(default_factory=dict)
    section_creates: list[dict] = field(default_factory=list)
    section_updates: dict[int, dict] = field(default_factory=dict)
    user_creates: list[dict] = field(default_factory=list)
    user_updates: dict[int, dict] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(change.kind for change in self.changes)
        return {kind: counted[kind] for kind in KINDS if counted[kind]}

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def fingerprint(self) -> str:
        """SHA-256 of what the plan would change and refuse: two plans with the same fingerprint
        write the same."""
        body = json.dumps(
            {"changes": [c.as_dict() for c in self.changes], "errors": [e.as_dict() for e in self.errors],
             "partial": self.partial},
            ensure_ascii=False, sort_keys=True,
        )
        return hashlib.sha256(body.encode()).hexdigest()

    def by_kind(self) -> list[tuple[str, str, list[Change]]]:
        """(kind, Japanese name, changes) for every kind with changes, in ``KINDS`` order."""
        grouped: dict[str, list[Change]] = defaultdict(list)
        for change in self.changes:
            grouped[change.kind].append(change)
        return [(kind, str(KINDS[kind]), grouped[kind]) for kind in KINDS if grouped[kind]]

    def summary_lines(self) -> list[str]:
        if self.is_empty:
            return [_("変更はありません。")]
        return [f"{KINDS[kind]}: {count}" for kind, count in self.counts.items()]


def _roles_text(flags: dict[str, bool]) -> str:
    return "・".join(FLAG_NAMES[f] for f in FLAGS if flags.get(f)) or _("（なし）")


def _by_code_and_codeless_name(units: list[dict]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """部 or 課 rows by their code, and those without a code by name (the ones a first import adopts)."""
    by_code = {u["code"]: u for u in units if u["code"]}
    codeless: dict[str, list[dict]] = defaultdict(list)
    for unit in units:
        if not unit["code"]:
            codeless[unit["name"]].append(unit)
    return by_code, codeless


class _Planner:
    """The rows against the database: three reads, then only memory."""

    USER_FIELDS = ("id", "username", "employee_number", "display_name", "email", "section_id", "is_active", *FLAGS)

    def __init__(self, parsed: ParsedRoster, partial: bool):
        self.parsed = parsed
        self.plan = Plan(parsed=parsed, partial=partial, errors=list(parsed.errors))
        self.departments = list(Department.objects.values("id", "name", "code", "is_active", "order"))
        self.sections = list(Section.objects.values("id", "name", "code", "is_active", "department_id",
                                                    "successor_id", "order"))
        self.users = list(User.objects.values(*self.USER_FIELDS))

    def warn(self, row: RosterRow, message: str) -> None:
        self.plan.warnings.append(RowError(row.line, row.employee_number, message))

    def refuse(self, row: RosterRow, message: str) -> None:
        self.plan.errors.append(RowError(row.line, row.employee_number, message))

    def change(self, kind: str, key: str, label: str, before: str = "", after: str = "", line=None) -> None:
        self.plan.changes.append(Change(kind, key, label, before, after, line))

    # The whole plan. Rows refused on the way (a name another 部 already has, a second 所属長) are
    # left out and the plan made again without them, so every change listed is one that is written.
    def run(self) -> Plan:
        rows = [row for row in self.parsed.rows if not row.leaving]
        for _attempt in range(4):
            refused = self._refusals(rows)
            if not refused:
                break
            rows = [row for row in rows if row.line not in refused]
        self._plan(rows, [row for row in self.parsed.rows if row.leaving])
        self.plan.errors.sort(key=lambda e: e.line)
        self.plan.warnings.sort(key=lambda e: e.line)
        return self.plan

    # -- organisation -------------------------------------------------------------------------

    def _organisation(self, rows: list[RosterRow]):
        """Where each 部コード / 課コード of the rows ends up: existing rows by code, adopted rows
        (no code, same name) or new ones. Returns (departments by code, sections by code), each a
        dict of the row's final values with ``id`` None for a new one."""
        by_code, codeless = _by_code_and_codeless_name(self.departments)
        departments: dict[str, dict] = {}
        for row in rows:
            code = row.department_code
            if code in departments:
                continue
            existing = by_code.get(code)
            how = "existing"
            if existing is None and codeless.get(row.department_name):
                existing, how = codeless[row.department_name].pop(0), "adopted"
            if existing is None:
                departments[code] = {"id": None, "code": code, "name": row.department_name, "is_active": True,
                                     "how": "created", "line": row.line}
            else:
                departments[code] = {**existing, "code": code, "name": row.department_name, "is_active": True,
                                     "how": how, "before": existing, "line": row.line}

        section_by_code, codeless_sections = _by_code_and_codeless_name(self.sections)
        sections: dict[str, dict] = {}
        for row in rows:
            code = row.section_code
            if code in sections:
                continue
            department = departments[row.department_code]
            existing = section_by_code.get(code)
            how = "existing"
            if existing is None and codeless_sections.get(row.section_name):
                candidates = codeless_sections[row.section_name]
                same = [s for s in candidates if department["id"] and s["department_id"] == department["id"]]
                if same or len(candidates) == 1:
                    existing, how = (same or candidates)[0], "adopted"
                    candidates.remove(existing)
            values = {"code": code, "name": row.section_name, "department_code": row.department_code,
                      "department_id": department["id"], "is_active": True, "line": row.line}
            if existing is None:
                sections[code] = {"id": None, "successor_id": None, "how": "created", **values}
            else:
                sections[code] = {**existing, **values, "how": how, "before": existing}
        return departments, sections

    def _refusals(self, rows: list[RosterRow]) -> set[int]:
        """Lines to refuse: a 部/課 name that another 部 (課 of the same 部) would also have, a login
        name another account has, a second 所属長 where the city has one."""
        refused: set[int] = set()
        departments, sections = self._organisation(rows)
        final_names: dict[str, list] = defaultdict(list)
        touched = {d["id"] for d in departments.values() if d["id"]}
        for d in self.departments:
            if d["id"] not in touched:
                final_names[d["name"]].append(("db", d))
        for d in departments.values():
            final_names[d["name"]].append(("file", d))
        for name, holders in final_names.items():
            if len(holders) > 1:
                for kind, d in holders:
                    if kind == "file" and (d["how"] == "created" or d.get("before", {}).get("name") != name):
                        lines = [r.line for r in rows if r.department_code == d["code"]]
                        for line in lines:
                            self._refuse_line(rows, line, _("部名「%(name)s」は別の部が使っています。") % {"name": name})
                        refused.update(lines)
                        break
        touched_sections = {s["id"] for s in sections.values() if s["id"]}
        final_pairs: dict[tuple, list] = defaultdict(list)
        for s in self.sections:
            if s["id"] not in touched_sections:
                final_pairs[(("id", s["department_id"]), s["name"])].append(("db", s))
        for s in sections.values():
            department = departments[s["department_code"]]
            key = ("id", department["id"]) if department["id"] else ("code", department["code"])
            final_pairs[(key, s["name"])].append(("file", s))
        for (_department, name), holders in final_pairs.items():
            if len(holders) > 1:
                for kind, s in holders:
                    before = s.get("before", {})
                    if kind == "file" and (s["how"] == "created" or before.get("name") != name
                                           or before.get("department_id") != s["department_id"]):
                        lines = [r.line for r in rows if r.section_code == s["code"]]
                        for line in lines:
                            self._refuse_line(rows, line, _("同じ部の別の課が「%(name)s」という名前です。") % {"name": name})
                        refused.update(lines)
                        break

        by_number = {u["employee_number"]: u for u in self.users if u["employee_number"]}
        owners = {u["username"].casefold(): u for u in self.users}
        for row in rows:
            user = by_number.get(row.employee_number)
            wanted = row.username or (row.employee_number if user is None else "")
            if wanted:
                owner = owners.get(wanted.casefold())
                if owner is not None and owner is not user:
                    self._refuse_line(rows, row.line, _("ログインID「%(username)s」は別の利用者が使っています。")
                                      % {"username": wanted})
                    refused.add(row.line)
        if one_chief_per_section():
            refused |= self._second_chiefs(rows, sections, by_number)
        return refused

    def _refuse_line(self, rows: list[RosterRow], line: int, message: str) -> None:
        row = next(r for r in rows if r.line == line)
        if not any(e.line == line and e.message == message for e in self.plan.errors):
            self.refuse(row, message)

    def _second_chiefs(self, rows, sections, by_number) -> set[int]:
        """One 所属長 per 課 (``policies.second_chiefs``, the rule the admin applies one person at a
        time): holders the file leaves as they are count first, then the rows that keep their
        課 and role, then the other rows in file order."""
        in_file = {row.employee_number for row in rows}
        leaving = {row.employee_number for row in self.parsed.rows if row.leaving}
        mentioned = self.parsed.mentioned_numbers
        claims = []
        for u in self.users:  # holders the file leaves as they are (a full roster deactivates the others)
            number = u["employee_number"]
            stays = self.plan.partial or not number or number in mentioned
            if (u["is_section_chief"] and u["is_active"] and u["section_id"] and stays
                    and (not number or (number not in in_file and number not in leaving))):
                claims.append((u["section_id"], u["display_name"] or u["username"]))
        for row in sorted(rows, key=lambda r: (not self._keeps_chief(r, sections, by_number), r.line)):
            user = by_number.get(row.employee_number)
            chief = row.flags.get("is_section_chief") if row.flags and "is_section_chief" in row.flags else (
                bool(user and user["is_section_chief"]))
            if chief:
                section = sections[row.section_code]
                claims.append((section["id"] or section["code"], row))
        refused = set()
        for row, holder in second_chiefs(claims):
            if isinstance(row, RosterRow):
                self._refuse_line(rows, row.line, chief_taken_message(
                    sections[row.section_code]["name"], holder.name if isinstance(holder, RosterRow) else holder))
                refused.add(row.line)
        return refused

    @staticmethod
    def _keeps_chief(row, sections, by_number) -> bool:
        user = by_number.get(row.employee_number)
        section = sections[row.section_code]
        return bool(user and user["is_section_chief"] and user["section_id"] == section["id"] and section["id"])

    # -- the plan proper ----------------------------------------------------------------------

    def _plan(self, rows: list[RosterRow], leavers: list[RosterRow]) -> None:
        plan = self.plan
        departments, sections = self._organisation(rows)

        next_order = max((d["order"] for d in self.departments), default=0)
        for code, d in departments.items():
            if d["how"] == "created":
                next_order += 1
                plan.department_creates.append({"code": code, "name": d["name"], "order": next_order})
                self.change("department_created", code, d["name"], line=d["line"])
                continue
            before, update = d["before"], {}
            if d["how"] == "adopted":
                update["code"] = code
                self.change("department_adopted", code, d["name"], line=d["line"])
            if before["name"] != d["name"]:
                update["name"] = d["name"]
                self.change("department_renamed", code, d["name"], before["name"], d["name"], d["line"])
            if not before["is_active"]:
                update["is_active"] = True
                self.change("department_reactivated", code, d["name"], line=d["line"])
            if update:
                plan.department_updates[d["id"]] = update

        department_names = {d["id"]: d["name"] for d in self.departments}
        order_in = defaultdict(int)
        for s in self.sections:
            order_in[s["department_id"]] = max(order_in[s["department_id"]], s["order"])
        for code, s in sections.items():
            department_name = departments[s["department_code"]]["name"]
            if s["how"] == "created":
                key = s["department_id"] or s["department_code"]
                order_in[key] += 1
                plan.section_creates.append({"code": code, "name": s["name"], "department_code": s["department_code"],
                                             "order": order_in[key]})
                self.change("section_created", code, f"{department_name} {s['name']}", line=s["line"])
                continue
            before, update = s["before"], {}
            if s["how"] == "adopted":
                update["code"] = code
                self.change("section_adopted", code, s["name"], line=s["line"])
            if before["name"] != s["name"]:
                update["name"] = s["name"]
                self.change("section_renamed", code, s["name"], before["name"], s["name"], s["line"])
            if before["department_id"] != s["department_id"]:
                update["department_code"] = s["department_code"]
                self.change("section_moved", code, s["name"], department_names.get(before["department_id"], ""),
                            department_name, s["line"])
            if not before["is_active"]:
                update["is_active"] = True
                if before["successor_id"]:
                    update["successor_code"] = None
                self.change("section_reactivated", code, s["name"], line=s["line"])
            if update:
                plan.section_updates[s["id"]] = update

        # Users.
        by_number = {u["employee_number"]: u for u in self.users if u["employee_number"]}
        section_of = {code: s for code, s in sections.items()}
        final_section = {u["id"]: u["section_id"] for u in self.users}
        final_active = {u["id"]: u["is_active"] for u in self.users}
        new_members: dict[str, int] = Counter()
        section_label = {s["id"]: s["name"] for s in self.sections}
        for row in rows:
            user = by_number.get(row.employee_number)
            target = section_of[row.section_code]
            if user is None:
                flags = {flag: bool((row.flags or {}).get(flag)) for flag in FLAGS}
                plan.user_creates.append({
                    "employee_number": row.employee_number, "username": row.username or row.employee_number,
                    "display_name": row.name, "email": row.email, "section_code": row.section_code, **flags,
                })
                new_members[row.section_code] += 1
                self.change("user_created", row.employee_number, row.name, after=f"{target['name']}"
                            + (f"（{_roles_text(flags)}）" if any(flags.values()) else ""), line=row.line)
                continue
            update = {}
            if target["id"] != user["section_id"]:
                update["section_code"] = row.section_code
                self.change("user_moved", row.employee_number, row.name, section_label.get(user["section_id"], ""),
                            target["name"], row.line)
                final_section[user["id"]] = target["id"]
                if target["id"] is None:
                    new_members[row.section_code] += 1
            if user["display_name"] != row.name:
                update["display_name"] = row.name
                self.change("user_renamed", row.employee_number, row.name, user["display_name"], row.name, row.line)
            details = []
            if row.username and row.username != user["username"]:
                update["username"] = row.username
                details.append((user["username"], row.username))
            if row.email and row.email != user["email"]:
                update["email"] = row.email
                details.append((user["email"], row.email))
            if details:
                self.change("user_updated", row.employee_number, row.name, "、".join(b for b, _a in details),
                            "、".join(a for _b, a in details), row.line)
            if row.flags is not None:
                flags = {flag: value for flag, value in row.flags.items() if user[flag] != value}
                if flags:
                    update.update(flags)
                    before = {f: user[f] for f in FLAGS}
                    self.change("user_roles", row.employee_number, row.name, _roles_text(before),
                                _roles_text({**before, **flags}), row.line)
            if not user["is_active"]:
                update["is_active"] = True
                final_active[user["id"]] = True
                self.change("user_reactivated", row.employee_number, row.name, line=row.line)
            if update:
                plan.user_updates[user["id"]] = update

        # Leavers: the rows saying 退職, and (a full roster) every numbered account it does not name.
        leaving = {row.employee_number: row.line for row in leavers}
        if not plan.partial:
            for u in self.users:
                if (u["employee_number"] and u["is_active"] and u["employee_number"] not in self.parsed.mentioned_numbers
                        and u["employee_number"] not in leaving):
                    leaving[u["employee_number"]] = None
        for number, line in sorted(leaving.items(), key=lambda item: (item[1] is None, item[1] or 0, item[0])):
            user = by_number.get(number)
            if user is None and line is not None:
                self.warn(next(r for r in leavers if r.line == line),
                          _("「在籍」が退職の行ですが、職員番号 %(number)s の職員は登録されていません。") % {"number": number})
            if user is None or not user["is_active"]:
                continue
            update = {"is_active": False, **dict.fromkeys(FLAGS, False)}
            plan.user_updates[user["id"]] = update
            final_active[user["id"]] = False
            self.change("user_deactivated", number, user["display_name"] or user["username"],
                        section_label.get(user["section_id"], ""), line=line)

        # 課 nobody belongs to any more; their successors; 部 without an active 課.
        members = Counter(final_section[pk] for pk, active in final_active.items() if active and final_section[pk])
        in_file = {s["id"] for s in sections.values() if s["id"]}
        claimed = {}
        for row in rows:
            for code in row.predecessors:
                claimed.setdefault(code, row)
        section_by_code = {s["code"]: s for s in self.sections if s["code"]}
        active_after = {s["id"]: s["is_active"] for s in self.sections}
        for s in self.sections:
            if s["id"] in in_file:
                active_after[s["id"]] = True
        for s in self.sections:
            if not s["code"] or not s["is_active"] or s["id"] in in_file or s["code"] in self.parsed.mentioned_sections:
                continue
            if plan.partial and s["code"] not in claimed:
                continue
            if members[s["id"]]:
                if s["code"] in claimed:
                    self.warn(claimed[s["code"]], _("旧課コード %(code)s の課（%(name)s）にはまだ在籍者がいるため、廃止と引継ぎはしません。")
                              % {"code": s["code"], "name": s["name"]})
                continue
            plan.section_updates.setdefault(s["id"], {})["is_active"] = False
            active_after[s["id"]] = False
            self.change("section_abolished", s["code"], s["name"], department_names.get(s["department_id"], ""))
        section_codes = {s["id"]: s["code"] for s in self.sections}
        for code, row in claimed.items():
            old = section_by_code.get(code)
            if old is None:
                self.warn(row, _("旧課コード %(code)s の課は登録されていません（引継ぎは設定しません）。") % {"code": code})
                continue
            if old["id"] in in_file or code in self.parsed.mentioned_sections:
                self.warn(row, _("旧課コード %(code)s の課（%(name)s）は名簿にまだあります（引継ぎは設定しません）。")
                          % {"code": code, "name": old["name"]})
                continue
            if active_after[old["id"]]:
                continue  # warned above (members left), or a partial file that leaves it alone
            if section_codes.get(old["successor_id"]) != row.section_code:
                plan.section_updates.setdefault(old["id"], {})["successor_code"] = row.section_code
                self.change("section_succeeded", code, old["name"], section_label.get(old["successor_id"], ""),
                            sections[row.section_code]["name"], row.line)

        active_sections = Counter(s["department_id"] for s in self.sections if active_after[s["id"]])
        for s in sections.values():
            if s["id"] is None or s["department_id"] != s["before"]["department_id"]:
                active_sections[s["department_id"] or s["department_code"]] += 1
            if s["id"] is not None and s["department_id"] != s["before"]["department_id"]:
                active_sections[s["before"]["department_id"]] -= 1
        file_departments = {d["id"] for d in departments.values() if d["id"]}
        for d in self.departments:
            if d["code"] and d["is_active"] and d["id"] not in file_departments and active_sections[d["id"]] <= 0:
                plan.department_updates.setdefault(d["id"], {})["is_active"] = False
                self.change("department_deactivated", d["code"], d["name"])


def plan_import(parsed: ParsedRoster, *, partial: bool = False) -> Plan:
    """What importing ``parsed`` would change now (reads only)."""
    return _Planner(parsed, partial).run()


# -- writing -------------------------------------------------------------------------------------

def _lock() -> None:
    """One import at a time (a second waits for the first to commit, then plans afresh)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('kasuhara.roster_import'))")


def _write(plan: Plan, actor: User | None = None) -> None:
    now = timezone.now()
    grouped_departments: dict[tuple, list[Department]] = defaultdict(list)
    for pk, update in plan.department_updates.items():
        grouped_departments[tuple(sorted(update))].append(Department(id=pk, **update))
    for fields, rows in grouped_departments.items():
        Department.objects.bulk_update(rows, list(fields), batch_size=500)
    if plan.department_creates:
        Department.objects.bulk_create([Department(**values) for values in plan.department_creates], batch_size=500)
    department_ids = dict(Department.objects.exclude(code="").order_by().values_list("code", "id"))

    succession = False
    if plan.section_updates:
        pending_successors = {}
        grouped: dict[tuple, list[Section]] = defaultdict(list)
        for pk, update in plan.section_updates.items():
            values = {}
            for key, value in update.items():
                if key == "department_code":
                    values["department_id"] = department_ids[value]
                elif key == "successor_code":
                    pending_successors[pk] = value
                else:
                    values[key] = value
            if values:
                grouped[tuple(sorted(values))].append(Section(id=pk, **values))
        for fields, rows in grouped.items():
            Section.objects.bulk_update(rows, [f.removesuffix("_id") for f in fields], batch_size=500)
    else:
        pending_successors = {}
    if plan.section_creates:
        Section.objects.bulk_create([
            Section(code=v["code"], name=v["name"], department_id=department_ids[v["department_code"]], order=v["order"])
            for v in plan.section_creates
        ], batch_size=500)
        succession = True
    section_ids = dict(Section.objects.exclude(code="").order_by().values_list("code", "id"))
    if pending_successors:
        Section.objects.bulk_update(
            [Section(id=pk, successor_id=section_ids[code] if code else None) for pk, code in pending_successors.items()],
            ["successor"], batch_size=500)
        succession = True
    if succession:
        from .services import refresh_succession

        refresh_succession()

    role_changes = _role_changes(plan)
    if plan.user_updates:
        grouped = defaultdict(list)
        for pk, update in plan.user_updates.items():
            values = {("section_id" if k == "section_code" else k): (section_ids[v] if k == "section_code" else v)
                      for k, v in update.items()}
            grouped[tuple(sorted(values))].append(User(id=pk, **values))
        for fields, rows in grouped.items():
            User.objects.bulk_update(rows, [f.removesuffix("_id") for f in fields], batch_size=500)
    if plan.user_creates:
        created = User.objects.bulk_create([
            User(username=v["username"], employee_number=v["employee_number"], display_name=v["display_name"],
                 email=v["email"], section_id=section_ids[v["section_code"]], source="roster",
                 password=make_password(None), date_joined=now, **{f: v[f] for f in FLAGS})
            for v in plan.user_creates
        ], batch_size=500)
        role_changes += [(user, flag, True) for user in created for flag in FLAGS if getattr(user, flag)]
    if role_changes:
        from .roles import record_bulk

        record_bulk(role_changes, actor=actor, reason=ROSTER_REASON)


#: The reason on the ``RoleEvent`` rows an import writes (organization.roles).
ROSTER_REASON = "職員名簿の取込み"


def _role_changes(plan: Plan) -> list[tuple[User, str, bool]]:
    """The roles the plan's updates grant or withdraw, against the flags as stored (one query)."""
    touched = [pk for pk, update in plan.user_updates.items() if any(flag in update for flag in FLAGS)]
    if not touched:
        return []
    changes = []
    for held in User.objects.filter(pk__in=touched).values("id", *FLAGS):
        update = plan.user_updates[held["id"]]
        changes += [(User(pk=held["id"]), flag, bool(update[flag]))
                    for flag in FLAGS if flag in update and bool(update[flag]) != held[flag]]
    return changes


def apply_import(
    *, data: bytes, actor: User | None, filename: str, partial: bool = False,
    expected_fingerprint: str | None = None, preview: RosterImport | None = None,
) -> RosterImport:
    """Read, plan and write in one transaction; returns the ``RosterImport`` that records it.

    ``expected_fingerprint``: the plan previewed; when the organisation changed since, nothing is
    written and ``StalePlan`` carries the new plan. ``preview``: the 「確認中」 record of the admin's
    preview, which becomes the applied record (refused when it was applied already)."""
    parsed = read_roster(data, filename)
    try:
        with transaction.atomic():
            _lock()
            if preview is not None:
                preview = RosterImport.objects.select_for_update().get(pk=preview.pk)
                if preview.state != RosterImport.State.PREVIEW:
                    raise RosterError(_("この取込みは既に反映されています。"))
            plan = plan_import(parsed, partial=partial)
            if expected_fingerprint and plan.fingerprint != expected_fingerprint:
                raise StalePlan(plan)
            _write(plan, actor)
            record = preview or RosterImport(filename=filename[:255])
            record.actor = actor
            record.state = RosterImport.State.APPLIED
            record.applied_at = timezone.now()
            fill_record(record, plan)
            record.content = b""
            record.save()
            return record
    except IntegrityError as error:
        raise RosterError(
            _("データベースが変更を受け付けませんでした（%(error)s）。組織の名前や番号が重なっていないか確かめてください。")
            % {"error": str(error).splitlines()[0]}
        ) from None


def fill_record(record: RosterImport, plan: Plan) -> None:
    """The plan's figures on the record (a preview or the applied import)."""
    record.sha256 = plan.parsed.sha256
    record.encoding = plan.parsed.encoding_label
    record.partial = plan.partial
    record.fingerprint = plan.fingerprint
    record.counts = plan.counts
    record.changes = [c.as_dict() for c in plan.changes]
    record.errors = [e.as_dict() for e in plan.errors]
    record.warnings = [w.as_dict() for w in plan.warnings]


def kind_name(kind: str) -> str:
    return str(KINDS.get(kind, kind))
