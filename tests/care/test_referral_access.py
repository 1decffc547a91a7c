"""Who may open a メンタルケア referral (care/policies.py), as one table, and what each one reads.

The staff member and the 相談窓口 open it in every state; the 保健室 only while the staff member
consents (and reads only the parts chosen, never the case page); the 所属長 of the staff member's
課 only while the staff member consents and agreed to tell them — and then only that it exists;
everyone else 404, 部長, 委員 and 管理者 included.
"""

from __future__ import annotations

import pytest

from care import policies
from care.models import CareEvent, EventAction
from incidents import services as incident_services
from tests.care.conftest import CONDUCT, HARM, MESSAGE

pytestmark = pytest.mark.django_db

ROLES = ["staff", "staff2", "chief", "chief2", "director", "desk", "desk2", "gachief", "chair", "member", "admin",
         "nurse"]
STATES = ["proposed", "consented", "consented+chief", "declined", "withdrawn"]
Y, N = 200, 404
# fmt: off
TABLE = {
    #            proposed consented +chief declined withdrawn
    "staff":    (Y,       Y,        Y,     Y,       Y),   # the staff member referred
    "staff2":   (N,       N,        N,     N,       N),
    "chief":    (N,       N,        Y,     N,       N),   # 所属長 of 市民課, the staff member's 課
    "chief2":   (N,       N,        N,     N,       N),   # 所属長 of another 課
    "director": (N,       N,        N,     N,       N),   # 部長 of the staff member's 部
    "desk":     (Y,       Y,        Y,     Y,       Y),
    "desk2":    (Y,       Y,        Y,     Y,       Y),
    "gachief":  (N,       N,        N,     N,       N),
    "chair":    (N,       N,        N,     N,       N),
    "member":   (N,       N,        N,     N,       N),
    "admin":    (N,       N,        N,     N,       N),
    "nurse":    (N,       Y,        Y,     N,       N),   # 職員保健室: with consent only
}
# fmt: on
CASES = [(role, state, TABLE[role][i]) for role in ROLES for i, state in enumerate(STATES)]


def make(make_referral, state: str):
    if state == "consented+chief":
        return make_referral("consented", chief=True)
    return make_referral(state)


@pytest.mark.parametrize(("role", "state", "expected"), CASES, ids=[f"{r}-{s}" for r, s, _ in CASES])
def test_who_may_open_which_referral(client_as, users, make_referral, role, state, expected):
    referral = make(make_referral, state)

    response = client_as(role).get(f"/care/referrals/{referral.pk}/")

    assert response.status_code == expected, f"{role} opening a {state} referral"
    visible = policies.visible_referrals(users[role]).filter(pk=referral.pk).exists()
    assert visible == (expected == Y)
    listed = f"/care/referrals/{referral.pk}/" in client_as(role).get("/care/referrals/").content.decode()
    assert listed == (expected == Y)
    body = response.content.decode()
    # The shared 言動 (chosen by the staff member): the staff member and, while consented, the 保健室.
    reads_conduct = expected == Y and state.startswith("consented") and role in ("staff", "nurse")
    assert (CONDUCT in body) == reads_conduct
    # Not shared: nobody reads the 被害の内容 on the referral page.
    assert HARM not in body
    # The proposal's message: the staff member, the 相談窓口 and (with consent) the 保健室; never the 所属長.
    assert (MESSAGE in body) == (expected == Y and role != "chief")


def test_the_chief_learns_only_that_a_referral_exists(client_as, make_referral):
    referral = make_referral("consented", chief=True, share_conduct=True, share_harm=True, share_summary=True)

    body = client_as("chief").get(f"/care/referrals/{referral.pk}/").content.decode()

    assert "職員保健室（保健師）への紹介があります" in body
    for secret in (CONDUCT, HARM, MESSAGE, "内線1234", "言動と要求内容", "被害の内容"):
        assert secret not in body
    listing = client_as("chief").get("/care/referrals/").content.decode()
    assert "紹介あり" in listing and "本人が同意しました" not in listing


