"""The letters a decision calls for (警告書, 出入禁止通知書): drafted from the case, edited by the
相談窓口, then issued.

A finalised decision names its letters through its measures (``MeasureType.letter`` is the code of a
``LetterTemplate``). Drafting fills the template's blanks from the case: the counterpart's name and
address (the linked 相手方, else what the report recorded), the facts (date, place, the conduct as
recorded), the policy, the period of a ban, the city's name, the mayor's title and the article. A
blank the case cannot fill is written as 【…】 and named in ``Draft.missing``; such a letter cannot be
issued until the desk has filled it in. Dates are in 和暦 (令和8年11月24日).

Writes are keyword-only, run in one transaction and leave a ``CommitteeEvent``. An issued letter is
never edited; a new draft may be made from the same decision.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from counterparts.models import Counterpart, CounterpartLink, split_contact
from kasuhara.wareki import wareki
from manual.models import CitySettings
from organization.models import User

from . import policies
from .models import CommitteeAction, CommitteeEvent, Decision, Letter, LetterTemplate, Measure

#: The blanks a template may use (``LetterTemplate`` documents them).
BLANKS = ("city", "mayor", "article", "counterpart_name", "counterpart_address", "date", "incident_date",
          "facts", "policy", "period")
_BLANK = re.compile(r"\{(" + "|".join(BLANKS) + r")\}")
#: What a draft writes where the case has nothing: 【住所：記入してください】.
_MISSING = re.compile(r"【[^】]*記入してください】")


class LetterError(Exception):
    """A refused letter operation; ``str()`` is the Japanese message for the desk. ``conflict`` marks
    a refusal because the letter changed (issued, or edited by someone else): a 409."""

    def __init__(self, message: str, *, conflict: bool = False):
        super().__init__(message)
        self.conflict = conflict


@dataclass
class Draft:
    title: str
    addressee: str
    body: str
    counterpart: Counterpart | None
    #: What the case could not fill (the draft says so where it would stand).
    missing: list[str] = field(default_factory=list)


def missing_mark(what: str) -> str:
    return _("【%(what)s：記入してください】") % {"what": what}


def digest(letter: Letter) -> str:
    """A short fingerprint of the text the desk saw: an edit or issue made on an older page is refused."""
    text = "\x1f".join((letter.title, letter.addressee, letter.body))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- reads ----------------------------------------------------------------------------------------

def templates_for(decision: Decision) -> list[LetterTemplate]:
    """The letters the decision's measures call for, in the order of the measures, each once."""
    codes: list[str] = []
    for measure in decision.measures.select_related("type").order_by("type__position", "id"):
        if measure.type.letter and measure.type.letter not in codes:
            codes.append(measure.type.letter)
    by_code = {t.code: t for t in LetterTemplate.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


def counterparts_for(decision: Decision) -> list[Counterpart]:
    """The 相手方 linked to the decision's case (the letters' possible addressees)."""
    return list(Counterpart.objects.filter(links__report_id=decision.report_id).order_by("name_key", "id"))


def superseded(decision: Decision) -> bool:
    return Decision.objects.filter(supersedes=decision).exists()


def letters_for_decision(decision: Decision) -> QuerySet[Letter]:
    return Letter.objects.filter(decision=decision).select_related("template", "counterpart", "created_by",
                                                                    "issued_by")


def letters_for_counterpart(counterpart: Counterpart) -> list[Letter]:
    """The letters issued to the counterpart, newest first (the counterpart page lists them)."""
    return list(
        Letter.objects.filter(counterpart=counterpart, issued_at__isnull=False)
        .select_related("issued_by", "template").order_by("-issued_at", "-id")
    )


def get_letter_for_user(user: User, pk: int) -> Letter:
    """The letter, for the desk only; everyone else (and a letter that does not exist) gets 404."""
    if not policies.can_handle_letters(user):
        raise Http404
    letter = Letter.objects.select_related("decision__item__meeting", "decision__report", "template", "counterpart",
                                           "created_by", "issued_by").filter(pk=pk).first()
    if letter is None:
        raise Http404
    return letter


# -- drafting ---------------------------------------------------------------------------------------

def _facts(report) -> str:
    """The facts of the case as the letter states them: when, where, the demand and the conduct as recorded."""
    lines = []
    when = report.occurred_start
    if when is not None:
        local = timezone.localtime(when)
        lines.append(_("日時　%(date)s %(time)s頃") % {"date": wareki(local), "time": f"{local.hour}時{local.minute:02d}分"})
    channel = report.get_channel_display() if report.channel else ""
    place = f"{channel}（{report.place}）" if channel and report.place else channel or report.place
    if place:
        lines.append(_("場所・手段　%(place)s") % {"place": place})
    if report.demand.strip():
        lines.append(_("要求の内容　%(demand)s") % {"demand": report.demand.strip()})
    if report.conduct.strip():
        lines.append(_("言動　%(conduct)s") % {"conduct": report.conduct.strip()})
    return "\n".join(f"{n}　{line}" for n, line in enumerate(lines, start=1))


def _period(measures: list[Measure]) -> str:
    dated = [m for m in measures if m.starts_on]
    if not dated:
        return ""
    measure = dated[0]
    if measure.ends_on:
        return _("%(start)sから%(end)sまで") % {"start": wareki(measure.starts_on), "end": wareki(measure.ends_on)}
    return _("%(start)sから当分の間") % {"start": wareki(measure.starts_on)}


def compose(*, decision: Decision, template: LetterTemplate, counterpart: Counterpart | None = None,
            today: datetime.date | None = None) -> Draft:
    """The draft of ``template`` for ``decision``: every blank filled from the case, or marked 【…】."""
    report = decision.report
    if counterpart is not None:
        name, address = counterpart.name, counterpart.address
    else:
        name = report.counterpart_name
        _phone, address = split_contact(report.counterpart_contact)
    measures = list(decision.measures.select_related("type").order_by("type__position", "id"))
    when = report.occurred_start or report.submitted_at
    found = {
        "city": CitySettings.load().city_name,
        "mayor": template.mayor_title,
        "article": template.article,
        "counterpart_name": name,
        "counterpart_address": re.sub(r"\s*\n\s*", " ", (address or "").strip()),
        "date": wareki(today or timezone.localdate()),
        "incident_date": wareki(when) if when else "",
        "facts": _facts(report),
        "policy": decision.policy,
        # The period of the measure that calls for this letter, else of any dated measure (a ban).
        "period": _period([m for m in measures if m.type.letter == template.code]) or _period(measures),
    }
    labels = {
        "city": _("市の名称"), "mayor": _("発信者"), "article": _("根拠規定"), "counterpart_name": _("相手方の氏名"),
        "counterpart_address": _("相手方の住所"), "date": _("日付"), "incident_date": _("発生日"),
        "facts": _("事実の内容"), "policy": _("対応方針"), "period": _("期間"),
    }
    values = {key: (text or "").strip() or missing_mark(labels[key]) for key, text in found.items()}
    # The blanks the template uses, and the name and address of the addressee line.
    needed = {m.group(1) for m in _BLANK.finditer(template.body)} | {"counterpart_name", "counterpart_address"}
    missing = [labels[key] for key in BLANKS if key in needed and not (found[key] or "").strip()]
    body = _BLANK.sub(lambda m: values[m.group(1)], template.body).strip() + "\n"
    addressee = _("%(address)s　%(name)s 様") % {"address": values["counterpart_address"],
                                                 "name": values["counterpart_name"]}
    return Draft(title=template.title, addressee=addressee[:200], body=body, counterpart=counterpart,
                 missing=missing)


def _event(*, action: str, letter: Letter, actor: User, ip_address: str | None, **detail) -> CommitteeEvent:
    return CommitteeEvent.objects.create(
        action=action, actor=actor, ip_address=ip_address, meeting=letter.decision.item.meeting,
        report=letter.decision.report, detail={"letter": letter.pk, "decision": letter.decision_id, **detail},
    )


@transaction.atomic
def draft_letter(*, decision: Decision, template: LetterTemplate, actor: User, counterpart: Counterpart | None = None,
                 ip_address: str | None = None) -> tuple[Letter, list[str]]:
    """Draft ``template`` from a finalised decision that calls for it; returns the letter and what
    the case could not fill."""
    if not policies.can_handle_letters(actor):
        raise LetterError(_("文書を作成できるのは相談窓口です。"))
    decision = Decision.objects.select_for_update().select_related("report", "item__meeting").get(pk=decision.pk)
    if not decision.final:
        raise LetterError(_("確定していない決定からは文書を作成できません。"))
    if superseded(decision):
        raise LetterError(_("この決定は訂正されています。訂正後の決定から作成してください。"))
    if template.code not in {t.code for t in templates_for(decision)}:
        raise LetterError(_("この決定の措置は「%(title)s」を求めていません。") % {"title": template.title})
    if counterpart is not None and not CounterpartLink.objects.filter(counterpart=counterpart,
                                                                      report_id=decision.report_id).exists():
        raise LetterError(_("選んだ相手方はこの事案に紐付いていません。"))
    draft = compose(decision=decision, template=template, counterpart=counterpart)
    letter = Letter.objects.create(decision=decision, template=template, counterpart=counterpart, title=draft.title,
                                   addressee=draft.addressee, body=draft.body, created_by=actor)
    _event(action=CommitteeAction.LETTER_DRAFTED, letter=letter, actor=actor, ip_address=ip_address,
           template=template.code, counterpart=counterpart.pk if counterpart else None, missing=draft.missing)
    return letter, draft.missing


def _locked(letter: Letter, seen: str | None) -> Letter:
    current = Letter.objects.select_for_update().select_related("decision__item__meeting", "decision__report").get(
        pk=letter.pk)
    if current.issued:
        raise LetterError(_("この文書は発出済みのため、変更できません。必要なら新しい文書を作成してください。"),
                          conflict=True)
    if seen is not None and seen != digest(current):
        raise LetterError(_("この文書は他の担当者が先に修正しました。最新の内容を確認してから、もう一度操作してください。"),
                          conflict=True)
    return current


@transaction.atomic
def edit_letter(*, letter: Letter, actor: User, title: str, addressee: str, body: str, seen: str | None = None,
                ip_address: str | None = None) -> Letter:
    """Save the desk's edit of a draft. ``seen``: the ``digest`` of the text the desk edited."""
    if not policies.can_handle_letters(actor):
        raise LetterError(_("文書を修正できるのは相談窓口です。"))
    current = _locked(letter, seen)
    new = {"title": title.strip(), "addressee": addressee.strip(), "body": body.strip() + "\n"}
    if not new["title"] or not new["body"].strip():
        raise LetterError(_("表題と本文を入力してください。"))
    changed = [name for name, text in new.items() if getattr(current, name) != text]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, new[name])
    current.save(update_fields=changed)
    _event(action=CommitteeAction.LETTER_EDITED, letter=current, actor=actor, ip_address=ip_address, fields=changed)
    return current


def unfilled(letter: Letter) -> list[str]:
    """What still stands as a blank or a 【…記入してください】 mark in the letter."""
    text = "\n".join((letter.title, letter.addressee, letter.body))
    return [m.group(0) for m in _BLANK.finditer(text)] + [m.group(0) for m in _MISSING.finditer(text)]


@transaction.atomic
def issue_letter(*, letter: Letter, actor: User, seen: str | None = None, ip_address: str | None = None) -> Letter:
    """Issue the letter as it stands: who, when and the final text are recorded; no edit afterwards."""
    if not policies.can_handle_letters(actor):
        raise LetterError(_("文書を発出できるのは相談窓口です。"))
    current = _locked(letter, seen)
    left = unfilled(current)
    if left:
        raise LetterError(_("まだ記入されていない箇所があります：%(left)s") % {"left": "、".join(dict.fromkeys(left))})
    current.issued_at = timezone.now()
    current.issued_by = actor
    current.save(update_fields=["issued_at", "issued_by"])
    _event(action=CommitteeAction.LETTER_ISSUED, letter=current, actor=actor, ip_address=ip_address,
           counterpart=current.counterpart_id, title=current.title, addressee=current.addressee, body=current.body)
    return current
