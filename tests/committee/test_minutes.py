"""議事録: generated from the meeting, printable, approved by the chair, then locked and frozen."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from committee import minutes, services
from committee.models import CommitteeAction, CommitteeEvent, Decision, Meeting, Vote, VoteChoice
from tests.committee.test_letters import committee_case  # noqa: F401
from tests.incidents.conftest import make_report  # noqa: F401


def _page(client, meeting, name="committee:minutes") -> str:
    response = client.get(reverse(name, args=[meeting.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _row(page: str, *cells: str) -> bool:
    """A table row with these cells, in this order."""
    pattern = r"<tr>\s*" + r"\s*".join(rf"<t[hd][^>]*>{re.escape(c)}</t[hd]>" for c in cells) + r"\s*</tr>"
    return re.search(pattern, page) is not None


def test_the_minutes_say_when_where_who_attended_and_the_quorum(committee_case, client_as, users):  # noqa: F811
    page = _page(client_as("chair"), committee_case.meeting)
    assert "第3回カスハラ対策委員会" in page and "定例会" in page
    assert "令和8年11月24日 (2026-11-24) 14:00" in page  # 和暦 and Western
    assert "本庁舎3階 第1会議室" in page
    assert _row(page, "委員 長", "委員長", "出席")
    assert _row(page, "委員 一郎", "委員", "出席")
    assert _row(page, "委員 二郎", "副委員長", "欠席")
    assert _row(page, "弁護 士郎", "オブザーバー（議決権なし）", "出席")
    # Four voting members (the observer does not count), three present, two needed.
    assert "議決権のある委員 4 人のうち 3 人が出席（定足数 2 人）" in page and "定足数を満たしている。" in page


def test_the_minutes_give_each_case_its_decision_and_votes(committee_case, client_as, users):  # noqa: F811
    page = _page(client_as("member"), committee_case.meeting)
    decided = committee_case.decided.report
    first = page[page.index(f"No.{decided.pk} 窓口での大声の罵倒"):page.index("議題2")]
    assert "相手方の言動は録音で確認した。" in first
    assert "利害関係により表決に加わらなかった委員：市民 課長（報告者の課の所属長）" in first
    assert _row(first, "委員 一郎", "賛成")
    assert "賛成 1・反対 0・棄権 0（表決できる出席委員 1 人）。可決。" in first
    assert "判断：カスハラに該当する" in first and "文書で警告し、本庁舎への立入りを1年間禁止する。" in first
    assert _row(first, "文書による警告", "警告書を郵送する", "総務課", "令和8年12月10日", "—")
    assert _row(first, "出入禁止", "—", "総務 窓口", "令和8年12月1日", "令和8年12月1日〜令和9年11月30日")

    second = page[page.index("議題2"):page.index("議題3")]
    assert _row(second, "委員 一郎", "賛成") and _row(second, "市民 課長", "反対")
    assert "可否同数のため、委員長が可と決した。" in second
    assert _row(second, "対応窓口の一本化", "—", "福祉 課長", "令和8年12月15日", "—")

    third = page[page.index("議題3"):page.index("議題4")]
    assert "全会一致（異議なし）により決定。" in third and "カスハラに該当しない" in third

    fourth = page[page.index("議題4"):]
    assert "次回以降に継続" in fourth and "継続審議とし、次回以降の会議で審議する。" in fourth
    deferred = page[page.index("継続審議となった議題"):]
    assert f"No.{committee_case.deferred.report.pk} 継続する要望" in deferred


def test_recorded_text_cannot_break_the_minutes(committee_case, client_as):  # noqa: F811
    item = committee_case.decided
    item.notes = "# 見出しではない\n- 箇条書きではない\n<script>alert(1)</script> | 表の区切り"
    item.save()
    response = client_as("chair").get(reverse("committee:minutes", args=[committee_case.meeting.pk]))
    body = response.content.decode()
    minutes_part = body[body.index('id="minutes"'):]
    assert "<h1>見出しではない" not in minutes_part and "<li>箇条書きではない" not in minutes_part
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_print_layout_is_an_a4_sheet(committee_case, client_as):  # noqa: F811
    page = _page(client_as("chair"), committee_case.meeting, "committee:minutes_print")
    assert "print-sheet" in page and "未承認" in page
    assert "令和8年11月24日 (2026-11-24) 14:00" in page and "定足数" in page


def test_before_approval_the_chair_is_told_what_is_unfinished(committee_case, client_as):  # noqa: F811
    committee_case.meeting.invitations.filter(user__username="member2").update(attended=None)
    Decision.objects.create(item=committee_case.deferred, report=committee_case.deferred.report, judged="yes",
                            policy="未確定の案の方針", created_by=committee_case.meeting.created_by)
    page = _page(client_as("chair"), committee_case.meeting)
    assert "出欠が記録されていない出席者がいます。" in page
    assert "確定していない決定案が 1 件あります" in page
    assert _row(page, "委員 二郎", "副委員長", "（未記録）")
    assert "未確定の案の方針" not in page  # only finalised decisions are minuted


# -- approval ---------------------------------------------------------------------------------------

def _approve(client, meeting, seen=None):
    data = {"seen": seen if seen is not None else minutes.digest(minutes.generate(meeting))}
    return client.post(reverse("committee:minutes_approve", args=[meeting.pk]), data)


def test_the_chair_approves_and_the_minutes_are_frozen(committee_case, client_as, users):  # noqa: F811
    meeting = committee_case.meeting
    generated = minutes.generate(meeting)
    response = _approve(client_as("chair"), meeting)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.locked and meeting.minutes_approved_by == users["chair"]
    assert meeting.minutes_text == generated
    event = CommitteeEvent.objects.get(action=CommitteeAction.MINUTES_APPROVED)
    assert event.actor == users["chair"] and event.meeting_id == meeting.pk

    # The data changes afterwards (as through the admin): the minutes shown stay as approved.
    Decision.objects.filter(pk=committee_case.decision.pk).update(policy="あとから書き換えた方針")
    Vote.objects.filter(item=committee_case.decided).update(choice=VoteChoice.AGAINST)
    Meeting.objects.filter(pk=meeting.pk).update(place="別の会議室")
    page = _page(client_as("chair"), meeting)
    assert "文書で警告し、本庁舎への立入りを1年間禁止する。" in page and "あとから書き換えた方針" not in page
    assert "本庁舎3階 第1会議室" in page and "別の会議室" not in page
    assert _row(page, "委員 一郎", "賛成")
    assert "承認しました" in page and 'id="approve-form"' not in page
    print_page = _page(client_as("chair"), meeting, "committee:minutes_print")
    assert "あとから書き換えた方針" not in print_page and "承認：" in print_page


def test_an_approved_meeting_is_locked_for_the_core_services(committee_case, client_as, users):  # noqa: F811
    meeting = committee_case.meeting
    _approve(client_as("chair"), meeting)
    meeting.refresh_from_db()
    invitation = meeting.invitations.get(user=committee_case.member2)
    with pytest.raises(ValidationError, match="議事録が承認されたため"):
        services.record_attendance(actor=users["chair"], meeting=meeting, attended={invitation.pk: True})
    with pytest.raises(ValidationError, match="議事録が承認されたため"):
        services.save_notes(actor=users["desk"], item=committee_case.deferred, notes="あとから")
    invitation.refresh_from_db()
    assert invitation.attended is False
    # And a second approval is refused.
    again = _approve(client_as("chair"), meeting, seen="")
    assert again.status_code == 409 and "すでに承認されています" in again.content.decode()


@pytest.mark.parametrize("username", ["member", "desk"])
def test_only_the_chair_approves(committee_case, client_as, username):  # noqa: F811
    meeting = committee_case.meeting
    page = _page(client_as(username), meeting)
    assert 'id="approve-form"' not in page
    response = _approve(client_as(username), meeting)
    assert response.status_code == 403
    assert "議事録を承認できるのは、この会議の委員長です。" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.locked and meeting.minutes_text == ""


@pytest.mark.parametrize("username", ["staff", "chief2", "director", "gadir", "admin"])
def test_those_who_do_not_see_the_meeting_get_404(committee_case, client_as, username):  # noqa: F811
    meeting = committee_case.meeting
    client = client_as(username)
    for name in ("committee:minutes", "committee:minutes_print"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404
    assert _approve(client, meeting).status_code == 404
    meeting.refresh_from_db()
    assert not meeting.locked


def test_a_member_not_invited_gets_404(committee_case, client_as):  # noqa: F811
    committee_case.meeting.invitations.filter(user__username="member").delete()
    assert client_as("member").get(reverse("committee:minutes", args=[committee_case.meeting.pk])).status_code == 404


def test_minutes_that_changed_since_the_chair_read_them_are_not_approved(committee_case, client_as):  # noqa: F811
    meeting = committee_case.meeting
    seen = minutes.digest(minutes.generate(meeting))
    Vote.objects.create(item=committee_case.tied, member=committee_case.member2, choice=VoteChoice.ABSTAIN,
                        recorded_by=meeting.created_by)
    response = _approve(client_as("chair"), meeting, seen=seen)
    assert response.status_code == 409 and "表示した後に変わりました" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.locked
