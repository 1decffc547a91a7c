"""The loaded manual against the customer's own text.

The seed (``shared/seeds/000_38ac7fac63bdcfc9.txt``, the Oshu council briefing with the full
draft manual) is parsed here, independently of ``manual/content/manual.json``: the ten 態様
headings （１）…（１０）, the circled-number 【対応例】 steps (①②…) and the ▶ phrases of each.
The database after migrations and the first published edition must hold exactly that: same
order, same counts, every text in full (blanks filled from the default city settings, all
whitespace removed on both sides because the PDF extraction wraps lines anywhere).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from manual.models import (
    CallScriptLine,
    Chapter,
    CitySettings,
    HarassmentType,
    ManualEdition,
    Scene,
    SceneExample,
)
from manual.rendering import fill

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
OSHU_SEED = SEEDS / "000_38ac7fac63bdcfc9.txt"

CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①..⑳
HEADING = re.compile(r"^[ \t\u3000]*（([0-9０-９]+)）[ \t\u3000]*(\S[^\n]*?型)[ \t\u3000]*$", re.MULTILINE)
CAUTIONS = re.compile(r"^[ \t\u3000]*２[ \t\u3000]*対応時の留意点", re.MULTILINE)
# What the PDF adds between the lines of a section: the running page header and page numbers.
PAGE_NOISE = re.compile(
    r"^[ \t\u3000]*(第４[ \t\u3000]*カスタマーハラスメントの態様と対応例|１[ \t\u3000]*態様ごとの対応例|[0-9０-９]+)[ \t\u3000]*$"
    r"|(?<=。)[ \t\u3000]+[0-9０-９]+[ \t\u3000]*$",
    re.MULTILINE,
)
WHITESPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """All whitespace removed (ideographic spaces included)."""
    return WHITESPACE.sub("", text)


@dataclass
class SeedType:
    number: int
    name: str
    section: str  # the seed text from the heading to the next boundary
    steps: list[SeedStep] = field(default_factory=list)


@dataclass
class SeedStep:
    text: str  # the step's text before its first ▶ (whitespace-free, page headers removed)
    phrases: list[str]  # the text after each ▶ up to the next ▶ (likewise)


def parse_types(seed: str) -> list[SeedType]:
    """The ten 態様 of 「第４ １ 態様ごとの対応例」 as the seed has them.

    A heading is a line 「（N）…型」; its section runs to the next heading or to 「２ 対応時の留意点」.
    The table of contents has the same headings, but only the body's sections hold 【対応例】.
    """
    headings = list(HEADING.finditer(seed))
    boundaries = sorted([m.start() for m in headings] + [m.start() for m in CAUTIONS.finditer(seed)])
    types = []
    for match in headings:
        end = next((b for b in boundaries if b > match.start()), len(seed))
        section = seed[match.end():end]
        if "【対応例】" not in section:
            continue
        number = int(unicodedata.normalize("NFKC", match.group(1)))
        seed_type = SeedType(number=number, name=match.group(2).strip(), section=section)
        # Split the 【対応例】 part on the circled numbers: chunk i is step i with its ▶ phrases.
        examples = PAGE_NOISE.sub("", section.split("【対応例】", 1)[1])
        chunks = re.split(f"[{CIRCLED}]", examples)[1:]
        for chunk in chunks:
            text, *phrases = chunk.split("▶")
            seed_type.steps.append(SeedStep(text=squash(text), phrases=[squash(p) for p in phrases]))
        types.append(seed_type)
    return types


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not OSHU_SEED.exists():
        pytest.fail(
            f"The seed manual is missing: expected {OSHU_SEED} (the repository's sibling folder "
            "shared/seeds/, as on CI where shared/ is cloned beside the repository)."
        )
    return OSHU_SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_types(seed_text) -> list[SeedType]:
    return parse_types(seed_text)


@pytest.fixture
def placeholders(db) -> dict[str, str]:
    return CitySettings.load().placeholders()


def database_types() -> list[dict]:
    """The working rows, in the same plain shape as an edition's content."""
    return [
        {
            "name": t.name,
            "description": t.description,
            "steps": [
                {"number": s.number, "text": s.text, "phrases": [{"text": p.text} for p in s.phrases.order_by("order", "id")]}
                for s in t.steps.order_by("number")
            ],
        }
        for t in HarassmentType.objects.order_by("number")
    ]


def edition_types() -> list[dict]:
    return ManualEdition.objects.latest().content["types"]


SOURCES = {"database": database_types, "published edition": edition_types}


