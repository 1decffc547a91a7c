"""The rules of procedure as pure functions: quorum, majority, the tie — every combination of the
three settings (KASUHARA_COMMITTEE_QUORUM / _MAJORITY / _TIE), table-driven."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest

from committee import rules

# (voting members, present, share) -> (needed, met)
QUORUM = [
    (4, 2, "1/2", 2, True),
    (4, 1, "1/2", 2, False),
    (5, 3, "1/2", 3, True),
    (5, 2, "1/2", 3, False),
    (4, 2, "2/3", 3, False),
    (4, 3, "2/3", 3, True),
    (6, 4, "2/3", 4, True),
    (0, 0, "1/2", 1, False),
]


@pytest.mark.parametrize(("voting", "present", "share", "needed", "met"), QUORUM)
def test_a_meeting_is_quorate_when_the_share_of_voting_members_attends(voting, present, share, needed, met):
    quorum = rules.quorum(voting, present, Fraction(share))

    assert (quorum.needed, quorum.met) == (needed, met)
    assert f"{voting} 人のうち {present} 人が出席（定足数 {needed} 人）" in quorum.explain()


# (for, against, abstain, eligible, casting vote) -> passed for each (majority rule, tie rule)
#                                                        present/chair present/reject cast/chair cast/reject
TALLY = [
    ((3, 1, 0, 4, None),                                    (True,         True,          True,      True)),
    ((2, 1, 1, 4, None),                                    (False,        False,         True,      True)),
    ((2, 1, 0, 4, None),                                    (False,        False,         True,      True)),
    ((2, 2, 0, 4, "for"),                                   (True,         False,         True,      False)),
    ((2, 2, 0, 4, "against"),                               (False,        False,         False,     False)),
    ((2, 2, 0, 4, None),                                    (False,        False,         False,     False)),
    ((1, 1, 2, 4, "for"),                                   (True,         False,         True,      False)),
    ((0, 0, 3, 3, None),                                    (False,        False,         False,     False)),
    ((3, 0, 0, 3, None),                                    (True,         True,          True,      True)),
]
COMBINATIONS = [("present", "chair"), ("present", "reject"), ("cast", "chair"), ("cast", "reject")]
TALLY_CASES = [(votes, rule, tie, expected[i]) for votes, expected in TALLY for i, (rule, tie) in enumerate(COMBINATIONS)]


@pytest.mark.parametrize(("votes", "rule", "tie", "passed"), TALLY_CASES,
                         ids=[f"{v}-{r}-{t}" for v, r, t, _ in TALLY_CASES])
def test_the_majority_and_tie_rules_decide_each_combination(votes, rule, tie, passed):
    for_, against, abstain, eligible, casting = votes

    tally = rules.tally(for_=for_, against=against, abstain=abstain, eligible=eligible, casting_vote=casting,
                        rule=rule, tie=tie)

    assert tally.passed is passed
    assert tally.tied is (for_ == against and for_ > 0)
    if not passed:
        assert tally.reasons, "a refused motion says why"
    if tally.tied and tie == "chair" and casting is None:
        assert "委員長の決する" in tally.reasons[0]


def test_more_votes_than_eligible_members_is_an_error():
    with pytest.raises(ValueError):
        rules.tally(for_=3, against=1, abstain=0, eligible=3)


def _person(pk, section=None, chief=False, director=False, sections=()):
    """A person as the rules read them: the 課 they read as 所属長 (their own) and as 部長 (every 課
    of their 部 among ``sections``), as ``User.chief_sections`` / ``director_sections`` give them."""
    chief_sections = frozenset({section.pk} if chief and section else ())
    director_sections = frozenset(
        s.pk for s in sections if director and section and s.department_id == section.department_id
    )
    return SimpleNamespace(pk=pk, section=section, section_id=section.pk if section else None,
                           is_section_chief=chief, is_director=director,
                           chief_sections=chief_sections, director_sections=director_sections)


def test_conflicts_are_the_reporter_and_the_heads_of_the_reporters_section_and_department():
    dept, other_dept = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    section = SimpleNamespace(pk=10, department_id=dept.pk)
    sibling = SimpleNamespace(pk=11, department_id=dept.pk)
    elsewhere = SimpleNamespace(pk=20, department_id=other_dept.pk)
    report = SimpleNamespace(reporter_id=1, section=section, section_id=section.pk)

    assert rules.conflict_reason(_person(1, section), report) == "報告者本人"
    assert rules.conflict_reason(_person(2, section, chief=True), report) == "報告者の課の所属長"
    everywhere = (section, sibling, elsewhere)
    assert rules.conflict_reason(_person(3, sibling, director=True, sections=everywhere), report) == "報告者の部の部長"
    assert rules.conflict_reason(_person(4, sibling, chief=True), report) is None
    assert rules.conflict_reason(_person(5, elsewhere, director=True, sections=everywhere), report) is None
    assert rules.conflict_reason(_person(6, section), report) is None
