"""職員名簿 files for the import's tests and benchmark: a city of 15 部 and 76 課.

    from bench.roster import roster, transfer, leavers, write_rows, write_roster
    base = roster(people=2000, seed=1)                 # rows (dicts keyed by the Japanese headers)
    write_roster("roster.csv", people=2000, seed=1)    # the same, as a UTF-8 (BOM) CSV file
    moved = transfer(base, seed=1)                     # April: ~10% move, one 課 renamed, two merged
    gone = leavers(base, seed=1)                       # ~5% of the staff left

Plain Python (no Django): the rows are what a personnel system exports — 職員番号, 氏名 (kanji),
部/課 code and name, 職名 (one 課長 per 課, one 部長 per 部, 係長, 主査 …), a few 役割 cells (相談窓口,
対策委員, 総務部長 …), メールアドレス and 在籍. The same ``seed`` gives the same file.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

HEADERS = ["職員番号", "氏名", "部コード", "部名", "課コード", "課名", "職名", "役割", "メールアドレス", "在籍"]

#: 15 部, 76 課 (the 総務課 first: the 相談窓口 sits there).
ORGANISATION: dict[str, list[str]] = {
    "総務部": ["総務課", "人事課", "職員課", "契約管財課", "情報政策課", "危機管理課"],
    "企画財政部": ["企画課", "財政課", "税制課", "広報広聴課", "秘書課"],
    "市民部": ["市民課", "戸籍住民課", "保険年金課", "市民協働課", "男女共同参画課", "国際交流課"],
    "税務部": ["市民税課", "資産税課", "納税課", "収納対策課"],
    "福祉部": ["福祉総務課", "障害福祉課", "生活福祉課", "高齢福祉課", "介護保険課", "地域福祉課"],
    "こども未来部": ["こども政策課", "保育課", "子育て支援課", "児童相談課", "青少年課"],
    "健康部": ["健康づくり課", "保健予防課", "地域医療課", "保健所総務課"],
    "環境部": ["環境政策課", "環境保全課", "ごみ減量課", "清掃事務所"],
    "経済部": ["商工振興課", "観光課", "農政課", "労働雇用課", "産業立地課"],
    "都市整備部": ["都市計画課", "建築指導課", "住宅課", "公園緑地課", "開発審査課"],
    "建設部": ["道路課", "河川課", "土木管理課", "用地課", "下水道課", "水道課"],
    "教育部": ["教育総務課", "学校教育課", "生涯学習課", "文化財課", "図書館", "スポーツ課"],
    "消防局": ["消防総務課", "予防課", "警防課", "救急課"],
    "会計室": ["会計課", "出納課"],
    "議会事務局": ["議事課", "政策調査課", "監査事務局", "選挙管理委員会事務局", "農業委員会事務局",
                "公平委員会事務局", "固定資産評価審査委員会事務局", "行政委員会総務課"],
}
#: Counters that meet the public get more people.
BUSY = {"市民課", "戸籍住民課", "保険年金課", "市民税課", "納税課", "生活福祉課", "介護保険課", "保育課", "子育て支援課"}

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木",
            "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川",
            "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤",
            "青木", "坂本", "斉藤", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "三浦", "中野"]
GIVEN_NAMES = ["翔太", "大輔", "健太", "拓也", "直樹", "誠", "隆", "浩二", "和也", "亮", "悠斗", "蓮", "陽菜",
               "美咲", "由美", "恵子", "裕子", "真由美", "彩", "愛", "さくら", "結衣", "花子", "太郎", "一郎",
               "智子", "明美", "香織", "優子", "舞", "千尋", "美穂", "恵", "洋子", "和子", "博", "茂", "学",
               "勇気", "大和"]
#: (職名, weight) for staff who are neither 課長 nor 部長.
TITLES = [("課長補佐", 4), ("係長", 10), ("主査", 10), ("主任", 15), ("主事", 30), ("技師", 8), ("会計年度任用職員", 15)]
MAIL_DOMAIN = "city.example.lg.jp"


@dataclass
class Roster:
    """The rows of one file (dicts keyed by ``HEADERS``) and what a test wants to find in them."""

    rows: list[dict[str, str]]
    #: 課コード → the 職員番号 of its 課長 (所属長 by 職名).
    chiefs: dict[str, str] = field(default_factory=dict)
    #: 部コード → the 職員番号 of its 部長.
    directors: dict[str, str] = field(default_factory=dict)
    #: What a derived file changed (filled by ``transfer`` and ``leavers``).
    moved: list[str] = field(default_factory=list)
    renamed: tuple[str, str, str] | None = None  # (課コード, old name, new name)
    merged: tuple[str, str] | None = None  # (abolished 課コード, successor 課コード)
    swapped_chiefs: tuple[str, str] | None = None  # two 課長 who changed places
    removed: list[str] = field(default_factory=list)

    def by_number(self) -> dict[str, dict[str, str]]:
        return {row["職員番号"]: row for row in self.rows}

    @property
    def sections(self) -> dict[str, str]:
        """課コード → 課名 as the rows have them."""
        return {row["課コード"]: row["課名"] for row in self.rows}


def organisation() -> list[tuple[str, str, str, str]]:
    """(部コード, 部名, 課コード, 課名) of every 課."""
    listed = []
    for d, (department, sections) in enumerate(ORGANISATION.items(), 1):
        for s, section in enumerate(sections, 1):
            listed.append((f"D{d:02d}", department, f"S{d:02d}{s:02d}", section))
    return listed


def roster(*, people: int = 2000, seed: int = 1) -> Roster:
    """``people`` staff spread over the 76 課 (busy counters more), every 課 with its 課長 first
    and every 部 with its 部長 in its first 課; a few 役割 cells."""
    rng = random.Random(seed)
    units = organisation()
    if people < 2 * len(units):
        raise ValueError(f"at least {2 * len(units)} people (a 課長 and one more per 課)")
    weights = [4 if name in BUSY else 1 for *_d, name in units]
    counts = [2] * len(units)  # a 課長 and one more
    for index in rng.choices(range(len(units)), weights=weights, k=people - sum(counts)):
        counts[index] += 1
    numbers = iter(rng.sample(range(100001, 100001 + people * 5), people))
    result = Roster(rows=[])
    titles, title_weights = zip(*TITLES, strict=True)
    for (d_code, d_name, s_code, s_name), count in zip(units, counts, strict=True):
        for n in range(count):
            number = str(next(numbers))
            if n == 0:
                title = "課長" if not s_name.endswith(("事務所", "図書館")) else "所長" if s_name == "清掃事務所" else "館長"
                result.chiefs[s_code] = number
            elif n == 1 and d_code not in result.directors:
                title = "局長" if d_name.endswith("局") else "部長"
                result.directors[d_code] = number
            else:
                title = rng.choices(titles, weights=title_weights)[0]
            result.rows.append({
                "職員番号": number, "氏名": f"{rng.choice(SURNAMES)}　{rng.choice(GIVEN_NAMES)}",
                "部コード": d_code, "部名": d_name, "課コード": s_code, "課名": s_name, "職名": title, "役割": "",
                "メールアドレス": f"{number}@{MAIL_DOMAIN}", "在籍": "在職" if rng.random() > 0.01 else "休職",
            })
    _roles(result, rng)
    return result


def _roles(result: Roster, rng: random.Random) -> None:
    """相談窓口 (two in the 総務課), the 総務部長, a health office nurse, the committee (a chair and
    five members among the 課長): a row with a 役割 cell names every role it holds."""
    ga_section, hr_section, ga_department = "S0101", "S0102", "D01"
    plain = [r for r in result.rows if r["職名"] not in ("課長", "所長", "館長", "部長", "局長")]
    desks = [r for r in plain if r["課コード"] == ga_section][:2]
    for row in desks:
        row["役割"] = "相談窓口"
    nurse = next(r for r in plain if r["課コード"] == hr_section and r not in desks)
    nurse["役割"] = "職員保健室"
    by_number = result.by_number()
    by_number[result.directors[ga_department]]["役割"] = "部長・総務部長"
    chiefs = [by_number[n] for code, n in sorted(result.chiefs.items()) if code != ga_section]
    chair, *members = rng.sample(chiefs, 6)
    chair["役割"] = "所属長、対策委員長"
    for row in members:
        row["役割"] = "所属長 対策委員"


def transfer(base: Roster, *, seed: int = 1, share: float = 0.10) -> Roster:
    """April: ``share`` of the staff (not 課長, 部長 or role holders) move to another 課; two 課長
    change places; one 課 is renamed; one 課 is merged into another of its 部 (its people move
    there, its 課長 becomes 課長補佐, and the successor's rows name it in 旧課コード)."""
    rng = random.Random(seed * 7919)
    rows = [dict(row) for row in base.rows]
    result = Roster(rows=rows, chiefs=dict(base.chiefs), directors=dict(base.directors))
    units = organisation()
    by_code = {s_code: (d_code, d_name, s_name) for d_code, d_name, s_code, s_name in units}
    by_number = result.by_number()

    # One 課 renamed (the 市民課 becomes 市民窓口課), two merged (保険年金課 into 戸籍住民課).
    renamed, merged_from, merged_into = "S0301", "S0303", "S0302"
    old_name = by_code[renamed][2]
    new_name = "市民窓口課"
    for row in rows:
        if row["課コード"] == renamed:
            row["課名"] = new_name
    into = by_code[merged_into]
    for row in rows:
        if row["課コード"] == merged_from:
            row["部コード"], row["部名"], row["課コード"], row["課名"] = into[0], into[1], merged_into, into[2]
            if row["職名"] == "課長":
                row["職名"] = "課長補佐"
                row["役割"] = ""
            result.moved.append(row["職員番号"])
        if row["課コード"] == merged_into:
            row["旧課コード"] = merged_from
    result.chiefs.pop(merged_from)
    result.renamed = (renamed, old_name, new_name)
    result.merged = (merged_from, merged_into)

    # Two 課長 change places (the chair and members keep their 役割 cells).
    a, b = "S0501", "S0404"
    chief_a, chief_b = by_number[result.chiefs[a]], by_number[result.chiefs[b]]
    for row, target in ((chief_a, b), (chief_b, a)):
        d_code, d_name, s_name = by_code[target]
        row["部コード"], row["部名"], row["課コード"], row["課名"] = d_code, d_name, target, s_name
        result.moved.append(row["職員番号"])
    result.chiefs[a], result.chiefs[b] = chief_b["職員番号"], chief_a["職員番号"]
    result.swapped_chiefs = (chief_a["職員番号"], chief_b["職員番号"])

    # The rest of the moves: plain staff to any other 課 still there.
    targets = [code for code in by_code if code != merged_from]
    plain = [r for r in rows if r["職名"] not in ("課長", "所長", "館長", "部長", "局長") and not r["役割"]
             and r["職員番号"] not in result.moved]
    for row in rng.sample(plain, max(0, int(len(rows) * share) - len(result.moved))):
        target = rng.choice([code for code in targets if code != row["課コード"]])
        d_code, d_name, s_name = by_code[target]
        row["部コード"], row["部名"], row["課コード"] = d_code, d_name, target
        row["課名"] = new_name if target == renamed else s_name
        row["旧課コード"] = merged_from if target == merged_into else ""
        result.moved.append(row["職員番号"])
    return result


def leavers(base: Roster, *, seed: int = 1, share: float = 0.05) -> Roster:
    """The same file less ``share`` of its staff (never a 課長, 部長 or role holder)."""
    rng = random.Random(seed * 104729)
    keep_out = set(base.chiefs.values()) | set(base.directors.values())
    candidates = [r["職員番号"] for r in base.rows if r["職員番号"] not in keep_out and not r["役割"]]
    removed = set(rng.sample(candidates, int(len(base.rows) * share)))
    return Roster(rows=[dict(r) for r in base.rows if r["職員番号"] not in removed], chiefs=dict(base.chiefs),
                  directors=dict(base.directors), removed=sorted(removed))


def to_bytes(rows: list[dict[str, str]], *, encoding: str = "utf-8-sig", headers: list[str] | None = None,
             file_format: str = "csv") -> bytes:
    """The rows as a file: CSV (CRLF, in ``encoding``: utf-8-sig, utf-8 or cp932) or XLSX."""
    if headers is None:
        headers = list(HEADERS)
        if any(row.get("旧課コード") for row in rows):
            headers.append("旧課コード")
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("職員名簿")
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return text.getvalue().encode(encoding)


def write_rows(target: str | Path | BinaryIO, rows: list[dict[str, str]], **options) -> int:
    """Write ``to_bytes(rows, **options)`` to a path or a binary buffer; returns the size."""
    data = to_bytes(rows, **options)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)
    return len(data)


def write_roster(target: str | Path | BinaryIO, *, people: int = 2000, seed: int = 1, encoding: str = "utf-8-sig",
                 kind: str = "base", file_format: str = "csv") -> Roster:
    """Write a generated 名簿 (``kind``: base, transfer or leavers) and return its ``Roster``."""
    base = roster(people=people, seed=seed)
    made = {"base": lambda: base, "transfer": lambda: transfer(base, seed=seed),
            "leavers": lambda: leavers(base, seed=seed)}[kind]()
    write_rows(target, made.rows, encoding=encoding, file_format=file_format)
    return made
