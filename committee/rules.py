"""The committee's rules of procedure: quorum, majority, the tie, and conflicts of interest.

Pure functions over plain values, so every combination is tested without a database. Defaults
follow municipal committee rules (委員会条例の例): the meeting is quorate when at least half of the
voting members attend; a matter passes by a majority of the voting members present; the chair does
not vote, and decides when the votes are equal (可否同数のときは委員長の決するところによる). The
three are settings:

- ``KASUHARA_COMMITTEE_QUORUM``: the share of voting members that must attend, e.g. ``"1/2"``, ``"2/3"``.
- ``KASUHARA_COMMITTEE_MAJORITY``: ``"present"`` (more than half of the voting members present who
  may vote on the case; an abstention counts as not in favour) or ``"cast"`` (more 賛成 than 反対).
- ``KASUHARA_COMMITTEE_TIE``: ``"chair"`` (the chair's casting vote decides a tie) or ``"reject"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext as _


def quorum_share() -> Fraction:
    return Fraction(getattr(settings, "KASUHARA_COMMITTEE_QUORUM", "1/2"))


def majority_rule() -> str:
    return getattr(settings, "KASUHARA_COMMITTEE_MAJORITY", "present")


def tie_rule() -> str:
    return getattr(settings, "KASUHARA_COMMITTEE_TIE", "chair")


@dataclass(frozen=True)
class Quorum:
    voting_members: int
    present: int
    needed: int

    @property
    def met(self) -> bool:
        return self.voting_members > 0 and self.present >= self.needed

    def explain(self) -> str:
        return _("議決権のある委員 %(total)s 人のうち %(present)s 人が出席（定足数 %(needed)s 人）") % {
            "total": self.voting_members, "present": self.present, "needed": self.needed,
        }


def quorum(voting_members: int, present: int, share: Fraction | None = None) -> Quorum:
    """At least ``share`` of the voting members (rounded up) must be present."""
    share = quorum_share() if share is None else share
    needed = -(-voting_members * share.numerator // share.denominator)  # ceiling
    return Quorum(voting_members, present, max(needed, 1))


@dataclass(frozen=True)
class Tally:
    """The outcome of a vote on one case."""

    for_: int
    against: int
    abstain: int
    #: Voting members present who may vote on this case (the chair excluded where the chair only
    #: breaks ties; members with a conflict excluded).
    eligible: int
    casting_vote: str | None = None
    passed: bool = False
    tied: bool = False
    reasons: list[str] = field(default_factory=list)

    def as_record(self) -> dict:
        return {
            "for": self.for_, "against": self.against, "abstain": self.abstain, "eligible": self.eligible,
            "casting_vote": self.casting_vote, "passed": self.passed, "tied": self.tied,
            "rule": majority_rule(), "tie_rule": tie_rule(),
        }


def tally(*, for_: int, against: int, abstain: int, eligible: int, casting_vote: str | None = None,
          rule: str | None = None, tie: str | None = None) -> Tally:
    """Whether the motion passes. ``casting_vote`` ('for'/'against') is the chair's, used on a tie only."""
    rule = rule or majority_rule()
    tie = tie or tie_rule()
    reasons: list[str] = []
    not_voted = eligible - (for_ + against + abstain)
    if not_voted < 0:
        raise ValueError("more votes than eligible members")
    # 可否同数: as many 賛成 as 反対 (abstentions aside), whichever majority rule applies.
    tied = for_ == against and for_ > 0
    passed = for_ > against if rule == "cast" else for_ * 2 > eligible
    used_casting = None
    if tied:
        if tie == "chair" and casting_vote in ("for", "against"):
            used_casting = casting_vote
            passed = casting_vote == "for"
            if not passed:
                reasons.append(_("可否同数のため委員長が決し、否決となりました。"))
        elif tie == "chair":
            reasons.append(_("可否同数です。委員長の決するところを記録してください。"))
        else:
            passed = False
            reasons.append(_("可否同数のため、否決となります。"))
    if not passed and not tied:
        reasons.append(_("賛成が過半数に達していません（賛成 %(f)s・反対 %(a)s・棄権 %(s)s、表決できる出席委員 %(e)s 人）。") % {
            "f": for_, "a": against, "s": abstain, "e": eligible,
        })
    return Tally(for_, against, abstain, eligible, used_casting, passed, tied, reasons)


def conflict_reason(member, report) -> str | None:
    """Why ``member`` may not vote on ``report`` (the reporter, or the head of the reporter's 課 or 部),
    or None. ``report.section`` is the reporter's 課 when the report was filed."""
    if member.pk == report.reporter_id:
        return _("報告者本人")
    if report.section_id in member.chief_sections:
        return _("報告者の課の所属長")
    if report.section_id in member.director_sections:
        return _("報告者の部の部長")
    return None
