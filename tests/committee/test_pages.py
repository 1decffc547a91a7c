"""The committee's pages, used the way the secretariat and the chair use them: create a meeting,
invite, record attendance, put a referred case on the agenda, vote, draft and finalise."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from committee.models import Decision, MeasureType, Meeting
from incidents.lifecycle import Status


def test_a_meeting_from_creation_to_a_finalised_decision_through_the_pages(client_as, users, make_report):
    report = make_report(users["staff2"], status=Status.REFERRED, title="議題にする件")
    chair = client_as("chair")

    created = chair.post("/committee/meetings/new/", {"kind": "regular", "title": "第7回", "place": "会議室",
                                                      "starts_at": "2025-06-18T14:00"})
    meeting = Meeting.objects.get(title="第7回")
    assert created["Location"] == f"/committee/meetings/{meeting.pk}/"
    base = created["Location"]
    chair.post(f"{base}invite/", {"user": users["chair"].pk, "role": "chair"})
    chair.post(f"{base}invite/", {"user": users["member"].pk, "role": "member"})
    refused = chair.post(f"{base}invite/", {"user": users["staff"].pk, "role": "member"}, follow=True)
    assert "オブザーバーとしてだけ招集できます" in refused.content.decode()
    second_chair = chair.post(f"{base}invite/", {"user": users["member"].pk, "role": "chair"}, follow=True)
    assert "委員長は一つの会議に一人です" in second_chair.content.decode()
    invitations = {i.user.username: i.pk for i in meeting.invitations.select_related("user")}
    chair.post(f"{base}attendance/", {f"attended-{invitations['chair']}": "yes",
                                      f"attended-{invitations['member']}": "yes"})
    chair.post(f"{base}items/add/", {"report": report.pk})
    item = meeting.items.get()
    chair.post(f"/committee/items/{item.pk}/votes/", {f"vote-{users['member'].pk}": "for"})

    form = chair.get(f"/committee/items/{item.pk}/decision/")
    assert form.status_code == 200
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    ban = MeasureType.objects.get(code="ban")
    data = {"judged": "yes", "policy": "出入禁止とする。", "measures-TOTAL_FORMS": "2", "measures-INITIAL_FORMS": "0",
            "measures-MIN_NUM_FORMS": "1", "measures-MAX_NUM_FORMS": "20",
            "measures-0-type": ban.pk, "measures-0-owner_section": users["desk"].section_id, "measures-0-due_on": due}
    missing_start = chair.post(f"/committee/items/{item.pk}/decision/", data)
    assert missing_start.status_code == 400
    assert "出入禁止には開始日を入力してください。" in missing_start.content.decode()
    saved = chair.post(f"/committee/items/{item.pk}/decision/", {**data, "measures-0-starts_on": due})
    assert saved.status_code == 302

    page = chair.get(base).content.decode()
    assert "定足数に達しています" in page and "決定案（未確定）" in page
    decision = Decision.objects.get(item=item)
    chair.post(f"/committee/decisions/{decision.pk}/finalise/")
    report.refresh_from_db()
    assert report.status == Status.DECIDED
    assert "決定の詳細と措置" in chair.get(base).content.decode()
    assert chair.get(f"/committee/decisions/{decision.pk}/correct/").status_code == 200
    # The case page no longer offers the decision: it was made here.
    assert "move-decide" not in client_as("desk").get(f"/reports/{report.pk}/").content.decode()


def test_notes_refused_because_the_minutes_were_approved_meanwhile_come_back_as_typed(client_as, users, make_report,
                                                                                      make_meeting):
    """The chair approved the minutes while the secretariat was writing: the save is refused with the
    reason, and the page shows the notes as they were typed, so they can be copied elsewhere."""
    meeting = make_meeting(attended={"chair": True, "member": True},
                           cases=[make_report(users["staff2"], status=Status.REFERRED, title="議題の件")])
    item = meeting.items.get()
    Meeting.objects.filter(pk=meeting.pk).update(minutes_approved_at=timezone.now(), minutes_approved_by=users["chair"])
    typed = "相手方の要求の経緯を確認した。次回までに録音を聞き直す。"

    response = client_as("desk").post(f"/committee/items/{item.pk}/notes/", {"notes": typed})

    assert response.status_code == 400
    page = response.content.decode()
    assert typed in page
    assert "議事録が承認されたため" in page
    item.refresh_from_db()
    assert item.notes == ""
