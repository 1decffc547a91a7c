"""Writes to the manual: loading the seed content, and publishing the working draft as an edition."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps
from django.db import transaction

if TYPE_CHECKING:
    from organization.models import User

    from .models import ManualEdition

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "manual.json"

GetModel = Callable[[str, str], Any]


def _default_get_model(app_label: str, name: str):
    return global_apps.get_model(app_label, name)


def _content_models(get_model: GetModel) -> tuple:
    """The manual's content models, current or (in a data migration) historical."""
    return tuple(
        get_model("manual", name)
        for name in ("HarassmentType", "ResponseStep", "SamplePhrase", "Chapter", "SceneExample", "CallScriptLine")
    )


def build_snapshot(get_model: GetModel = _default_get_model) -> dict:
    """The whole working manual as plain data: what an edition freezes and staff read.

    ``get_model`` lets a data migration pass its historical models.
    """
    (HarassmentType, ResponseStep, SamplePhrase, Chapter, SceneExample, CallScriptLine) = _content_models(get_model)

    phrases: dict[int, list[dict]] = {}
    for phrase in SamplePhrase.objects.order_by("step_id", "order", "id"):
        phrases.setdefault(phrase.step_id, []).append({"id": phrase.pk, "text": phrase.text})
    steps: dict[int, list[dict]] = {}
    for step in ResponseStep.objects.order_by("harassment_type_id", "number"):
        steps.setdefault(step.harassment_type_id, []).append(
            {"id": step.pk, "number": step.number, "text": step.text, "phrases": phrases.get(step.pk, [])}
        )
    types = []
    codes = dict(HarassmentType.objects.values_list("pk", "code"))
    see_also: dict[int, list[str]] = {}
    for row in HarassmentType.see_also.through.objects.values("from_harassmenttype_id", "to_harassmenttype_id"):
        see_also.setdefault(row["from_harassmenttype_id"], []).append(codes[row["to_harassmenttype_id"]])
    for t in HarassmentType.objects.order_by("number"):
        types.append({
            "id": t.pk,
            "number": t.number,
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "see_also": sorted(see_also.get(t.pk, []), key=lambda c: list(codes.values()).index(c)),
            "steps": steps.get(t.pk, []),
        })
    scene_types: dict[int, list[str]] = {}
    for row in SceneExample.harassment_types.through.objects.values("sceneexample_id", "harassmenttype_id"):
        scene_types.setdefault(row["sceneexample_id"], []).append(codes[row["harassmenttype_id"]])
    scenes = [
        {
            "id": s.pk,
            "scene": s.scene,
            "heading": s.heading,
            "example": s.example,
            "points": [line.strip() for line in s.points.splitlines() if line.strip()],
            "note": s.note,
            "source": s.source,
            "types": scene_types.get(s.pk, []),
        }
        for s in SceneExample.objects.order_by("order", "id")
    ]
    chapters = [
        {"slug": c.slug, "number": c.number, "title": c.title, "source": c.source, "body": c.body}
        for c in Chapter.objects.order_by("order", "id")
    ]
    call_script = [line.text for line in CallScriptLine.objects.order_by("order", "id")]
    return {"types": types, "chapters": chapters, "scenes": scenes, "call_script": call_script}


def load_seed_content(get_model: GetModel = _default_get_model, path: Path = CONTENT_FILE) -> None:
    """Load the customer's manual (``content/manual.json``) into empty manual tables."""
    data = json.loads(path.read_text(encoding="utf-8"))
    (HarassmentType, ResponseStep, SamplePhrase, Chapter, SceneExample, CallScriptLine) = _content_models(get_model)

    by_code = {}
    for t in data["types"]:
        obj = HarassmentType.objects.create(
            number=t["number"], code=t["code"], name=t["name"], description=t["description"]
        )
        by_code[t["code"]] = obj
        for s in t["steps"]:
            step = ResponseStep.objects.create(harassment_type=obj, number=s["number"], text=s["text"])
            SamplePhrase.objects.bulk_create(
                SamplePhrase(step=step, order=i, text=text) for i, text in enumerate(s["phrases"], 1)
            )
    for t in data["types"]:
        by_code[t["code"]].see_also.set([by_code[c] for c in t.get("see_also", [])])

    order = 0
    for c in data["chapters"]:
        order += 10
        Chapter.objects.create(
            slug=c["slug"], number=c.get("number", ""), title=c["title"], source=c.get("source", "oshu"),
            body=c["body"], order=order,
        )
    minato = data.get("minato", {})
    if "judgement" in minato:
        j = minato["judgement"]
        parts = [j.get("intro", "")]
        for point in j["points"]:
            parts.append(f"### {point['number']}. {point['title']}")
            parts.extend(f"- {item}" for item in point["items"])
            parts.append("")
        if j.get("note"):
            parts.append(j["note"])
        order += 10
        Chapter.objects.create(
            slug="minato-judgement", number="港区", title="カスハラの判断（要求態様・要求内容・時間・回数・頻度）",
            source="minato", body="\n".join(parts).strip(), order=order,
        )
    if "flow" in minato:
        body = "\n\n".join(f"### {step['title']}\n\n{step['body']}" for step in minato["flow"])
        order += 10
        Chapter.objects.create(
            slug="minato-flow", number="港区", title="対応の流れ（初期対応・一次対応・二次対応）",
            source="minato", body=body, order=order,
        )
    for i, s in enumerate(minato.get("scenes", []), 1):
        scene = SceneExample.objects.create(
            scene=s["scene"], heading=s["heading"], example=s["example"], points="\n".join(s["points"]),
            note=s.get("note", ""), source="minato", order=i * 10,
        )
        scene.harassment_types.set([by_code[c] for c in s.get("types", []) if c in by_code])
    police = data.get("police", {})
    CallScriptLine.objects.bulk_create(
        CallScriptLine(order=i, text=line) for i, line in enumerate(police.get("call_script", []), 1)
    )


@transaction.atomic
def publish_manual(*, published_by: User | None, note: str = "") -> ManualEdition:
    """Freeze the working draft as a new edition; from now on staff read it."""
    from .models import ManualEdition

    return ManualEdition.objects.create(published_by=published_by, note=note, content=build_snapshot())
