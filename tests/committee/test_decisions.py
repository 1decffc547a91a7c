"""Finalising a decision through the service: quorum, majority and tie for every combination of the
settings, conflicts, supersession, the lifecycle move in the same transaction, the counterpart's
出入禁止, and a locked meeting refusing every change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from committee import selectors, services
from committee.models import AgendaState, CommitteeEvent, Decision, Judged
from counterparts.models import Counterpart, CounterpartLink
from counterparts.models import Measure as CounterpartMeasure
from incidents.lifecycle import Status
from incidents.models import IncidentReport, ReportEvent


@pytest.fixture
def referred(users, make_report):
    return make_report(users["staff2"], status=Status.REFERRED, title="委員会の議題の件")


def draft(item, actor, measure, *, consensus=False, **extra):
    return services.save_draft(actor=actor, item=item, judged=Judged.YES, policy="文書で警告する。",
                               by_consensus=consensus, measures=[measure("warning_letter", owner=actor)], **extra)


# Four voting members (委員長 and three 委員). Scenario "half": only chair and one 委員 attend.
# Scenario "votes": all attend; 委員 vote 賛成・賛成・反対; the chair (where the chair votes) 棄権.
# Scenario "tie": all attend; 委員 vote 賛成・反対・棄権; the chair (where the chair votes) 棄権; casting 可.
COMBINATIONS = [(q, m, t) for q in ("1/2", "2/3") for m in ("present", "cast") for t in ("chair", "reject")]
EXPECTED = {
    # (quorum, majority, tie): (half is quorate, votes pass, tie passes)
    ("1/2", "present", "chair"): (True, True, True),
    ("1/2", "present", "reject"): (True, False, False),
    ("1/2", "cast", "chair"): (True, True, True),
    ("1/2", "cast", "reject"): (True, True, False),
    ("2/3", "present", "chair"): (False, True, True),
    ("2/3", "present", "reject"): (False, False, False),
    ("2/3", "cast", "chair"): (False, True, True),
    ("2/3", "cast", "reject"): (False, True, False),
}


@pytest.mark.parametrize(("quorum", "majority", "tie"), COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
@pytest.mark.parametrize("scenario", ["half", "votes", "tie"])
def test_finalising_follows_the_configured_rules(settings, users, referred, make_meeting, measure, voter,
                                                 quorum, majority, tie, scenario):
    settings.KASUHARA_COMMITTEE_QUORUM, settings.KASUHARA_COMMITTEE_MAJORITY = quorum, majority
    settings.KASUHARA_COMMITTEE_TIE = tie
    m2, m3 = voter("iin2"), voter("iin3")
    everyone = {"chair": True, "member": True, "iin2": True, "iin3": True}
    meeting = make_meeting(members={"chair": "chair", "member": "member", m2: "member", m3: "member"},
                           attended={"chair": True, "member": True} if scenario == "half" else everyone,
                           cases=[referred])
    item = meeting.items.get()
    chair, member = users["chair"], users["member"]
    chair_votes = {chair.pk: "abstain"} if tie == "reject" else {}
    casting = None
    if scenario == "half":
        votes = {member.pk: "for", **({chair.pk: "for"} if tie == "reject" else {})}
    elif scenario == "votes":
        votes = {member.pk: "for", m2.pk: "for", m3.pk: "against", **chair_votes}
    else:
        votes = {member.pk: "for", m2.pk: "against", m3.pk: "abstain", **chair_votes}
        casting = "for"
    services.record_votes(actor=users["desk"], item=item, votes=votes)
    decision = draft(item, chair, measure)

    quorate, votes_pass, tie_passes = EXPECTED[(quorum, majority, tie)]
    # "half": chair and one 委員 of four — under 2/3 not quorate; under 1/2 the counted votes carry.
    should_pass = {"half": quorate, "votes": votes_pass, "tie": tie_passes}[scenario]
    if should_pass:
        services.finalise_decision(actor=chair, decision=decision, casting_vote=casting)
        referred.refresh_from_db()
        assert referred.status == Status.DECIDED
        decision.refresh_from_db()
        assert decision.tally["quorum"]["met"] is True
        assert decision.tally["passed"] is True
    else:
        with pytest.raises(ValidationError) as refused:
            services.finalise_decision(actor=chair, decision=decision, casting_vote=casting)
        message = " ".join(refused.value.messages)
        if scenario == "half":
            assert "定足数に達していない" in message
            assert "議決権のある委員 4 人のうち 2 人が出席（定足数 3 人）" in message
        else:
            assert "否決" in message or "過半数" in message
        referred.refresh_from_db()
        decision.refresh_from_db()
        assert (referred.status, decision.final) == (Status.REFERRED, False)


def test_a_non_quorate_meetings_finalise_is_refused_on_the_page_with_the_reason(client_as, users, referred,
                                                                                make_meeting, measure):
    meeting = make_meeting(attended={"chair": False, "member": False}, cases=[referred])
    decision = draft(meeting.items.get(), users["chair"], measure, consensus=True)

    response = client_as("chair").post(f"/committee/decisions/{decision.pk}/finalise/", follow=True)

    page = response.content.decode()
    assert "定足数に達していないため、決定を確定できません。" in page
    assert "議決権のある委員 2 人のうち 0 人が出席（定足数 1 人）" in page
    referred.refresh_from_db()
    assert referred.status == Status.REFERRED


@pytest.fixture
def conflicted(users):
    """chief (市民課長) and director (市民環境部長) sit on the committee; staff (市民課) files a case."""
    for name in ("chief", "director"):
        users[name].is_committee_member = True
        users[name].save(update_fields=["is_committee_member"])
    return users


@pytest.mark.parametrize(("who", "reason"), [("chief", "報告者の課の所属長"), ("director", "報告者の部の部長"),
                                             ("staff", "報告者本人")])
def test_a_conflicted_members_vote_is_refused_and_the_conflict_recorded(conflicted, make_report, make_meeting,
                                                                        measure, who, reason):
    users = conflicted
    if who == "staff":
        users["staff"].is_committee_member = True
        users["staff"].save(update_fields=["is_committee_member"])
    report = make_report(users["staff"], status=Status.REFERRED)
    meeting = make_meeting(members={"chair": "chair", "member": "member", who: "member"},
                           attended={"chair": True, "member": True, who: True}, cases=[report])
    item = meeting.items.get()

    with pytest.raises(ValidationError) as refused:
        services.record_votes(actor=users["desk"], item=item, votes={users[who].pk: "for", users["member"].pk: "for"})
    assert f"{users[who]}（利害関係（{reason}）のため表決に加わらない）" in refused.value.messages[0]
    assert not item.votes.exists(), "nothing is saved when one vote is refused"

    services.record_votes(actor=users["desk"], item=item, votes={users["member"].pk: "for"})
    decision = services.finalise_decision(actor=users["chair"], decision=draft(item, users["chair"], measure))
    assert decision.tally["conflicts"] == [{"user": users[who].pk, "name": str(users[who]), "reason": reason}]
    # Shown on the agenda next to the member.
    page = selectors.meeting_detail(meeting)
    assert [v.conflict for v in page.items[0].voters if v.invitation.user_id == users[who].pk] == [reason]


def test_a_correction_supersedes_and_both_decisions_are_kept(users, referred, make_meeting, measure, client_as):
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[referred])
    item = meeting.items.get()
    first = services.finalise_decision(actor=users["chair"], decision=draft(item, users["chair"], measure,
                                                                             consensus=True))
    before = Decision.objects.filter(pk=first.pk).values().get()

    second = services.correct_decision(
        actor=users["chair"], decision=first, reason="期限の誤り", judged=Judged.YES, policy="文書で警告し、窓口を一本化する。",
        by_consensus=True, measures=[measure("single_handler", owner=users["desk"])],
    )

    assert Decision.objects.filter(pk=first.pk).values().get() == before, "the old decision is never changed"
    assert second.supersedes_id == first.pk and second.final
    assert selectors.final_decision(referred) == second
    referred.refresh_from_db()
    assert referred.status == Status.DECIDED
    with pytest.raises(ValidationError):
        services.correct_decision(actor=users["chair"], decision=first, reason="再訂正", judged=Judged.YES,
                                  policy="x", by_consensus=True, measures=[measure()])
    # Both are in the case's history and on the meeting page.
    history = [e.reason for e in ReportEvent.objects.filter(report=referred, action="decided").order_by("id")]
    assert len(history) == 2 and "期限の誤り" in history[1]
    page = client_as("member").get(f"/committee/meetings/{meeting.pk}/").content.decode()
    assert "訂正前の決定（訂正されました）" in page and "訂正後の決定" in page
    assert "文書で警告する。" in page and "文書で警告し、窓口を一本化する。" in page


def test_the_decided_move_is_in_the_same_transaction_as_the_decision(users, referred, make_meeting, measure):
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[referred])
    item = meeting.items.get()
    decision = draft(item, users["chair"], measure, consensus=True)

    services.finalise_decision(actor=users["chair"], decision=decision)
    event = ReportEvent.objects.get(report=referred, action="decided")
    assert (event.from_status, event.to_status, event.detail.get("decision")) == ("referred", "decided", decision.pk)
    assert CommitteeEvent.objects.filter(report=referred, action="decision_finalised").exists()

    # When the move fails (the case is no longer referred), nothing of the finalisation stays.
    other = IncidentReport.objects.create(reporter=users["staff2"], section=users["staff2"].section,
                                          status=Status.REFERRED, title="もう一件")
    item2 = services.add_item(actor=users["chair"], meeting=meeting, report=other)
    decision2 = draft(item2, users["chair"], measure, consensus=True)
    IncidentReport.objects.filter(pk=other.pk).update(status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.finalise_decision(actor=users["chair"], decision=decision2)
    decision2.refresh_from_db()
    item2.refresh_from_db()
    assert (decision2.final, item2.state) == (False, AgendaState.PENDING)
    assert not CommitteeEvent.objects.filter(report=other, action="decision_finalised").exists()


def test_a_ban_becomes_a_standing_measure_on_the_linked_counterpart(users, referred, make_meeting, measure):
    counterpart = Counterpart.objects.create(name="山田 太郎", created_by=users["desk"])
    CounterpartLink.objects.create(counterpart=counterpart, report=referred, linked_by=users["desk"])
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[referred])
    start = timezone.localdate() + timedelta(days=3)
    decision = services.save_draft(
        actor=users["chair"], item=meeting.items.get(), judged=Judged.YES, policy="出入禁止とする。", by_consensus=True,
        measures=[measure("ban", owner_section=users["desk"].section, starts_on=start,
                          ends_on=start + timedelta(days=180), detail="本庁舎への立入り禁止")],
    )

    services.finalise_decision(actor=users["chair"], decision=decision)

    ban = CounterpartMeasure.objects.get(counterpart=counterpart)
    assert (ban.kind, ban.decided_by, ban.starts_on, ban.ends_on) == ("ban", "カスハラ対策委員会", start,
                                                                     start + timedelta(days=180))
    assert ban.decided_on == timezone.localdate()


def test_a_ban_needs_its_start_date(users, referred, make_meeting, measure):
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[referred])
    with pytest.raises(ValidationError, match="開始日"):
        services.save_draft(actor=users["chair"], item=meeting.items.get(), judged=Judged.YES, policy="出入禁止",
                            by_consensus=True, measures=[measure("ban", owner=users["desk"])])


def test_a_deferred_case_stays_on_the_old_meeting_and_is_pending_on_the_later_one(users, referred, make_meeting):
    first = make_meeting(cases=[referred])
    later = make_meeting(title="第6回", days=14)
    item = first.items.get()

    new = services.defer_item(actor=users["desk"], item=item, to_meeting=later, notes="資料が揃うまで継続")

    item.refresh_from_db()
    assert (item.state, item.notes) == (AgendaState.DEFERRED, "資料が揃うまで継続")
    assert (new.meeting, new.state, new.report) == (later, AgendaState.PENDING, referred)


def _locked_calls(users, meeting, item, decision, final, later, measure):
    desk, chair = users["desk"], users["chair"]
    return {
        "edit": lambda: services.update_meeting(actor=desk, meeting=meeting, data={"place": "別室"}),
        "invite": lambda: services.invite(actor=desk, meeting=meeting, user=users["staff"], role="observer"),
        "uninvite": lambda: services.uninvite(actor=desk, invitation=meeting.invitations.get(user=users["member"])),
        "attendance": lambda: services.record_attendance(actor=desk, meeting=meeting,
                                                         attended={i.pk: False for i in meeting.invitations.all()}),
        "add_item": lambda: services.add_item(actor=desk, meeting=meeting, report=later),
        "move": lambda: services.move_item(actor=desk, item=item, up=False),
        "notes": lambda: services.save_notes(actor=desk, item=item, notes="後から書いた"),
        "votes": lambda: services.record_votes(actor=desk, item=item, votes={users["member"].pk: "for"}),
        "draft": lambda: services.save_draft(actor=chair, item=item, judged=Judged.NO, policy="x", by_consensus=True,
                                             measures=[measure()]),
        "finalise": lambda: services.finalise_decision(actor=chair, decision=decision),
        "correct": lambda: services.correct_decision(actor=chair, decision=final, reason="r", judged=Judged.NO,
                                                     policy="x", by_consensus=True, measures=[measure()]),
        "defer": lambda: services.defer_item(actor=desk, item=item, to_meeting=meeting),
    }


CHANGES = ["edit", "invite", "uninvite", "attendance", "add_item", "move", "notes", "votes", "draft", "finalise",
           "correct", "defer"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_meeting_whose_minutes_are_approved_refuses_every_change(users, make_report, make_meeting, measure, change):
    decided_case = make_report(users["staff2"], status=Status.REFERRED, title="決定済み")
    pending_case = make_report(users["staff2"], status=Status.REFERRED, title="審議中")
    later = make_report(users["staff2"], status=Status.REFERRED, title="後から")
    meeting = make_meeting(attended={"chair": True, "member": True}, cases=[decided_case, pending_case])
    done_item, item = meeting.items.order_by("position")
    final = services.finalise_decision(actor=users["chair"], decision=draft(done_item, users["chair"], measure,
                                                                             consensus=True))
    decision = draft(item, users["chair"], measure, consensus=True)
    meeting.minutes_approved_at = timezone.now()
    meeting.save(update_fields=["minutes_approved_at"])
    events = CommitteeEvent.objects.count()

    with pytest.raises(ValidationError, match="議事録が承認されたため"):
        _locked_calls(users, meeting, item, decision, final, later, measure)[change]()

    assert CommitteeEvent.objects.count() == events
