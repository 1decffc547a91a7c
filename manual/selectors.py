"""Reads of the manual. Staff read the newest published edition; admins may preview the draft."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from .models import CitySettings, ManualEdition
from .rendering import fill
from .services import build_snapshot


@lru_cache(maxsize=4)
def _edition_content(edition_id: int, published_at: datetime) -> dict:
    # Keyed by id *and* publishing time: an id alone can come back for different content (SQLite
    # reuses the highest id after a rollback or a deleted row), and the cache would then serve
    # an edition that no longer exists.
    return ManualEdition.objects.values_list("content", flat=True).get(pk=edition_id, published_at=published_at)


def latest_edition_id() -> int | None:
    return ManualEdition.objects.order_by("-id").values_list("id", flat=True).first()


def manual_content(*, draft: bool = False) -> dict:
    """The manual as plain data: the newest edition, or (``draft``) the working rows."""
    if draft:
        return build_snapshot()
    latest = ManualEdition.objects.order_by("-id").values_list("id", "published_at").first()
    if latest is None:
        return {"types": [], "chapters": [], "scenes": [], "call_script": []}
    return _edition_content(*latest)


def type_by_code(content: dict, code: str) -> dict | None:
    return next((t for t in content["types"] if t["code"] == code), None)


def chapter_by_slug(content: dict, slug: str) -> dict | None:
    return next((c for c in content["chapters"] if c["slug"] == slug), None)


def scenes_for(content: dict, code: str) -> list[dict]:
    return [s for s in content["scenes"] if code in s["types"]]


def playbook_summaries() -> list[dict]:
    """For the report form: each 態様's description and steps, keyed by its id, blanks filled."""
    content = manual_content()
    placeholders = CitySettings.load().placeholders()
    return [
        {
            "id": t["id"],
            "code": t["code"],
            "name": t["name"],
            "description": fill(t["description"], placeholders),
            "steps": [fill(s["text"], placeholders) for s in t["steps"]],
        }
        for t in content["types"]
    ]


def _normalise(text: str) -> str:
    # NFKC folds full-width and half-width forms (ＳＮＳ = SNS, ３０ = 30); casefold for Latin letters.
    return unicodedata.normalize("NFKC", text).casefold()


def _original_index(text: str, norm_index: int) -> int:
    """The position in ``text`` of a position in its normalised form (NFKC may change lengths:
    「…」 becomes three dots), by bisecting on the length of the normalised prefix."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(_normalise(text[:mid])) < norm_index:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _snippet(text: str, query: str, width: int = 40) -> str:
    norm = _normalise(text)
    at = norm.find(query)
    hit_start, hit_end = _original_index(text, at), _original_index(text, at + len(query))
    start, end = max(hit_start - width, 0), hit_end + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def search(content: dict, query: str, placeholders: dict[str, str]) -> list[dict]:
    """Japanese substring search across types, steps, phrases, chapters and scenes."""
    q = _normalise(query.strip())
    if not q:
        return []
    hits: list[dict] = []

    def check(kind: str, title: str, text: str, url_kind: str, key: str, anchor: str = "") -> None:
        filled = fill(text, placeholders)
        in_text = q in _normalise(filled)
        if in_text or q in _normalise(title):
            hits.append({"kind": kind, "title": title, "snippet": _snippet(filled, q) if in_text else filled[:80],
                         "url_kind": url_kind, "key": key, "anchor": anchor})

    for t in content["types"]:
        check(_("態様"), t["name"], t["description"], "type", t["code"])
        for s in t["steps"]:
            check(_("対応例"), f"{t['name']} {s['number']}", s["text"], "type", t["code"], f"step-{s['id']}")
            for p in s["phrases"]:
                check(_("例文"), f"{t['name']} {s['number']}", p["text"], "type", t["code"], f"phrase-{p['id']}")
    for c in content["chapters"]:
        check(_("章"), f"{c['number']} {c['title']}".strip(), c["body"], "chapter", c["slug"])
    for s in content["scenes"]:
        text = "\n".join([s["example"], *s["points"], s["note"]])
        if s["types"]:
            check(_("場面別の事例"), s["heading"], text, "type", s["types"][0], f"scene-{s['id']}")
        else:
            check(_("場面別の事例"), s["heading"], text, "home", "")
    return hits


def personal_call_script(content: dict, placeholders: dict[str, str], user) -> list[str]:
    """The police call script with the city filled in and, where known, the caller's 課 and name."""
    lines = [fill(line, placeholders) for line in content.get("call_script", [])]
    if lines and getattr(user, "section_id", None):
        lines[0] = lines[0].replace("○○課の○○です", f"{user.section.name}の{user}です", 1)
    return lines
