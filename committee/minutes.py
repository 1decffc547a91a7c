"""議事録: the minutes of a meeting, generated from what was recorded, approved by the chair.

``generate`` writes the minutes as text (Markdown, shown through ``manual.rendering.render_markdown``,
so it prints and reads the same before and after approval): the meeting (kind, date in 和暦 and
Western, time, place), attendance per member with role, the quorum, each agenda case with its
notes, votes (per member, counts, consensus, the chair's casting vote, members who did not vote
because of a conflict) and decision (judged, policy, measures with owners and due dates), and the
deferred cases.

``approve_minutes`` freezes that text into ``Meeting.minutes_text``; from then on the meeting is
locked (``Meeting.locked``) and the minutes page shows the frozen text, never a regeneration.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kasuhara.wareki import wareki, wareki_with_western
from manual.rendering import render_markdown
from organization.models import User

from . import policies, rules
from .models import (
    AgendaItem,
    AgendaState,
    CommitteeAction,
    CommitteeEvent,
    Decision,
    Invitation,
    Measure,
    Meeting,
    MemberRole,
    Vote,
    VoteChoice,
)


class MinutesError(Exception):
    """A refused approval; ``str()`` is the Japanese message. ``conflict``: the minutes changed or
    were approved meanwhile (409)."""

    def __init__(self, message: str, *, conflict: bool = False):
        super().__init__(message)
        self.conflict = conflict


# -- text helpers -----------------------------------------------------------------------------------

_INLINE = re.compile(r"([\\`*_\[\]#])")
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+\.)(\s)")


def _inline(text: object) -> str:
    """One line of recorded text, safe inside Markdown (a table cell too)."""
    text = " ".join(str(text or "").split())
    return _INLINE.sub(r"\\\1", text).replace("|", "｜")


def _block(text: str) -> str:
    """Recorded free text as a paragraph that keeps its line breaks and never becomes a list or heading."""
    lines = []
    for line in (text or "").strip().splitlines():
        line = _INLINE.sub(r"\\\1", line.rstrip())
        lines.append(_LINE_START.sub(r"\1\\\2\3", line))
    return "  \n".join(lines) if lines else "—"


def _table(headers: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_inline(cell) or "—" for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _when(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    return f"{wareki_with_western(local)} {local:%H:%M}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- what the minutes say ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Attendance:
    invitations: list[Invitation]
    quorum: rules.Quorum

    @property
    def present(self) -> list[Invitation]:
        return [i for i in self.invitations if i.attended]


def attendance(meeting: Meeting) -> Attendance:
    invitations = list(meeting.invitations.select_related("user__section__department").order_by("role", "id"))
    order = {role: n for n, role in enumerate(MemberRole.values)}
    invitations.sort(key=lambda i: (order.get(i.role, 99), i.pk))
    voting = [i for i in invitations if i.votes]
    return Attendance(invitations, rules.quorum(len(voting), sum(1 for i in voting if i.attended)))


def _attended(invitation: Invitation) -> str:
    if invitation.attended is None:
        return _("（未記録）")
    return _("出席") if invitation.attended else _("欠席")


def _owner(measure: Measure) -> str:
    names = [str(x) for x in (measure.owner_section.name if measure.owner_section else None, measure.owner) if x]
    return "・".join(names)


def _period(measure: Measure) -> str:
    if not measure.starts_on:
        return ""
    end = wareki(measure.ends_on) if measure.ends_on else _("当分の間")
    return f"{wareki(measure.starts_on)}〜{end}"


def _result(decision: Decision, votes: list[Vote]) -> list[str]:
    """The outcome of the vote as recorded at finalisation (``Decision.tally``), else counted from the votes."""
    tally = decision.tally or {}
    lines = []
    if decision.by_consensus:
        lines.append(_("全会一致（異議なし）により決定。"))
    counts = {
        "for": tally.get("for", sum(1 for v in votes if v.choice == VoteChoice.FOR)),
        "against": tally.get("against", sum(1 for v in votes if v.choice == VoteChoice.AGAINST)),
        "abstain": tally.get("abstain", sum(1 for v in votes if v.choice == VoteChoice.ABSTAIN)),
    }
    if votes or tally.get("for") is not None:
        line = _("賛成 %(for)s・反対 %(against)s・棄権 %(abstain)s") % counts
        if tally.get("eligible") is not None:
            line += _("（表決できる出席委員 %(n)s 人）") % {"n": tally["eligible"]}
        if tally.get("passed") is not None:
            line += _("。可決。") if tally["passed"] else _("。否決。")
        lines.append(line)
    casting = tally.get("casting_vote")
    if casting:
        lines.append(_("可否同数のため、委員長が%(choice)sと決した。") % {
            "choice": _("可") if casting == VoteChoice.FOR else _("否")})
    return lines


def _item_section(number: int, item: AgendaItem, present: list[Invitation]) -> list[str]:
    report = item.report
    out = [f"### {_('議題%(n)s') % {'n': number}}　No.{report.pk} {_inline(report.title or _('（件名なし）'))}", ""]
    out.append(f"- {_('状態')}：{item.get_state_display()}")
    decisions = [d for d in item.decisions.all() if d.final]
    # Conflicts as recorded when the decision was finalised, else as they stand for those present.
    recorded = next((d.tally["conflicts"] for d in reversed(decisions) if "conflicts" in (d.tally or {})), None)
    if recorded is not None:
        recused = [(c.get("name", ""), c.get("reason", "")) for c in recorded]
    else:
        recused = [(str(i.user), rules.conflict_reason(i.user, report)) for i in present if i.votes]
        recused = [(name, reason) for name, reason in recused if reason]
    if recused:
        names = "、".join(f"{_inline(name)}（{_inline(reason)}）" for name, reason in recused)
        out.append(f"- {_('利害関係により表決に加わらなかった委員')}：{names}")
    out += ["", f"#### {_('審議の記録')}", "", _block(item.notes), ""]
    votes = list(item.votes.all())
    if votes:
        out += [f"#### {_('表決')}", "",
                _table([_("委員"), _("票")], [[v.member, v.get_choice_display()] for v in votes]), ""]
    if item.state == AgendaState.DEFERRED and not decisions:
        out += [_("継続審議とし、次回以降の会議で審議する。"), ""]
    for decision in decisions:
        heading = _("決定（%(date)s 確定）") % {"date": wareki(decision.finalised_at)}
        if decision.supersedes_id:
            heading += _("：決定 No.%(pk)s の訂正") % {"pk": decision.supersedes_id}
        out += [f"#### {heading}", ""]
        out += [f"- {line}" for line in _result(decision, votes)]
        out.append(f"- {_('判断')}：{decision.get_judged_display()}")
        out.append(f"- {_('対応方針')}：  \n{_block(decision.policy)}")
        if decision.correction_reason:
            out.append(f"- {_('訂正の理由')}：{_inline(decision.correction_reason)}")
        if hasattr(decision, "superseded_by"):
            out.append(f"- {_('この決定は後に訂正された（決定 No.%(pk)s）。') % {'pk': decision.superseded_by.pk}}")
        measures = list(decision.measures.all())
        out.append("")
        if measures:
            out += [_table([_("措置"), _("内容"), _("担当"), _("期限"), _("期間")],
                           [[m.type.name, m.detail, _owner(m), wareki(m.due_on), _period(m)] for m in measures]), ""]
    if not decisions and item.state != AgendaState.DEFERRED:
        out += [_("（確定した決定はありません）"), ""]
    return out


def _items(meeting: Meeting) -> list[AgendaItem]:
    decisions = Decision.objects.filter(finalised_at__isnull=False).select_related("superseded_by").prefetch_related(
        Prefetch("measures", queryset=Measure.objects.select_related("type", "owner", "owner_section")
                 .order_by("type__position", "id")))
    return list(
        meeting.items.select_related("report").prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member").order_by("id")),
            Prefetch("decisions", queryset=decisions.order_by("finalised_at", "id")),
        ).order_by("position", "id")
    )


def generate(meeting: Meeting) -> str:
    """The minutes as they stand now (Markdown text)."""
    present = attendance(meeting)
    items = _items(meeting)
    out = [f"## {_('会議の概要')}", ""]
    out.append(f"- {_('会議')}：{_inline(meeting)}")
    out.append(f"- {_('種別')}：{meeting.get_kind_display()}")
    out.append(f"- {_('日時')}：{_when(meeting)}")
    out.append(f"- {_('場所')}：{_inline(meeting.place) or '—'}")
    out += ["", f"## {_('出席者')}", ""]
    out.append(_table([_("氏名"), _("役割"), _("出欠")],
                      [[i.user, i.get_role_display(), _attended(i)] for i in present.invitations]))
    quorum = present.quorum
    out += ["", f"{_('定足数')}：{quorum.explain()}。"
            + (_("定足数を満たしている。") if quorum.met else _("定足数を満たしていない。")), ""]
    out += [f"## {_('議題')}", ""]
    if not items:
        out += [_("（議題はありません）"), ""]
    for number, item in enumerate(items, start=1):
        out += _item_section(number, item, present.present)
    deferred = [item for item in items if item.state == AgendaState.DEFERRED]
    out += [f"## {_('継続審議となった議題')}", ""]
    out += [f"- No.{item.report.pk} {_inline(item.report.title)}" for item in deferred] or [_("（なし）")]
    if meeting.minutes_note.strip():
        out += ["", f"## {_('議事の補足')}", "", _block(meeting.minutes_note)]
    return "\n".join(out).strip() + "\n"


def problems(meeting: Meeting) -> list[str]:
    """What the chair should know before approving (approval is still possible)."""
    found = []
    if meeting.invitations.filter(attended__isnull=True).exists():
        found.append(_("出欠が記録されていない出席者がいます。"))
    pending = meeting.items.filter(state=AgendaState.PENDING).count()
    if pending:
        found.append(_("審議予定のままの議題が %(n)s 件あります（承認後はこの会議で決定できません）。") % {"n": pending})
    drafts = Decision.objects.filter(item__meeting=meeting, finalised_at__isnull=True).count()
    if drafts:
        found.append(_("確定していない決定案が %(n)s 件あります（議事録には載りません）。") % {"n": drafts})
    return found


def text_of(meeting: Meeting) -> str:
    """What the minutes page shows: the approved text once approved, else the minutes as generated now."""
    return meeting.minutes_text if meeting.locked else generate(meeting)


def as_html(text: str) -> SafeString:
    return render_markdown(text, {})


@transaction.atomic
def approve_minutes(*, meeting: Meeting, actor: User, seen: str | None = None,
                    ip_address: str | None = None) -> Meeting:
    """Freeze the minutes as generated now and lock the meeting. ``seen``: the ``digest`` of the text
    the chair read; if the minutes changed since, nothing is approved."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.locked:
        raise MinutesError(_("この議事録はすでに承認されています。"), conflict=True)
    if not policies.can_approve_minutes(actor, current):
        raise MinutesError(_("議事録を承認できるのは、この会議の委員長です。"))
    text = generate(current)
    if seen is not None and seen != digest(text):
        raise MinutesError(_("議事録の内容が、表示した後に変わりました。最新の内容を確認してから承認してください。"),
                           conflict=True)
    current.minutes_text = text
    current.minutes_approved_at = timezone.now()
    current.minutes_approved_by = actor
    current.save(update_fields=["minutes_text", "minutes_approved_at", "minutes_approved_by"])
    CommitteeEvent.objects.create(action=CommitteeAction.MINUTES_APPROVED, actor=actor, ip_address=ip_address,
                                  meeting=current, detail={"digest": digest(text), "chars": len(text)})
    return current
