"""庁内共有 (the shared case board): drafting an anonymised summary of a decided case, checking it for
personal details still in it, and publishing it after a person's review.

Redaction works on folded text (``kasuhara.textnorm``): 「山田　太郎」, 「山田太郎」 and 「ﾔﾏﾀﾞ ﾀﾛｳ」-style
width variants match one another, and a phone number matches with or without hyphens and in
full-width digits (「０９０－１２３４－５６７８」 = 「09012345678」). What is matched comes from the case:
every linked counterpart (name, phone, address), the report's own 相手方 fields, and the names of the
reporter, the 対応職員, the handler and the people named in the 経過記録.

Writes are keyword-only, one transaction each, and every change is a ``CommitteeEvent``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counterparts.models import Counterpart, phone_key, split_contact
from incidents import policies as incident_policies
from incidents import services as incident_services
from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from kasuhara.textnorm import fold, fold_compact
from organization.models import User

from . import policies, selectors
from .models import BoardEntry, CommitteeAction, CommitteeEvent

#: The free-text fields of an entry, checked on every save, in the order the page shows them.
TEXT_FIELDS: dict[str, str] = {
    "title": gettext_lazy("見出し"),
    "what_happened": gettext_lazy("何が起きたか"),
    "how_handled": gettext_lazy("どう対応したか"),
    "policy": gettext_lazy("対応方針"),
    "lessons": gettext_lazy("ほかの職場への教訓"),
}

NAME, PHONE, ADDRESS = "name", "phone", "address"
KIND_LABELS = {NAME: gettext_lazy("氏名"), PHONE: gettext_lazy("電話番号"), ADDRESS: gettext_lazy("住所")}
COUNTERPART, STAFF = "counterpart", "staff"
WHOSE_LABELS = {COUNTERPART: gettext_lazy("相手方"), STAFF: gettext_lazy("職員")}

#: What may stand between the digits of a phone number in free text (after folding).
_PHONE_SEPARATORS = frozenset(" -‐‑‒–—―−ー()")
_ADDRESS_PARTS = re.compile(r"[\s,、，/／]+")
_ADDRESS_PREFIX = re.compile(r"^.*[都道府県市区郡]")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Shorter needles match too much ordinary text (「林」, 「123」).
MIN_NAME_CHARS = 2
MIN_ADDRESS_CHARS = 4
MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class Secret:
    """One personal detail of the case that must not reach the board, and what replaces it."""

    kind: str  # NAME, PHONE or ADDRESS
    whose: str  # COUNTERPART or STAFF
    needle: str  # folded-compact text (names, addresses) or digits (phones)
    replacement: str


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    secret: Secret


# -- folding with positions --------------------------------------------------------------------

def _folded_chars(text: str) -> list[tuple[str, int, int]]:
    """``text`` folded one character at a time (NFKC, casefold) with each output character's span
    in the original; half-width voiced marks (ﾀﾞ) are joined to the character before them."""
    out: list[tuple[str, int, int]] = []
    for i, ch in enumerate(text):
        for f in unicodedata.normalize("NFKC", ch).casefold():
            if f in "\u3099\u309a" and out:
                prev, start, _end = out[-1]
                out[-1] = (unicodedata.normalize("NFC", prev + f), start, i + 1)
            else:
                out.append((f, i, i + 1))
    return out


def _find(text: str, secret: Secret) -> list[Match]:
    """Where ``secret`` occurs in ``text`` (spans of the original text), ignoring width, case and the
    spaces and dashes between characters (phones: any separators, digits only)."""
    if not secret.needle or not text:
        return []
    chars = _folded_chars(text)
    if secret.kind == PHONE:
        stream = [(c, s, e) for c, s, e in chars if c.isdigit()]
    else:  # what ``fold_compact`` drops (spaces, dashes) is skipped
        stream = [(c, s, e) for c, s, e in chars if fold_compact(c)]
    joined = "".join(c for c, _s, _e in stream)
    matches = []
    at = joined.find(secret.needle)
    while at != -1:
        part = stream[at: at + len(secret.needle)]
        start, end = part[0][1], part[-1][2]
        if _only_separators(text, part, phone=secret.kind == PHONE) and (secret.kind != PHONE or _digit_bounded(text, start, end)):
            matches.append(Match(start, end, secret))
        at = joined.find(secret.needle, at + 1)
    return matches


def _only_separators(text: str, part: list[tuple[str, int, int]], *, phone: bool) -> bool:
    """Between the matched characters there is nothing but separators (at most three in a row):
    spaces and dashes, and for phone numbers also brackets and 「ー」."""
    for (_c, _s, prev_end), (_c2, next_start, _e) in zip(part, part[1:], strict=False):
        gap = text[prev_end:next_start]
        if len(gap) > 3:
            return False
        if phone and not set(fold(gap)) <= _PHONE_SEPARATORS:
            return False
        if not phone and fold_compact(gap):
            return False
    return True


def _digit_bounded(text: str, start: int, end: int) -> bool:
    """A phone number is not part of a longer run of digits."""
    before = fold(text[start - 1]) if start > 0 else ""
    after = fold(text[end]) if end < len(text) else ""
    return not (before.isdigit() or after.isdigit())


def find_all(text: str, secrets: Iterable[Secret]) -> list[Match]:
    """Non-overlapping matches, longest first where two overlap, in text order."""
    found = sorted((m for s in secrets for m in _find(text, s)), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in found:
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


def redact(text: str, secrets: Iterable[Secret]) -> str:
    secrets = list(secrets)
    out, pos = [], 0
    for m in find_all(text, secrets):
        out.append(text[pos:m.start])
        out.append(m.secret.replacement)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


# -- what must not be published ------------------------------------------------------------------

def _name_secrets(name: str, whose: str, replacement: str) -> list[Secret]:
    name = (name or "").strip()
    needles = {fold_compact(name)}
    parts = [p for p in re.split(r"[\s\u3000]+", name) if p]
    if whose == COUNTERPART and len(parts) > 1:
        needles.add(fold_compact(parts[0]))  # 「山田さん」: the family name alone
    return [Secret(NAME, whose, n, replacement) for n in needles if len(n) >= MIN_NAME_CHARS]


def _phone_secrets(phone: str) -> list[Secret]:
    digits = phone_key(phone)
    return [Secret(PHONE, COUNTERPART, digits, _("（電話番号）"))] if len(digits) >= MIN_PHONE_DIGITS else []


def _address_secrets(address: str) -> list[Secret]:
    """The whole address, each of its lines or parts, and a part without its 都道府県・市区郡 prefix
    (「港区芝1-2-3」 also as 「芝1-2-3」)."""
    needles = set()
    address = (address or "").strip()
    if address:
        needles.add(fold_compact(address))
    for part in _ADDRESS_PARTS.split(address):
        needles.add(fold_compact(part))
        tail = _ADDRESS_PREFIX.sub("", fold(part))
        if tail and not tail.isdigit() and any(ch.isdigit() for ch in tail):
            needles.add(fold_compact(tail))
    return [Secret(ADDRESS, COUNTERPART, n, _("（住所）")) for n in needles
            if len(n) >= MIN_ADDRESS_CHARS and not fold_compact(n).isdigit()]


def _staff(report: IncidentReport) -> list[tuple[str, str]]:
    """(name, replacement) of the people of the case: the reporter 「職員A」, the 対応職員 B, C …,
    then the handler and the names in the 経過記録 not already listed."""
    names: list[str] = []

    def add(name: str) -> None:
        if name and fold_compact(name) not in {fold_compact(n) for n in names}:
            names.append(name)

    people = [report.reporter, *report.staff_members.order_by("pk")]
    if report.handler_id:
        people.append(report.handler)
    for person in people:
        add(person.display_name)
        add(f"{person.last_name} {person.first_name}".strip())
    for actor_name in report.timeline.values_list("actor_name", flat=True):
        add(actor_name)
    return [(name, _("職員%(letter)s") % {"letter": _LETTERS[i % 26]}) for i, name in enumerate(names)]


def secrets_for(report: IncidentReport) -> list[Secret]:
    secrets: list[Secret] = []
    for counterpart in Counterpart.objects.filter(links__report=report).distinct():
        secrets += _name_secrets(counterpart.name, COUNTERPART, _("相手方"))
        secrets += _phone_secrets(counterpart.phone)
        secrets += _address_secrets(counterpart.address)
    secrets += _name_secrets(report.counterpart_name, COUNTERPART, _("相手方"))
    phone, rest = split_contact(report.counterpart_contact)
    secrets += _phone_secrets(phone)
    secrets += _address_secrets(rest)
    for name, replacement in _staff(report):
        secrets += _name_secrets(name, STAFF, replacement)
    unique: dict[tuple[str, str], Secret] = {}
    for secret in secrets:
        unique.setdefault((secret.kind, secret.needle), secret)
    return list(unique.values())


def check(values: dict[str, str], secrets: Iterable[Secret]) -> list[dict]:
    """The flags of an entry's text: which field, what kind, whose, the text matched and where."""
    secrets = list(secrets)
    flags = []
    for field, label in TEXT_FIELDS.items():
        text = values.get(field) or ""
        for m in find_all(text, secrets):
            flags.append({
                "field": field, "field_label": str(label),
                "kind": m.secret.kind, "kind_label": str(KIND_LABELS[m.secret.kind]),
                "whose": m.secret.whose, "whose_label": str(WHOSE_LABELS[m.secret.whose]),
                "text": text[m.start:m.end], "start": m.start, "end": m.end,
            })
    return flags