def test_the_health_office_reads_only_the_chosen_parts_and_never_the_case_or_the_desks_notes(
        client_as, users, make_referral, harmed_report):
    report = harmed_report(chief_comment="所属長のコメント（非公開）")
    incident_services.add_note(report=report, actor=users["desk"], body="相談窓口の内部メモ（非公開）")
    referral = make_referral("consented", report=report, share_harm=True)

    body = client_as("nurse").get(f"/care/referrals/{referral.pk}/").content.decode()

    assert HARM in body and CONDUCT not in body
    assert "相談窓口の内部メモ" not in body and "所属長のコメント" not in body
    assert f'href="/reports/{report.pk}/' not in body
    assert client_as("nurse").get(f"/reports/{report.pk}/").status_code == 404
    assert client_as("nurse").get(f"/reports/{report.pk}/print/").status_code == 404


@pytest.mark.parametrize("role", ["desk", "nurse", "chief", "staff2", "director", "admin"])
def test_only_the_staff_member_gives_declines_or_withdraws_consent(client_as, make_referral, role):
    proposed = make_referral("proposed")
    consented = make_referral("consented", chief=True)
    client = client_as(role)

    assert client.get(f"/care/referrals/{proposed.pk}/consent/").status_code == 404
    assert client.post(f"/care/referrals/{proposed.pk}/consent/", {"share_conduct": "on"}).status_code == 404
    assert client.post(f"/care/referrals/{proposed.pk}/decline/").status_code == 404
    assert client.post(f"/care/referrals/{consented.pk}/withdraw/").status_code == 404

    proposed.refresh_from_db()
    consented.refresh_from_db()
    assert (proposed.state, consented.state) == ("proposed", "consented")


@pytest.mark.parametrize("role", ["staff", "desk", "chief", "director", "admin"])
def test_only_the_health_office_receives_a_referral(client_as, make_referral, role):
    referral = make_referral("consented", chief=True)
    assert client_as(role).post(f"/care/referrals/{referral.pk}/receive/").status_code == 404
    referral.refresh_from_db()
    assert referral.received_at is None


@pytest.mark.parametrize("role", ["staff", "chief", "nurse", "director", "admin", "chair"])
def test_only_the_desk_proposes_a_referral(client_as, harmed_report, role):
    report = harmed_report()
    assert client_as(role).get(f"/care/reports/{report.pk}/refer/").status_code == 404
    assert client_as(role).post(f"/care/reports/{report.pk}/refer/", {"message": "x"}).status_code == 404
    assert not CareEvent.objects.filter(report=report).exists()


def test_a_draft_or_a_missing_report_cannot_be_referred(client_as, users, make_report):
    draft = make_report(users["staff"], status="draft", harm_mental=True)
    assert client_as("desk").get(f"/care/reports/{draft.pk}/refer/").status_code == 404
    assert client_as("desk").get("/care/reports/999999/refer/").status_code == 404
    assert client_as("desk").get("/care/referrals/999999/").status_code == 404


def test_every_showing_of_a_referral_is_on_record_but_not_in_the_cases_history(client_as, users, make_referral):
    referral = make_referral("consented", chief=True)
    for role in ("staff", "nurse", "chief", "desk"):
        client_as(role).get(f"/care/referrals/{referral.pk}/")

    viewers = CareEvent.objects.filter(referral=referral, action=EventAction.REFERRAL_VIEWED).values_list(
        "actor__username", flat=True)
    assert sorted(viewers) == ["chief", "desk", "nurse", "staff"]
    # The case's own history (read by the 所属長 and the 部長) says nothing of the referral.
    case = client_as("director").get(f"/reports/{referral.report_id}/?history=all").content.decode()
    assert "保健室" not in case and "保健 師" not in case
