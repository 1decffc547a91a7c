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

from dataclasses import dataclass

from django.db import models
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


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, _("提出")),
    ]
}
