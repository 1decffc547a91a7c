"""A メンタルケア referral from proposal to consent, change, withdrawal and consent again: the
相談窓口 proposes, the staff member decides on their own page what the 保健室 may read, the 保健室
is told only when a consent starts, and every step is on record (who, when, which parts)."""

from __future__ import annotations

import pytest

from care.models import CareEvent, EventAction, Referral
from notifications.kinds import Kind
from notifications.models import Notice
from notifications.render import link_path
from tests.care.conftest import CONDUCT, HARM, MESSAGE

pytestmark = pytest.mark.django_db


def referral_notices() -> list[str]:
    return sorted(Notice.objects.filter(kind=Kind.CARE_REFERRAL).values_list("recipient__username", flat=True))


def test_from_proposal_to_consent(client_as, users, harmed_report):
    report = harmed_report()

    response = client_as("desk").post(f"/care/reports/{report.pk}/refer/", {"message": MESSAGE})
    referral = Referral.objects.get(report=report)
    assert response.status_code == 302 and response["Location"] == f"/care/referrals/{referral.pk}/"
    assert (referral.person, referral.proposed_by, referral.state) == (users["staff"], users["desk"], "proposed")
    assert referral_notices() == []  # nothing reaches the 保健室 before the staff member consents
    assert client_as("nurse").get(f"/care/referrals/{referral.pk}/").status_code == 404

    home = client_as("staff").get("/").content.decode()
    assert f'href="/care/referrals/{referral.pk}/consent/"' in home

    page = client_as("staff").get(f"/care/referrals/{referral.pk}/consent/").content.decode()
    assert MESSAGE in page and CONDUCT in page and HARM in page  # what each part would share, before choosing

    response = client_as("staff").post(f"/care/referrals/{referral.pk}/consent/",
                                       {"share_harm": "on", "contact": "内線1234"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "consented" and referral.consented_by == users["staff"]
    assert (referral.share_harm, referral.share_conduct, referral.share_with_chief) == (True, False, False)
    assert referral_notices() == ["nurse"]

    notice = Notice.objects.get(kind=Kind.CARE_REFERRAL)
    assert link_path(notice) == f"/care/referrals/{referral.pk}/"
    body = client_as("nurse").get(link_path(notice)).content.decode()
    assert HARM in body and CONDUCT not in body and "内線1234" in body
    # The notice names the referral by its number only.
    assert set(notice.params) == {"referral"}


def test_the_consent_is_recorded_with_who_when_and_which_parts(client_as, users, make_referral):
    referral = make_referral("proposed")
    client_as("staff").post(f"/care/referrals/{referral.pk}/consent/",
                            {"share_summary": "on", "share_timeline": "on", "share_with_chief": "on"})

    event = CareEvent.objects.get(referral=referral, action=EventAction.CONSENT_GIVEN)
    assert event.actor == users["staff"]
    assert event.detail == {"parts": ["share_summary", "share_timeline"], "chief": True, "changed": False}
    history = client_as("staff").get(f"/care/referrals/{referral.pk}/").content.decode().split('id="history"')[1]
    assert "本人の同意" in history and "できごとの概要、経過" in history and "紹介があることを伝える" in history


def test_changing_the_parts_withdrawing_and_consenting_again(client_as, users, make_referral):
    referral = make_referral("consented", chief=True)  # shares the 言動
    url = f"/care/referrals/{referral.pk}/"
    assert referral_notices() == ["nurse"]

    # A change of what is shared: the 保健室 reads the new choice at once, without a second notice.
    client_as("staff").post(url + "consent/", {"share_harm": "on", "share_with_chief": "on"})
    body = client_as("nurse").get(url).content.decode()
    assert HARM in body and CONDUCT not in body
    assert referral_notices() == ["nurse"]

    # Withdrawn: the 保健室 and the 所属長 read nothing of it any more.
    response = client_as("staff").post(url + "withdraw/")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "withdrawn" and referral.withdrawn_at is not None
    assert client_as("nurse").get(url).status_code == 404
    assert client_as("chief").get(url).status_code == 404
    assert url not in client_as("nurse").get("/care/referrals/").content.decode()

    # Consenting again tells the 保健室 again.
    client_as("staff").post(url + "consent/", {"share_conduct": "on"})
    assert referral_notices() == ["nurse", "nurse"]
    assert CONDUCT in client_as("nurse").get(url).content.decode()
    actions = list(CareEvent.objects.filter(referral=referral).exclude(action=EventAction.REFERRAL_VIEWED)
                   .values_list("action", flat=True))
    assert actions == ["referral_proposed", "consent_given", "consent_given", "consent_withdrawn", "consent_given"]


def test_declining_tells_nobody_and_can_be_changed_later(client_as, make_referral):
    referral = make_referral("proposed")
    assert client_as("staff").post(f"/care/referrals/{referral.pk}/decline/").status_code == 302
    referral.refresh_from_db()
    assert referral.state == "declined" and referral_notices() == []
    assert f"/care/referrals/{referral.pk}/" not in client_as("staff").get("/").content.decode()

    client_as("staff").post(f"/care/referrals/{referral.pk}/consent/", {})
    referral.refresh_from_db()
    assert referral.state == "consented" and referral.shared_parts == [] and referral_notices() == ["nurse"]
    body = client_as("nurse").get(f"/care/referrals/{referral.pk}/").content.decode()
    assert "連絡票の内容は共有されていません" in body and CONDUCT not in body


def test_withdrawing_what_was_never_consented_is_a_message_not_an_error(client_as, make_referral):
    referral = make_referral("proposed")
    response = client_as("staff").post(f"/care/referrals/{referral.pk}/withdraw/", follow=True)
    assert response.status_code == 200 and "同意していない紹介は取り消せません" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == "proposed"


def test_the_health_office_receives_it_and_the_staff_member_sees_that(client_as, users, make_referral):
    referral = make_referral("consented")
    url = f"/care/referrals/{referral.pk}/"
    assert "紹介を受け付ける" in client_as("nurse").get(url).content.decode()

    assert client_as("nurse").post(url + "receive/").status_code == 302

    referral.refresh_from_db()
    assert referral.received_by == users["nurse"]
    assert "保健 師" in client_as("staff").get(url).content.decode().split('id="received"')[1][:200]
    again = client_as("nurse").post(url + "receive/", follow=True).content.decode()
    assert "すでに受け付けています" in again


def test_a_too_long_contact_keeps_what_was_typed(client_as, make_referral):
    referral = make_referral("proposed")
    response = client_as("staff").post(f"/care/referrals/{referral.pk}/consent/",
                                       {"share_conduct": "on", "contact": "内線" + "9" * 300})
    assert response.status_code == 400
    body = response.content.decode()
    assert "200文字以内で入力してください" in body and "9" * 300 in body
    referral.refresh_from_db()
    assert referral.state == "proposed" and referral_notices() == []


def test_a_second_proposal_leads_to_the_first(client_as, make_referral):
    referral = make_referral("proposed")
    response = client_as("desk2").post(f"/care/reports/{referral.report_id}/refer/", {"message": "二回目"})
    assert response.status_code == 302 and response["Location"] == f"/care/referrals/{referral.pk}/"
    assert Referral.objects.filter(report_id=referral.report_id).count() == 1


def test_the_staff_member_is_asked_by_a_notice_and_the_desk_hears_each_answer(client_as, users, harmed_report):
    """The proposal reaches the staff member (leading to their own consent page); each answer —
    consent, withdrawal, consent again, never a change of parts — reaches the 相談窓口 (not the one
    who answered); no 保健師 hears of a proposal or a refusal."""
    report = harmed_report()
    client_as("desk").post(f"/care/reports/{report.pk}/refer/", {"message": MESSAGE})
    referral = Referral.objects.get(report=report)

    asked = Notice.objects.get(kind=Kind.CARE_REFERRAL_PROPOSED)
    assert asked.recipient == users["staff"] and link_path(asked) == f"/care/referrals/{referral.pk}/consent/"
    assert client_as("staff").get(f"/inbox/{asked.pk}/")["Location"] == f"/care/referrals/{referral.pk}/consent/"

    def answers():
        return sorted(Notice.objects.filter(kind=Kind.CARE_REFERRAL_ANSWERED)
                      .values_list("params__answer", "recipient__username"))

    url = f"/care/referrals/{referral.pk}/"
    client_as("staff").post(url + "consent/", {"share_harm": "on"})
    client_as("staff").post(url + "consent/", {"share_conduct": "on"})  # a change of parts: no answer
    client_as("staff").post(url + "withdraw/")
    assert answers() == [("consented", "desk"), ("consented", "desk2"), ("withdrawn", "desk"), ("withdrawn", "desk2")]
    assert not Notice.objects.filter(kind__startswith="care_referral", recipient=users["nurse"],
                                     kind=Kind.CARE_REFERRAL_ANSWERED).exists()
    answered = Notice.objects.filter(kind=Kind.CARE_REFERRAL_ANSWERED, recipient=users["desk"]).first()
    assert client_as("desk").get(f"/inbox/{answered.pk}/", follow=True).status_code == 200
