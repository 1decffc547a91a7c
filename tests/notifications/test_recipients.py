"""Who hears of what: each event of the issue's list reaches the people the admin's rule names
(defaults from the issue), never the person who caused it, once per event."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from committee import services as committee_services
from committee.models import Judged, MeasureType, VoteChoice
from consultations import services as consultation_services
from counterparts import services as counterpart_services
from incidents import services
from incidents.lifecycle import Status
from notifications.kinds import Audience, Kind
from notifications.models import Notice, NoticeRule

pytestmark = pytest.mark.django_db


def submit(report, actor):
    return services.transition(report=report, name="submit", actor=actor)


def test_a_submitted_report_reaches_the_desk_and_the_reporters_section_chief(users, make_report, notices):
    report = make_report(users["staff"], status=Status.DRAFT)

    submit(report, users["staff"])

    assert notices() == [
        ("chief", Kind.REPORT_SUBMITTED, False),
        ("desk", Kind.REPORT_SUBMITTED, False),
        ("desk2", Kind.REPORT_SUBMITTED, False),
    ]
    # Not the 所属長 of another 課, not the reporter, not the 総務課長 for an ordinary report.
    assert Notice.objects.get(recipient=users["chief"]).params == {"report": report.pk, "types": "暴言型"}


def test_without_the_chief_step_only_the_desk_hears_of_a_report(users, make_report, notices, settings):
    settings.KASUHARA_CHIEF_CONFIRMATION = False
    submit(make_report(users["staff"], status=Status.DRAFT), users["staff"])

    assert [n[0] for n in notices()] == ["desk", "desk2"]


@pytest.mark.parametrize(
    ("type_codes", "police"),
    [(("violence",), False), (("intimidation", "verbal_abuse"), False), (("verbal_abuse",), True)],
    ids=["暴力型", "威嚇・脅迫型", "警察通報"],
)
def test_violence_threats_or_the_police_go_out_at_once_marked_urgent(users, make_report, notices, type_codes, police):
    report = make_report(users["staff"], status=Status.DRAFT, type_codes=type_codes, police_called=police)

    submit(report, users["staff"])

    # One notice each (no second, ordinary one), urgent, also to the 総務課長 and the committee chair.
    assert notices() == [
        ("chair", Kind.REPORT_URGENT, True),
        ("chief", Kind.REPORT_URGENT, True),
        ("desk", Kind.REPORT_URGENT, True),
        ("desk2", Kind.REPORT_URGENT, True),
        ("gachief", Kind.REPORT_URGENT, True),
    ]


def test_the_admin_decides_which_types_are_urgent_and_who_hears_of_a_report(users, make_report, notices):
    NoticeRule.objects.filter(kind=Kind.REPORT_URGENT).update(type_codes=["verbal_abuse"])
    NoticeRule.objects.filter(kind=Kind.REPORT_SUBMITTED).update(audiences=[Audience.DESK, Audience.DIRECTOR])

    submit(make_report(users["staff"], status=Status.DRAFT, type_codes=("violence",)), users["staff"])
    submit(make_report(users["staff"], status=Status.DRAFT, type_codes=("verbal_abuse",)), users["staff"])

    assert {(n[0], n[1]) for n in notices()} >= {("director", Kind.REPORT_SUBMITTED), ("gachief", Kind.REPORT_URGENT)}
    assert not Notice.objects.filter(kind=Kind.REPORT_SUBMITTED, recipient=users["chief"]).exists()
    assert Notice.objects.filter(kind=Kind.REPORT_URGENT).values("key").distinct().count() == 1


def test_a_rule_switched_off_sends_nothing(users, make_report, notices):
    NoticeRule.objects.filter(kind=Kind.REPORT_SUBMITTED).update(enabled=False)
    submit(make_report(users["staff"], status=Status.DRAFT), users["staff"])
    assert notices() == []


def test_a_deactivated_user_gets_nothing(users, make_report, notices):
    users["desk2"].is_active = False
    users["desk2"].save()
    submit(make_report(users["staff"], status=Status.DRAFT), users["staff"])
    assert "desk2" not in [n[0] for n in notices()]


def test_a_return_reaches_the_reporter_and_a_resubmission_is_a_new_round(users, make_report, notices):
    report = make_report(users["staff"], status=Status.DRAFT)
    report = submit(report, users["staff"])
    report = services.transition(report=report, name="return", actor=users["chief"], reason="発生時刻を直してください")

    assert notices(kind=Kind.REPORT_RETURNED) == [("staff", Kind.REPORT_RETURNED, False)]

    submit(report, users["staff"])
    assert Notice.objects.filter(kind=Kind.REPORT_SUBMITTED, recipient=users["desk"]).count() == 2


def test_the_same_event_never_makes_two_notices(users, make_report):
    from incidents.notices import submitted

    report = make_report(users["staff"], status=Status.DRAFT)
    submit(report, users["staff"])
    event = report.events.get(action="submitted")

    again = submitted(report=report, event=event, actor=users["staff"])

    assert again == []
    assert Notice.objects.filter(recipient=users["desk"]).count() == 1


def test_a_private_consultation_reaches_only_the_desk_a_shared_one_the_chief_too(users, notices):
    def ask(shared):
        return consultation_services.create_consultation(
            author=users["staff"], what_happened="窓口で怒鳴られた", wish="対応を相談したい", contact="内線1234",
            share_with_supervisors=shared,
        )

    private = ask(False)
    assert [n[0] for n in notices(params__consultation=private.pk)] == ["desk", "desk2"]
    shared = ask(True)
    assert [n[0] for n in notices(params__consultation=shared.pk)] == ["chief", "desk", "desk2"]

    consultation_services.answer(consultation=private, actor=users["desk"], text="一度お話を伺います。")
    assert notices(kind=Kind.CONSULTATION_ANSWERED) == [("staff", Kind.CONSULTATION_ANSWERED, False)]


def test_a_case_on_an_agenda_reaches_the_invited_members_with_the_meeting_date(users, make_report, make_meeting, notices):
    report = make_report(users["staff"], status=Status.REFERRED)
    meeting = make_meeting(members={"chair": "chair", "member": "member"}, days=7)

    committee_services.add_item(actor=users["desk"], meeting=meeting, report=report)

    assert notices() == [("chair", Kind.AGENDA_ADDED, False), ("member", Kind.AGENDA_ADDED, False)]
    notice = Notice.objects.get(recipient=users["member"])
    from notifications.render import render

    text = render(notice)
    assert f"No.{report.pk}" in text.subject and "令和" in text.subject
    assert text.path == f"/committee/meetings/{meeting.pk}/"


def test_a_final_decision_reaches_the_reporter_the_chief_and_each_measures_owner(users, make_report, make_meeting, notices):
    from datetime import date

    report = make_report(users["staff"], status=Status.REFERRED)
    meeting = make_meeting(members={"chair": "chair", "member": "member"}, attended={"chair": True, "member": True},
                           cases=[report])
    item = meeting.items.get()
    committee_services.record_votes(actor=users["chair"], item=item, votes={users["member"].pk: VoteChoice.FOR})
    types = {t.code: t for t in MeasureType.objects.all()}
    measures = [
        committee_services.MeasureInput(type=types["warning_letter"], detail="警告書", owner=users["desk2"],
                                        owner_section=None, due_on=date(2026, 12, 1)),
        committee_services.MeasureInput(type=types["staff_care"], detail="面談", owner=None,
                                        owner_section=users["staff2"].section, due_on=date(2026, 12, 1)),
    ]
    decision = committee_services.save_draft(actor=users["chair"], item=item, judged=Judged.YES,
                                             policy="文書で警告する", by_consensus=False, measures=measures)
    Notice.objects.all().delete()

    committee_services.finalise_decision(actor=users["chair"], decision=decision)

    assert notices() == [
        ("chief", Kind.DECISION_FINALISED, False),
        ("staff", Kind.DECISION_FINALISED, False),
        ("chief2", Kind.MEASURE_ASSIGNED, False),  # the 所属長 of the owning 課
        ("desk2", Kind.MEASURE_ASSIGNED, False),
    ]


def test_the_same_counterpart_again_within_90_days_alerts_the_desk(users, make_report, notices):
    from datetime import timedelta

    first = make_report(users["staff"], counterpart_name="山田 太郎")
    counterpart = counterpart_services.create_from_report(actor=users["desk"], report=first, ip_address=None,
                                                          data={"name": "山田 太郎"})
    again = make_report(users["staff2"], occurred_start=first.occurred_start + timedelta(days=60),
                        occurred_end=first.occurred_end + timedelta(days=60))
    long_after = make_report(users["staff2"], occurred_start=first.occurred_start + timedelta(days=200),
                             occurred_end=first.occurred_end + timedelta(days=200))

    counterpart_services.link_report(actor=users["desk"], counterpart=counterpart, report=long_after, ip_address=None)
    assert notices(kind=Kind.COUNTERPART_REPEAT) == []
    counterpart_services.link_report(actor=users["desk"], counterpart=counterpart, report=again, ip_address=None)

    # The 相談窓口 but not the one who linked it.
    assert notices(kind=Kind.COUNTERPART_REPEAT) == [("desk2", Kind.COUNTERPART_REPEAT, False)]
    assert Notice.objects.get(kind=Kind.COUNTERPART_REPEAT).params["report"] == again.pk


def test_the_admin_cannot_choose_a_recipient_the_kind_does_not_have(users, client_as):
    rule = NoticeRule.objects.get(kind=Kind.REPORT_SUBMITTED)
    client = client_as("admin")
    page = client.get(f"/admin/notifications/noticerule/{rule.pk}/change/")
    assert page.status_code == 200
    assert "本人（招集された委員" not in page.content.decode()

    response = client.post(f"/admin/notifications/noticerule/{rule.pk}/change/",
                           {"enabled": "on", "audiences": ["desk", "ga_director"]})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.audiences == ["desk", "ga_director"]
    with pytest.raises(ValidationError):
        from notifications.admin import NoticeRuleForm

        form = NoticeRuleForm({"enabled": "on", "audiences": ["person"]}, instance=rule)
        if not form.is_valid():
            raise ValidationError(form.errors)
