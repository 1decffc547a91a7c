"""Which moves of a case tell whom (through ``notifications``): 提出 (urgent when the report names
a 態様 the admin marked urgent, default 暴力型 and 威嚇・脅迫型, or records a 警察通報) and 差戻し.
The escalation of reports nobody accepts is ``incidents.escalation``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from notifications.kinds import Audience, Kind
from notifications.outbox import fan_out, section_columns
from notifications.rules import rules_for

from .lifecycle import chief_confirmation_on
from .models import IncidentReport

if TYPE_CHECKING:
    from organization.models import User

    from .models import ReportEvent


def report_rows(report_id: int):
    """The report as ``fan_out``'s rows: its 課, 部 and reporter decide the 所属長, 部長 and 報告者."""
    return IncidentReport.objects.filter(pk=report_id).annotate(
        **section_columns(), n_reporter=F("reporter_id"),
    )


def after_move(*, report: IncidentReport, move: str, event: ReportEvent, actor: User) -> None:
    if move == "submit":
        submitted(report=report, event=event, actor=actor)
    elif move == "return":
        fan_out(Kind.REPORT_RETURNED, report_rows(report.pk), key=str(event.pk), params={"report": report.pk},
                actor=actor)


def submitted(*, report: IncidentReport, event: ReportEvent, actor: User) -> list[int]:
    """The 相談窓口 and the 所属長 (only the 相談窓口 where the 所属長 step is off); an urgent report
    goes to them and to the urgent rule's recipients at once, as one 至急 notice each."""
    normal, urgent = rules_for(Kind.REPORT_SUBMITTED, Kind.REPORT_URGENT)
    audiences = list(normal.audiences) if normal.enabled else []
    if not chief_confirmation_on():
        audiences = [a for a in audiences if a != Audience.SECTION_CHIEF]
    types = list(report.harassment_types.order_by("number").values_list("name", "code"))
    params = {"report": report.pk, "types": "、".join(name for name, _code in types)}
    rows = report_rows(report.pk)
    if urgent.enabled and (report.police_called or any(code in urgent.type_codes for _name, code in types)):
        return fan_out(Kind.REPORT_URGENT, rows, key=str(event.pk), params={**params, "police": report.police_called},
                       actor=actor, extra_audiences=audiences, rule=urgent)
    return fan_out(Kind.REPORT_SUBMITTED, rows, key=str(event.pk), params=params, actor=actor, audiences=audiences,
                   rule=normal)
