"""The one lifecycle of a case (発生連絡票), from draft to closed.

Every status a report can have is here, and every allowed move between them. Services perform
the moves (``services.transition``): lock the row, check the move and the actor's permission,
change, and record a ``ReportEvent`` in the same transaction. Later issues add the moves after
``submitted``; the statuses already exist so nothing needs a rewrite.

    draft ─submit─► submitted ─confirm─► confirmed ─accept─► accepted ─refer─► referred
      ▲                 │                    │                  │               │
      └────return───────┴────────────────────┘                  │            decide
                                                                ▼               ▼
                                            closed ◄─close─ shared ◄─share─ decided
                                              └─reopen─► accepted
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    REFERRED = "referred", _("委員会付議")
    DECIDED = "decided", _("対応方針決定")
    SHARED = "shared", _("庁内共有済み")
    CLOSED = "closed", _("完了")


#: Statuses in which the reporter may still change the report.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


def stamp_submitted(report) -> None:
    """提出: a report that lacks what 提出 needs is refused (the form says it field by field; this
    is the service's own guard), and the moment of submission is stamped."""
    missing = missing_for_submission(report)
    if missing:
        raise ValidationError(gettext("提出に必要な項目が足りません：%s") % "、".join(missing))
    report.submitted_at = timezone.now()


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
    (``policy(user, report) -> bool``); ``effect`` is the move's own work on the locked row before
    it is saved (it may refuse with a ``ValidationError``); ``fields`` are the columns it changes
    besides the status; ``event`` is the audit action recorded.
    """

    name: str
    sources: frozenset[str]
    target: str
    label: str
    policy: str
    needs_reason: bool = False
    effect: Callable | None = None
    fields: tuple[str, ...] = ()
    event: str = "transition"


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit", frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, _("提出"),
            policy="can_edit_report", effect=stamp_submitted, fields=("submitted_at",), event="submitted",
        ),
    ]
}