# -- pre-fill --------------------------------------------------------------------------------------

def prefill(report: IncidentReport) -> dict:
    """The entry's first text, from the case, with the people's details replaced."""
    secrets = secrets_for(report)
    happened = []
    if report.conduct:
        happened.append(_("言動：%(text)s") % {"text": report.conduct.strip()})
    if report.demand:
        happened.append(_("要求：%(text)s") % {"text": report.demand.strip()})
    handled = []
    for entry in report.timeline.all():
        handled.append(f"・{entry.get_kind_display()}：{entry.description.strip()}")
    for action in report.actions.order_by("done_on", "pk"):
        handled.append(f"・{action.get_kind_display()}：{action.description.strip()}")
    decision = selectors.final_decision(report)
    policy = ""
    if decision is not None:
        lines = [decision.policy.strip()]
        for measure in decision.measures.all():
            lines.append(f"・{measure.type.name}" + (f"：{measure.detail.strip()}" if measure.detail.strip() else ""))
        policy = "\n".join(lines)
    values = {
        "title": report.title or _("（見出しを入力してください）"),
        "what_happened": "\n".join(happened),
        "how_handled": "\n".join(handled),
        "policy": policy,
        "lessons": "",
    }
    values = {field: redact(text, secrets) for field, text in values.items()}
    values["channel"] = report.channel
    values["types"] = list(report.harassment_types.all())
    return values


