"""The one lifecycle of a case (発生連絡票), from draft to closed.

Every status a report can have is here, and every move between them, as one table
(``TRANSITIONS``). Each move declares its sources, its target, who may make it (a function of
``incidents.policies``, by name), what input it needs, its label, and its own work on the row
(``effect``). ``services.transition`` performs any move the same way: lock the row, refuse the
wrong state, check the actor through the move's policy, apply the effect, change the status and
record a ``ReportEvent`` (who, when, from, to, reason) in the same transaction.

    discarded ◄─discard─ draft ─submit─► submitted ─confirm─► confirmed ─accept─► accepted ─start─► in_progress
                           ▲                 │   (所属長; a city      │              │                 │
                           │                 │   may skip it:        │              └────── refer ─────┤
                           └─── return ──────┴── accept directly) ───┘                                 ▼
                                                                             closed ◄─close─ shared ◄─share─ decided ◄─decide─ referred
                                                                               └─reopen─► in_progress

A discarded draft (削除済み) is seen by nobody in the product, its reporter included; its row and
its events stay, so the deletion is on record.

The README's table of moves is generated from ``TRANSITIONS`` (``manage.py lifecycle_table``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み")
    CONFIRMED = "confirmed", _("所属長確認済み")
    RETURNED = "returned", _("差戻し")
    ACCEPTED = "accepted", _("相談窓口受付済み")
    IN_PROGRESS = "in_progress", _("対応中")
    REFERRED = "referred", _("委員会付議")
    DECIDED = "decided", _("対応方針決定")
    SHARED = "shared", _("庁内共有済み")
    CLOSED = "closed", _("完了")
    DISCARDED = "discarded", _("削除済み")


#: Statuses in which the reporter may still change the report.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
#: Submitted and not yet accepted by the 相談窓口: the cases that must not be forgotten.
WAITING = frozenset({Status.SUBMITTED, Status.CONFIRMED})
#: Never submitted: read by nobody but the reporter (a draft), or by nobody at all (削除済み).
UNSUBMITTED = frozenset({Status.DRAFT, Status.DISCARDED})
#: The committee's part of the lifecycle: what its members read (the committee's own pages refine it).
COMMITTEE = frozenset({Status.REFERRED, Status.DECIDED, Status.SHARED})
#: Still being worked on, in any hands.
OPEN = frozenset({Status.SUBMITTED, Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS,
                  Status.REFERRED, Status.DECIDED, Status.SHARED})

#: What a status means for the reporter, in plain words, and what happens next.
PLAIN: dict[str, tuple[str, str]] = {
    Status.DRAFT: (_("下書きです。まだ誰にも届いていません。"), _("内容を確かめて「提出する」を押してください。")),
    Status.SUBMITTED: (_("提出されました。"), _("所属長が内容を確認し、そのあと相談窓口（総務課）が受け付けます。")),
    Status.CONFIRMED: (_("所属長が内容を確認しました。"), _("相談窓口（総務課）が受け付けて、担当者を決めます。")),
    Status.RETURNED: (_("修正のために差し戻されました。"), _("差戻しの理由を読み、内容を直してもう一度提出してください。")),
    Status.ACCEPTED: (_("相談窓口（総務課）が受け付けました。"), _("担当者が事実を確かめ、対応を考えます。必要なときは担当者から連絡します。")),
    Status.IN_PROGRESS: (_("相談窓口（総務課）が対応しています。"), _("相手方への対応や、あなたへの配慮を進めています。困ったことがあればいつでも相談してください。")),
    Status.REFERRED: (_("対策委員会で検討することになりました。"), _("委員会で対応方針が決まったら、ここでお知らせします。")),
    Status.DECIDED: (_("対策委員会で対応方針が決まりました。"), _("決まった方針に沿って、相談窓口と所属が対応します。")),
    Status.SHARED: (_("再発防止のため、個人情報を除いた内容が庁内で共有されました。"), _("引き続き必要な対応を行い、終わったら完了になります。")),
    Status.CLOSED: (_("対応が完了しました。"), _("同じ相手方から再び求めがあったときは、新しく連絡票を出してください。")),
}


def chief_confirmation_on() -> bool:
    """Minato's way (the 所属長 confirms before the 相談窓口 accepts) or Oshu's (straight to it)."""
    return settings.KASUHARA_CHIEF_CONFIRMATION


# -- the moves' own work on the locked row -----------------------------------------------------------

def stamp_submitted(report, actor, inputs) -> None:
    """提出: a report that lacks what 提出 needs is refused (the form says it field by field; this
    is the service's own guard), and the moment of submission is stamped."""
    missing = missing_for_submission(report)
    if missing:
        raise ValidationError(gettext("提出に必要な項目が足りません：%s") % "、".join(missing))
    report.submitted_at = timezone.now()
    # The 課 as it is named today: history keeps that name when the 課 is renamed or merged later.
    report.section_name = report.section.name


def record_judgement(report, actor, inputs) -> None:
    report.chief_judgement = inputs["judgement"]
    report.difficulty = inputs["difficulty"]
    report.chief_comment = inputs.get("comment", "")
    report.confirmed_at = timezone.now()


def take_in(report, actor, inputs) -> None:
    """受付: where the 所属長 step is on, only a confirmed report; the handler defaults to the actor."""
    if report.status == Status.SUBMITTED and chief_confirmation_on():
        raise ValidationError(gettext("所属長の確認が済んでいないため、まだ受け付けられません。"))
    report.accepted_at = timezone.now()
    report.handler = inputs.get("handler") or report.handler or actor


def record_outcome(report, actor, inputs) -> None:
    report.outcome = inputs["outcome"]
    report.outcome_note = inputs.get("outcome_note", "")
    report.closed_at = timezone.now()


def clear_closed(report, actor, inputs) -> None:
    report.closed_at = None


#: What a discarded draft keeps: who filed it, for which 課, when, and its place in the lifecycle.
#: Every other column is set back to its default by the 削除 move (a column added later included).
KEPT_ON_DISCARD = frozenset({"id", "reporter", "section", "status", "created_at", "updated_at", "version", "form_token"})


def wipe_draft(report, actor, inputs) -> None:
    """削除: everything the draft held goes — its evidence (rows now, stored files once the deletion
    is committed), its 経過, its 対応職員, 態様 and linked reports, and every column but
    ``KEPT_ON_DISCARD``. The row and its events stay, so the deletion is on record (who, when).
    How much went is left in ``inputs["removed"]`` for the move's event (numbers, no content)."""
    from django.db import transaction

    from .models import IncidentReport

    attachments = list(report.attachments.all())
    removed = {"attachments": len(attachments), "timeline": report.timeline.count()}
    report.attachments.all().delete()
    report.timeline.all().delete()
    for attachment in attachments:
        storage, name = attachment.file.storage, attachment.file.name
        if name:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    report.staff_members.clear()
    report.harassment_types.clear()
    report.related_reports.clear()
    IncidentReport.related_reports.through.objects.filter(to_incidentreport_id=report.pk).delete()
    wiped = [f for f in IncidentReport._meta.concrete_fields if f.name not in KEPT_ON_DISCARD]
    for field in wiped:
        setattr(report, field.attname, field.get_default())
    report.save(update_fields=[f.name for f in wiped])
    inputs["removed"] = removed


def missing_for_submission(report) -> list[str]:
    """What a report still lacks before it may be submitted."""
    missing = []
    if not report.occurred_start or not report.occurred_end:
        missing.append(gettext("発生日時"))
    if not report.harassment_types.exists():
        missing.append(gettext("態様"))
    if not report.staff_members.exists():
        missing.append(gettext("対応職員"))
    if not report.staff_count or not report.counterpart_count:
        missing.append(gettext("人数"))
    if not report.conduct.strip():
        missing.append(gettext("言動"))
    return missing


@dataclass(frozen=True)
class Transition:
    """One move of the lifecycle.

    ``policy`` names the function of ``incidents.policies`` that decides who may make the move
    (``policy(user, report) -> bool``); ``needs`` names the inputs the move asks for (the form
    fields of ``forms.MOVE_FIELDS``; ``reason`` is stored on the event); ``effect`` is the move's
    own work on the locked row before it is saved (it may refuse with a ``ValidationError``);
    ``fields`` are the columns it changes besides the status; ``event`` is the audit action.
    """

    name: str
    sources: frozenset[str]
    target: str
    label: str
    policy: str
    event: str
    needs: tuple[str, ...] = ()
    effect: Callable | None = None
    fields: tuple[str, ...] = ()
    #: Who the move is for, as the README's table says it.
    who: str = ""
    #: Offered as a form on the case page. 提出 is not: it is made from the report form, whose
    #: rules (every required field, dates, 経過) a bare button would skip.
    on_case_page: bool = True


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit", frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, _("提出"),
            policy="can_submit", event="submitted", effect=stamp_submitted, fields=("submitted_at", "section_name"),
            who=_("報告者（連絡票の入力画面から）"), on_case_page=False,
        ),
        Transition(
            "discard", frozenset({Status.DRAFT}), Status.DISCARDED, _("削除"),
            policy="can_discard", event="discarded", effect=wipe_draft,
            who=_("報告者（下書きのあいだだけ。確認画面から）"), on_case_page=False,
        ),
        Transition(
            "confirm", frozenset({Status.SUBMITTED}), Status.CONFIRMED, _("所属長の確認"),
            policy="can_confirm", event="confirmed", needs=("judgement", "difficulty", "comment"),
            effect=record_judgement, fields=("chief_judgement", "difficulty", "chief_comment", "confirmed_at"),
            who=_("報告者の課の所属長（所属長確認を使う市のみ）"),
        ),
        Transition(
            "return", frozenset({Status.SUBMITTED, Status.CONFIRMED, Status.ACCEPTED}), Status.RETURNED,
            _("差戻し"), policy="can_return", event="returned", needs=("reason",),
            who=_("所属長（確認前）、相談窓口"),
        ),
        Transition(
            "accept", frozenset({Status.SUBMITTED, Status.CONFIRMED}), Status.ACCEPTED, _("受付"),
            policy="can_triage", event="accepted", needs=("handler",), effect=take_in,
            fields=("accepted_at", "handler"), who=_("相談窓口（所属長確認を使う市では確認後）"),
        ),
        Transition(
            "start", frozenset({Status.ACCEPTED}), Status.IN_PROGRESS, _("対応開始"),
            policy="can_triage", event="started", who=_("相談窓口"),
        ),
        Transition(
            "refer", frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.REFERRED, _("委員会に付議"),
            policy="can_triage", event="referred", needs=("reason",), who=_("相談窓口"),
        ),
        Transition(
            "decide", frozenset({Status.REFERRED}), Status.DECIDED, _("対応方針の決定"),
            policy="can_decide", event="decided", needs=("reason",),
            who=_("対策委員長（委員会の会議で決定を確定したとき。事案の画面からは行わない）"), on_case_page=False,
        ),
        Transition(
            "share", frozenset({Status.DECIDED}), Status.SHARED, _("庁内共有"),
            policy="can_triage", event="shared", who=_("相談窓口"),
            on_case_page=False,  # made by publishing the board entry after its review (committee.board)
        ),
        Transition(
            "close",
            frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.DECIDED, Status.SHARED}),
            Status.CLOSED, _("完了"), policy="can_triage", event="closed", needs=("outcome", "outcome_note"),
            effect=record_outcome, fields=("outcome", "outcome_note", "closed_at"), who=_("相談窓口"),
        ),
        Transition(
            "reopen", frozenset({Status.CLOSED}), Status.IN_PROGRESS, _("再開"),
            policy="can_triage", event="reopened", needs=("reason",), effect=clear_closed,
            fields=("closed_at",), who=_("相談窓口"),
        ),
    ]
}


def moves_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]


def markdown_table() -> str:
    """The table of moves for the README (kept in step by a test)."""
    rows = [
        "| move | label | from | to | who may | needs |",
        "|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS.values():
        sources = ", ".join(f"{Status(s).label}" for s in Status.values if s in t.sources)
        needs = ", ".join(t.needs) or "—"
        rows.append(f"| `{t.name}` | {t.label} | {sources} | {Status(t.target).label} | {t.who} (`{t.policy}`) | {needs} |")
    return "\n".join(rows)
