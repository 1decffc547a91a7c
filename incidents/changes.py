"""The changes to a case that are not moves of the lifecycle — which form asks for each, who may
make it (``policies``) and which service writes it (``services``). The case page shows a form for
each change the user may make; ``views.report_change`` posts it here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import policies, retention, services
from .forms import ActionForm, AssignForm, EscalateForm, HoldForm, NoteForm, RateForm, ReleaseForm
from .lifecycle import Status
from .models import Difficulty, EventAction


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    form: type
    policy: Callable
    apply: Callable


def _assign(*, report, actor, data, ip_address):
    services.update_case(report=report, actor=actor, action=EventAction.ASSIGNED, version=data["version"],
                         changes={"handler": data["handler"]}, ip_address=ip_address)


def _rate(*, report, actor, data, ip_address):
    services.update_case(report=report, actor=actor, action=EventAction.RATED, version=data["version"],
                         changes={k: data[k] for k in ("continuity", "malice", "urgent")}, ip_address=ip_address)


def _escalate(*, report, actor, data, ip_address):
    services.update_case(report=report, actor=actor, action=EventAction.ESCALATED, version=data["version"],
                         changes={"difficulty": Difficulty.VERY_HARD, "cross_review": True}, ip_address=ip_address)


def _note(*, report, actor, data, ip_address):
    services.add_note(report=report, actor=actor, body=data["body"], ip_address=ip_address)


def _action(*, report, actor, data, ip_address):
    services.record_action(report=report, actor=actor, ip_address=ip_address, **data)


def _hold(*, report, actor, data, ip_address):
    retention.set_hold(report=report, actor=actor, hold=True, reason=data["reason"], ip_address=ip_address)


def _release(*, report, actor, data, ip_address):
    retention.set_hold(report=report, actor=actor, hold=False, reason=data["reason"], ip_address=ip_address)


def _may_hold(user, report) -> bool:
    # Offered on closed cases (the only ones the removal touches): the 相談窓口 sets it on closing.
    return (report.status == Status.CLOSED and not report.legal_hold and report.retention_applied_at is None
            and policies.can_hold(user, report))


def _may_release(user, report) -> bool:
    return report.legal_hold and policies.can_hold(user, report)


CASE_CHANGES: dict[str, Change] = {
    c.name: c
    for c in [
        # Who may make a change to the case's own columns is decided once, in services.CASE_CHANGES.
        Change("assign", _("担当者の指定"), AssignForm, services.CASE_CHANGES[EventAction.ASSIGNED][0], _assign),
        Change("rate", _("継続性・悪質性・至急"), RateForm, services.CASE_CHANGES[EventAction.RATED][0], _rate),
        Change("escalate", _("特に困難に引き上げる"), EscalateForm, services.CASE_CHANGES[EventAction.ESCALATED][0],
               _escalate),
        Change("note", _("内部メモ"), NoteForm, policies.can_see_internal, _note),
        Change("action", _("対応の記録"), ActionForm, policies.can_triage, _action),
        # 保存期間 (incidents/retention.py): 訴訟・警察対応中 stops the removal for this case.
        Change("hold", _("訴訟・警察対応中（削除の保留）"), HoldForm, _may_hold, _hold),
        Change("release", _("削除の保留の解除"), ReleaseForm, _may_release, _release),
    ]
}


def change_forms(user, report) -> dict:
    """An empty form for each change the user may make to the case, at its current version."""
    return {
        c.name: c.form(initial=_initial(c, report), auto_id=f"change-{c.name}-%s")
        for c in CASE_CHANGES.values()
        if c.policy(user, report)
    }


def _initial(change: Change, report) -> dict:
    initial = {"version": report.version}
    if change.name == "rate":
        initial.update(continuity=report.continuity, malice=report.malice, urgent=report.urgent)
    if change.name == "assign":
        initial["handler"] = report.handler_id
    return initial