def channel_label(entry: BoardEntry) -> str:
    return str(Channel(entry.channel).label) if entry.channel in Channel.values else ""


def _search_text(entry: BoardEntry, types: Iterable) -> str:
    parts = [entry.title, entry.what_happened, entry.how_handled, entry.policy, entry.lessons, channel_label(entry),
             *(t.name for t in types)]
    return fold("\n".join(str(p) for p in parts if p))


# -- reads ---------------------------------------------------------------------------------------

def published_entries(*, query: str = "", type_code: str = "") -> QuerySet[BoardEntry]:
    entries = BoardEntry.objects.filter(published_at__isnull=False).prefetch_related("types")
    if type_code:
        entries = entries.filter(types__code=type_code)
    for term in fold(query).split():
        entries = entries.filter(search_text__contains=term)
    return entries.order_by("-published_at", "-pk").distinct()


def get_entry_for_user(user: User, pk: int) -> BoardEntry:
    """A published entry for every member of staff; an unpublished one for the desk only."""
    entry = BoardEntry.objects.select_related("report").prefetch_related("types").filter(pk=pk).first()
    if entry is None or not policies.can_read_board(user):
        raise Http404
    if not entry.published and not policies.can_prepare_board(user):
        raise Http404
    return entry


def get_draftable_report(user: User, report_id: int) -> IncidentReport:
    """The case a summary may be drafted from: the desk only, a decided case (404 otherwise)."""
    if not policies.can_prepare_board(user):
        raise Http404
    report = IncidentReport.objects.filter(pk=report_id).first()
    if report is None or not incident_policies.can_view_report(user, report):
        raise Http404
    return report


def can_start_entry(user: User, report: IncidentReport) -> bool:
    """The case page's 「庁内共有の記事を作る」: the desk, a decided case without a published entry."""
    if not policies.can_prepare_board(user) or report.status != Status.DECIDED:
        return False
    return not BoardEntry.objects.filter(report=report, published_at__isnull=False).exists()