def test_the_seed_parses_into_ten_types_with_steps_and_phrases(seed_types):
    # A guard for the parser itself, so a broken parse cannot make the checks below vacuous.
    assert [t.number for t in seed_types] == list(range(1, 11))
    assert seed_types[2].name == "暴言型"
    assert [len(s.phrases) for s in seed_types[2].steps] == [1, 1, 1, 0, 0]
    assert sum(len(t.steps) for t in seed_types) == 39
    assert sum(len(s.phrases) for t in seed_types for s in t.steps) == 25


def test_the_default_city_settings_are_oshu(placeholders):
    assert placeholders == {
        "{city}": "奥州市",
        "{police_station}": "奥州警察署",
        "{police_phone}": "２５－０１１０",
        "{building_rules}": "奥州市庁舎等管理規則",
        "{desk}": "総務部総務課",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("source", SOURCES)
def test_ten_types_in_the_seed_order_with_their_names(source, seed_types):
    loaded = SOURCES[source]()
    assert [t["name"] for t in loaded] == [t.name for t in seed_types]


@pytest.mark.django_db
@pytest.mark.parametrize("source", SOURCES)
def test_each_type_has_as_many_steps_and_phrases_as_the_seed(source, seed_types):
    loaded = SOURCES[source]()
    for mine, seed in zip(loaded, seed_types, strict=True):
        assert len(mine["steps"]) == len(seed.steps), mine["name"]
        assert sum(len(s["phrases"]) for s in mine["steps"]) == sum(len(s.phrases) for s in seed.steps), mine["name"]
        # Each ▶ hangs on the step it follows in the seed.
        assert [len(s["phrases"]) for s in mine["steps"]] == [len(s.phrases) for s in seed.steps], mine["name"]
        assert [s["number"] for s in mine["steps"]] == list(range(1, len(seed.steps) + 1)), mine["name"]


@pytest.mark.django_db
@pytest.mark.parametrize("source", SOURCES)
def test_every_step_and_phrase_text_appears_in_full_in_the_seed(source, seed_text, seed_types, placeholders):
    whole_seed = squash(seed_text)
    loaded = SOURCES[source]()
    for mine, seed in zip(loaded, seed_types, strict=True):
        assert squash(fill(mine["description"], placeholders)) in squash(seed.section), mine["name"]
        # For some 態様 the PDF puts the description after the last step: not part of that step.
        description = squash(fill(mine["description"], placeholders))
        for step, seed_step in zip(mine["steps"], seed.steps, strict=True):
            text = squash(fill(step["text"], placeholders))
            where = f"{mine['name']} step {step['number']}"
            assert text, where
            assert "▶" not in text, where
            assert text in whole_seed, where
            # In full: the step is the whole text after its circled number, up to its first ▶.
            assert text == seed_step.text.removesuffix(description), where
            for phrase, seed_phrase in zip(step["phrases"], seed_step.phrases, strict=True):
                phrase_text = squash(fill(phrase["text"], placeholders))
                assert phrase_text in whole_seed, where
                assert phrase_text == seed_phrase.removesuffix(description), where


@pytest.mark.django_db
def test_the_published_edition_is_the_loaded_draft():
    from manual.services import build_snapshot

    assert ManualEdition.objects.count() == 1
    assert ManualEdition.objects.latest().content == build_snapshot()


@pytest.mark.django_db
def test_cross_references_between_types_are_links():
    authority = HarassmentType.objects.get(name="権威型")
    assert set(authority.see_also.values_list("name", flat=True)) == {"長時間拘束型", "威嚇・脅迫型"}


# -- general chapters --------------------------------------------------------------------------

def chapter_text(slug: str, placeholders: dict[str, str]) -> str:
    return squash(fill(Chapter.objects.get(slug=slug).body, placeholders))


@pytest.mark.django_db
def test_the_foreword_comes_first_and_whole(placeholders, seed_text):
    assert Chapter.objects.order_by("order").first().slug == "foreword"
    body = chapter_text("foreword", placeholders)
    start = squash(seed_text).index("対応マニュアルの策定にあたって") + len("対応マニュアルの策定にあたって")
    end = squash(seed_text).index("目次", start)
    assert body == squash(seed_text)[start:end]


@pytest.mark.django_db
def test_definition_with_both_grounds_and_their_examples(placeholders, seed_text):
    body = chapter_text("definition", placeholders)
    assert "市民等からの言動のうち、要求内容が妥当性を欠くもの又は要求を実現するための手段・態様が社会通念上不相当なものであって" in body
    assert "要求内容が妥当性を欠くもの" in body
    assert "要求を実現するための手段・態様が社会通念上不相当なもの" in body
    for example in ["市に瑕疵や過失が認められないことに対する対応の要求", "過大な補償や謝罪の要求",
                    "身体的な攻撃（暴行、傷害）", "土下座の要求", "職員個人への攻撃、要求"]:
        assert example in body


@pytest.mark.django_db
def test_judgement_with_the_caution_about_disability(placeholders, seed_text):
    body = chapter_text("definition", placeholders)
    caution = squash("なお、相手の言動が当該相手の社会生活に対する適応能力の程度や障がいに起因していることが明らかである"
                     "場合は、安易にカスハラとして認定すべきではないことに留意する必要があります。")
    assert caution in squash(seed_text)
    assert caution in body
    assert "カスハラに該当するかの判断を組織的に行います" in body


@pytest.mark.django_db
def test_basic_measures_and_response_principles(placeholders):
    assert "録音や録画の実施" in chapter_text("basic-measures", placeholders)
    body = chapter_text("basic-response", placeholders)
    for heading in ["初動対応の段階", "組織的に対応する", "毅然と対応する", "法的に対応する", "速やかに上司に報告する",
                    "最初に責任者は対応しない", "庁舎等管理規則に基づく退去命令"]:
        assert heading in body
    assert "奥州市庁舎等管理規則" in body


@pytest.mark.django_db
def test_the_thirty_minute_rule_and_its_caveat(placeholders):
    body = chapter_text("basic-response", placeholders)
    assert "対応時間は、カスハラと判断してから原則「30分」以内とする。" in body
    assert "対応開始から30分を経過したからと単純に対応を打ち切らないよう注意します。" in body
    assert "ただし、悪質性が高い言動等を続けた場合は、速やかに対応を打ち切り退去命令や警察への通報を行います。" in body


@pytest.mark.django_db
def test_cautions_never_say_kasuhara_and_judge_a_new_request_on_its_own(placeholders):
    body = chapter_text("cautions", placeholders)
    assert "「あなたの言動は、『カスハラ』に当たるので、対応を中止します」とは言わない。" in body
    assert "「カスハラ」という用語を用いると、相手の心情を損ね、不満が増幅し、事態が悪化しかねません。" in body
    assert "過去にカスハラを行った人からの要求を、直ちにカスハラと判断しない。" in body


@pytest.mark.django_db
def test_police_contacts_and_call_script(placeholders, seed_text):
    body = chapter_text("police", placeholders)
    assert "奥州警察署２５－０１１０" in body
    assert "緊急通報用電話番号１１０" in body
    seed = squash(seed_text)
    lines = [fill(line, placeholders) for line in CallScriptLine.objects.order_by("order").values_list("text", flat=True)]
    assert lines == [
        "奥州市役所○○課の○○です。□□□の事案が発生しました。",
        "相手方は男性（女性）○名、当方は職員○名が対応中です。",
        "○○時○○分から退去を求めておりますが、聞き入れていただくことができません。",
        "事案解決の支援をお願いします。",
    ]
    for line in lines:
        assert "▶" + squash(line) in seed
        assert squash(line) in body
    assert "※警察からは、脅迫・暴力の有無等の質問があります。" in body


@pytest.mark.django_db
def test_reporting_chapter_with_the_consultation_desk(placeholders):
    chapter = Chapter.objects.get(slug="reporting")
    assert chapter.title == "事案の報告と共有"
    body = chapter_text("reporting", placeholders)
    assert "相談窓口の設置" in body
    assert "カスハラ相談窓口を総務部総務課に設置し" in body
    assert "カスタマーハラスメント発生連絡票を作成し、相談窓口へ提出する" in body
    assert "カスタマーハラスメント対策委員会" in body


@pytest.mark.django_db
def test_minato_judgement_and_flow_chapters(placeholders):
    judgement = chapter_text("minato-judgement", placeholders)
    for point in ["要求態様", "要求内容", "時間・回数・頻度"]:
        assert point in judgement
    flow = chapter_text("minato-flow", placeholders)
    for stage in ["初期対応", "一次対応", "二次対応"]:
        assert stage in flow


@pytest.mark.django_db
@pytest.mark.parametrize("scene", [Scene.FACE_TO_FACE, Scene.PHONE, Scene.INTERNET])
def test_minato_scenes_exist_for_each_kind_and_link_to_a_type(scene):
    examples = SceneExample.objects.filter(scene=scene, source="minato")
    assert examples.exists()
    for example in examples:
        assert example.harassment_types.exists(), example.heading
        assert example.point_list()