def can_open_case(user: User, entry: BoardEntry) -> bool:
    return incident_policies.can_view_report(user, entry.report)


# -- writes --------------------------------------------------------------------------------------

def _record(*, entry: BoardEntry, actor: User, action: str, ip_address: str | None, detail: dict | None = None):
    CommitteeEvent.objects.create(actor=actor, action=action, report=entry.report, ip_address=ip_address,
                                  detail={"entry": entry.pk, **(detail or {})})


def _apply(entry: BoardEntry, data: dict) -> list:
    for field in (*TEXT_FIELDS, "channel"):
        setattr(entry, field, (data.get(field) or "").strip() if field != "channel" else data.get(field) or "")
    entry.flags = check({f: getattr(entry, f) for f in TEXT_FIELDS}, secrets_for(entry.report))
    return list(data.get("types") or [])


@transaction.atomic
def create_entry(*, report: IncidentReport, actor: User, data: dict, ip_address: str | None = None) -> BoardEntry:
    """Save the first draft of a case's summary (checked for personal details)."""
    if not policies.can_prepare_board(actor):
        raise PermissionDenied
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.DECIDED:
        raise ValidationError(_("庁内共有の記事は、対応方針が決定した事案（「対応方針決定」）から作成できます。"))
    if BoardEntry.objects.filter(report=report).exists():
        raise ValidationError(_("この事案の庁内共有の記事はすでにあります。"))
    entry = BoardEntry(report=report, created_by=actor)
    types = _apply(entry, data)
    entry.save()
    entry.types.set(types)
    entry.search_text = _search_text(entry, types)
    entry.save(update_fields=["search_text"])
    _record(entry=entry, actor=actor, action=CommitteeAction.BOARD_DRAFTED, ip_address=ip_address,
            detail={"flags": len(entry.flags)})
    return entry


@transaction.atomic
def update_entry(*, entry: BoardEntry, actor: User, data: dict, ip_address: str | None = None) -> BoardEntry:
    """Save an unpublished entry's text again; the check runs again and replaces the flags."""
    if not policies.can_prepare_board(actor):
        raise PermissionDenied
    entry = BoardEntry.objects.select_for_update().select_related("report").get(pk=entry.pk)
    if entry.published:
        raise ValidationError(_("公開済みの記事は変更できません。"))
    types = _apply(entry, data)
    entry.search_text = _search_text(entry, types)
    entry.save()
    entry.types.set(types)
    _record(entry=entry, actor=actor, action=CommitteeAction.BOARD_EDITED, ip_address=ip_address,
            detail={"flags": len(entry.flags)})
    return entry


def publish_entry(*, entry: BoardEntry, actor: User, reviewed: bool, ip_address: str | None = None) -> BoardEntry:
    """Publish after a person's review: the text is checked once more (a flag refuses it, and the flags
    are kept), ``reviewed_by`` and ``published_at`` are set and the case makes the ``share`` move
    (対応方針決定 → 庁内共有済み), all in one transaction."""
    if not policies.can_prepare_board(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = BoardEntry.objects.select_for_update().select_related("report").get(pk=entry.pk)
        if locked.published:
            raise ValidationError(_("この記事はすでに公開されています。"))
        flags = check({f: getattr(locked, f) for f in TEXT_FIELDS}, secrets_for(locked.report))
        if flags != locked.flags:  # the case's details changed since the last save
            locked.flags = flags
            locked.save(update_fields=["flags", "updated_at"])
        if not flags and reviewed:
            incident_services.transition(report=locked.report, name="share", actor=actor, ip_address=ip_address)
            locked.reviewed_by = actor
            locked.published_at = timezone.now()
            locked.save(update_fields=["reviewed_by", "published_at", "updated_at"])
            _record(entry=locked, actor=actor, action=CommitteeAction.BOARD_PUBLISHED, ip_address=ip_address)
            return locked
    if flags:
        raise ValidationError(
            _("個人情報の疑いがある箇所が %(n)s か所残っているため、公開できません。"
              "下の一覧の箇所を書き換えて保存してから、もう一度公開してください。") % {"n": len(flags)}
        )
    raise ValidationError(_("公開する前に内容を読み、「確認しました」にチェックしてください。"))
