"""The letters a decision calls for: drafted from the case, edited and issued by the 相談窓口, listed on
the counterpart's page. Test data is built with the models directly (a finalised decision as the
core's services leave it)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from committee.models import (
    AgendaItem,
    AgendaState,
    CommitteeAction,
    CommitteeEvent,
    Decision,
    Invitation,
    Judged,
    Letter,
    LetterTemplate,
    Measure,
    MeasureType,
    Meeting,
    MeetingKind,
    MemberRole,
    Vote,
    VoteChoice,
)
from counterparts.models import Counterpart, CounterpartLink
from incidents.lifecycle import Status
from kasuhara.wareki import wareki
from tests.incidents.conftest import make_report  # noqa: F401

JST = ZoneInfo("Asia/Tokyo")
#: The meeting: 令和8年11月24日 14:00.
MEETING_AT = datetime.datetime(2026, 11, 24, 14, 0, tzinfo=JST)
POLICY = "文書で警告し、本庁舎への立入りを1年間禁止する。"
CONDUCT = "「馬鹿野郎」「お前じゃ話にならない」と大声で繰り返し怒鳴った。"


@dataclass
class CommitteeCase:
    meeting: Meeting
    decided: AgendaItem  # staff's report, decided by a vote; a warning letter and a ban
    tied: AgendaItem  # staff2's report, a tie the chair decided
    consensus: AgendaItem  # decided without objection
    deferred: AgendaItem
    decision: Decision
    counterpart: Counterpart
    member2: object
    lawyer: object


def _decision(item, *, actor, policy=POLICY, by_consensus=False, tally=None, judged=Judged.YES) -> Decision:
    return Decision.objects.create(
        item=item, report=item.report, judged=judged, policy=policy, by_consensus=by_consensus, tally=tally or {},
        created_by=actor, finalised_at=timezone.now(), finalised_by=actor,
    )


@pytest.fixture
def committee_case(users, make_report) -> CommitteeCase:  # noqa: F811
    """A meeting of 令和8年11月24日 chaired by ``chair``: ``member`` and ``chief`` (所属長 of the
    reporter ``staff``: a conflict on her case) present, ``member2`` (副委員長) absent, a lawyer as
    observer; four cases — decided by vote, a tie the chair decided, by consensus, and deferred."""
    from organization.models import User

    chair, member, chief, desk = users["chair"], users["member"], users["chief"], users["desk"]
    member2 = User.objects.create(username="member2", display_name="委員 二郎", section=member.section,
                                  is_committee_member=True)
    lawyer = User.objects.create(username="lawyer", display_name="弁護 士郎", section=member.section)
    meeting = Meeting.objects.create(kind=MeetingKind.REGULAR, title="第3回カスハラ対策委員会", starts_at=MEETING_AT,
                                     place="本庁舎3階 第1会議室", created_by=chair)
    for user, role, attended in ((chair, MemberRole.CHAIR, True), (member, MemberRole.MEMBER, True),
                                 (chief, MemberRole.MEMBER, True), (member2, MemberRole.VICE_CHAIR, False),
                                 (lawyer, MemberRole.OBSERVER, True)):
        Invitation.objects.create(meeting=meeting, user=user, role=role, attended=attended)

    reports = [
        make_report(users["staff"], status=Status.DECIDED, title="窓口での大声の罵倒", conduct=CONDUCT,
                    place="本庁舎1階 市民課窓口", counterpart_name="山田 花子"),
        make_report(users["staff2"], status=Status.DECIDED, title="執拗な電話"),
        make_report(users["staff2"], status=Status.DECIDED, title="SNSへの投稿"),
        make_report(users["staff2"], status=Status.REFERRED, title="継続する要望"),
    ]
    items = [AgendaItem.objects.create(meeting=meeting, report=r, position=n, added_by=desk,
                                       state=AgendaState.DEFERRED if n == 3 else AgendaState.DECIDED)
             for n, r in enumerate(reports)]
    decided, tied, consensus, deferred = items
    decided.notes = "相手方の言動は録音で確認した。"
    decided.save()

    Vote.objects.create(item=decided, member=member, choice=VoteChoice.FOR, recorded_by=desk)
    decision = _decision(decided, actor=chair, tally={
        "for": 1, "against": 0, "abstain": 0, "eligible": 1, "casting_vote": None, "passed": True, "tied": False,
        "consensus": False, "conflicts": [{"user": chief.pk, "name": str(chief), "reason": "報告者の課の所属長"}],
    })
    section = desk.section
    Measure.objects.create(decision=decision, type=MeasureType.objects.get(code="warning_letter"),
                           owner_section=section, due_on=datetime.date(2026, 12, 10), detail="警告書を郵送する")
    Measure.objects.create(decision=decision, type=MeasureType.objects.get(code="ban"), owner=desk,
                           due_on=datetime.date(2026, 12, 1), starts_on=datetime.date(2026, 12, 1),
                           ends_on=datetime.date(2027, 11, 30))

    Vote.objects.create(item=tied, member=member, choice=VoteChoice.FOR, recorded_by=desk)
    Vote.objects.create(item=tied, member=chief, choice=VoteChoice.AGAINST, recorded_by=desk)
    tied_decision = _decision(tied, actor=chair, policy="対応窓口を一本化する。", tally={
        "for": 1, "against": 1, "abstain": 0, "eligible": 2, "casting_vote": "for", "passed": True, "tied": True,
        "conflicts": [],
    })
    Measure.objects.create(decision=tied_decision, type=MeasureType.objects.get(code="single_handler"),
                           owner=users["chief2"], due_on=datetime.date(2026, 12, 15))
    _decision(consensus, actor=chair, policy="継続して監視する。", by_consensus=True, judged=Judged.NO,
              tally={"for": 2, "against": 0, "abstain": 0, "eligible": 2, "passed": True, "conflicts": []})
    deferred.notes = "事実関係を確認してから審議する。"
    deferred.save()

    counterpart = Counterpart.objects.create(name="山田 花子", address="奥州市水沢大手町1-1", phone="090-1234-5678",
                                             created_by=desk)
    CounterpartLink.objects.create(counterpart=counterpart, report=reports[0], linked_by=desk)
    return CommitteeCase(meeting, decided, tied, consensus, deferred, decision, counterpart, member2, lawyer)


def _draft(client, decision, code, counterpart=None):
    template = LetterTemplate.objects.get(code=code)
    data = {"template": template.pk, "counterpart": counterpart.pk if counterpart else ""}
    return client.post(reverse("committee:letter_draft", args=[decision.pk]), data)


def _text(response) -> str:
    return response.content.decode()


# -- drafting ---------------------------------------------------------------------------------------

def test_the_decision_page_offers_the_letters_its_measures_call_for(committee_case, client_as):
    response = client_as("desk").get(reverse("committee:decision_letters", args=[committee_case.decision.pk]))
    assert response.status_code == 200
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', _text(response))
    assert "警告書" in options and "庁舎への立入禁止について（通知）" in options
    # The only linked counterpart is chosen already.
    assert re.search(rf'<option value="{committee_case.counterpart.pk}" selected>山田 花子</option>', _text(response))


def test_a_ban_notice_is_drafted_with_every_blank_filled(committee_case, client_as):
    response = _draft(client_as("desk"), committee_case.decision, "ban", committee_case.counterpart)
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("committee:letter", args=[letter.pk])
    body = letter.body
    assert "{" not in body and "}" not in body and "【" not in body
    assert "山田 花子 様" in body
    assert "奥州市水沢大手町1-1" in body and "奥州市水沢大手町1-1" in letter.addressee
    assert "令和7年6月18日以降" in body  # the incident (18 June 2025), in 和暦
    assert wareki(timezone.localdate()) in body  # the letter's date
    assert "令和8年12月1日から令和9年11月30日まで" in body  # the ban's period
    assert CONDUCT in body and "場所・手段　電話（本庁舎1階 市民課窓口）" in body and "令和7年6月18日 8時30分頃" in body
    assert "奥州市長" in body and "奥州市庁舎管理規則第5条に基づき" in body
    assert "奥州市の庁舎" in body  # the city's name from the city settings
    assert letter.counterpart == committee_case.counterpart and letter.created_by.username == "desk"
    event = CommitteeEvent.objects.get(action=CommitteeAction.LETTER_DRAFTED)
    assert event.detail["letter"] == letter.pk and event.detail["missing"] == []
    assert event.report_id == committee_case.decided.report_id and event.meeting_id == committee_case.meeting.pk


def test_the_city_settings_fill_the_city_name(committee_case, client_as):
    from manual.models import CitySettings

    city = CitySettings.load()
    city.city_name = "港区"
    city.save()
    _draft(client_as("desk"), committee_case.decision, "warning", committee_case.counterpart)
    body = Letter.objects.get().body
    assert "港区の窓口等において" in body and "港区カスタマーハラスメント対策基本方針" in body


def test_a_warning_letter_uses_the_report_when_no_counterpart_is_linked_and_says_the_address_is_missing(
        committee_case, client_as):
    CounterpartLink.objects.all().delete()
    desk = client_as("desk")
    response = _draft(desk, committee_case.decision, "warning")
    letter = Letter.objects.get()
    assert letter.counterpart is None
    assert "山田 花子 様" in letter.body  # the report's counterpart_name
    assert "【相手方の住所：記入してください】" in letter.addressee
    assert "{" not in letter.body
    page = desk.get(response["Location"])
    assert "事案の記録から埋められなかった箇所があります" in _text(page)
    assert "【相手方の住所：記入してください】" in _text(page)
    assert CommitteeEvent.objects.get(action=CommitteeAction.LETTER_DRAFTED).detail["missing"] == ["相手方の住所"]

    # It cannot be issued while the mark stands.
    refused = desk.post(reverse("committee:letter_issue", args=[letter.pk]))
    assert refused.status_code == 400
    assert "まだ記入されていない箇所があります" in _text(refused)
    letter.refresh_from_db()
    assert not letter.issued


def test_a_ban_notice_without_an_address_says_so_in_its_body(committee_case, client_as, users):
    committee_case.counterpart.address = ""
    committee_case.counterpart.save()
    _draft(client_as("desk"), committee_case.decision, "ban", committee_case.counterpart)
    body = Letter.objects.get().body
    assert "（【相手方の住所：記入してください】）" in body


def test_the_report_contact_gives_the_address_without_the_phone_number(committee_case, client_as):
    CounterpartLink.objects.all().delete()
    report = committee_case.decided.report
    report.counterpart_contact = "奥州市江刺区1-2-3 TEL ０９０－１２３４－５６７８"
    report.save()
    _draft(client_as("desk"), committee_case.decision, "ban")
    letter = Letter.objects.get()
    assert "（奥州市江刺区1-2-3）" in letter.body and "０９０" not in letter.body
    assert "【" not in letter.body


def test_a_letter_no_measure_calls_for_or_from_an_unfinalised_decision_is_refused(committee_case, client_as, users):
    desk = client_as("desk")
    tied = Decision.objects.get(item=committee_case.tied)
    page = desk.get(reverse("committee:decision_letters", args=[tied.pk]))
    assert "この決定の措置は、文書の送付を求めていません。" in _text(page)
    response = _draft(desk, tied, "warning")
    assert response.status_code == 400 and not Letter.objects.exists()

    Decision.objects.filter(pk=committee_case.decision.pk).update(finalised_at=None)
    response = _draft(desk, committee_case.decision, "warning")
    assert response.status_code == 400
    assert "確定していない決定からは文書を作成できません。" in _text(response)
    assert not Letter.objects.exists()


def test_a_superseded_decision_makes_no_letter(committee_case, client_as, users):
    correction = _decision(committee_case.decided, actor=users["chair"], policy="訂正後の方針")
    correction.supersedes = committee_case.decision
    correction.save()
    response = _draft(client_as("desk"), committee_case.decision, "warning")
    assert response.status_code == 400
    assert "この決定は訂正されています" in _text(response)


# -- editing and issuing ----------------------------------------------------------------------------

def _edit(client, letter, **changes):
    letter.refresh_from_db()
    from committee.letters import digest

    data = {"title": letter.title, "addressee": letter.addressee, "body": letter.body, "seen": digest(letter)}
    data.update(changes)
    return client.post(reverse("committee:letter", args=[letter.pk]), data)


def test_edit_then_issue_records_who_when_and_the_final_text(committee_case, client_as, users):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "warning", committee_case.counterpart)
    letter = Letter.objects.get()
    edited = letter.body.replace("ここに警告します。", "ここに厳重に警告します。")
    assert edited != letter.body
    response = _edit(desk, letter, body=edited, title="警告書（再）")
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.title == "警告書（再）" and "ここに厳重に警告します。" in letter.body
    assert CommitteeEvent.objects.get(action=CommitteeAction.LETTER_EDITED).detail["fields"] == ["title", "body"]

    from committee.letters import digest

    before = timezone.now()
    response = client_as("desk2").post(reverse("committee:letter_issue", args=[letter.pk]), {"seen": digest(letter)})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.issued_by == users["desk2"] and letter.issued_at >= before
    event = CommitteeEvent.objects.get(action=CommitteeAction.LETTER_ISSUED)
    assert event.actor == users["desk2"]
    assert event.detail["body"] == letter.body and "ここに厳重に警告します。" in event.detail["body"]
    assert event.detail["title"] == "警告書（再）" and event.detail["addressee"] == letter.addressee
    page = desk.get(reverse("committee:letter", args=[letter.pk]))
    assert "発出した文書（変更できません）" in _text(page) and 'id="letter-form"' not in _text(page)
    assert str(users["desk2"]) in _text(page)


def test_an_issued_letter_refuses_edits_and_a_second_issue(committee_case, client_as):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "warning", committee_case.counterpart)
    letter = Letter.objects.get()
    desk.post(reverse("committee:letter_issue", args=[letter.pk]))
    letter.refresh_from_db()
    final = letter.body
    assert letter.issued

    response = _edit(desk, letter, body="書き換えた本文")
    assert response.status_code == 409
    assert "この文書は発出済みのため、変更できません。" in _text(response)
    again = desk.post(reverse("committee:letter_issue", args=[letter.pk]))
    assert again.status_code == 409
    letter.refresh_from_db()
    assert letter.body == final
    assert CommitteeEvent.objects.filter(action=CommitteeAction.LETTER_ISSUED).count() == 1
    assert not CommitteeEvent.objects.filter(action=CommitteeAction.LETTER_EDITED).exists()

    # A new draft may still be made from the same decision.
    assert _draft(desk, committee_case.decision, "warning", committee_case.counterpart).status_code == 302
    assert Letter.objects.count() == 2


def test_an_edit_made_on_an_older_page_is_refused(committee_case, client_as):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "warning", committee_case.counterpart)
    letter = Letter.objects.get()
    from committee.letters import digest

    stale = digest(letter)
    _edit(client_as("desk2"), letter, title="先に修正した表題")
    response = desk.post(reverse("committee:letter", args=[letter.pk]),
                         {"title": "あとの表題", "addressee": letter.addressee, "body": letter.body, "seen": stale})
    assert response.status_code == 409
    assert "他の担当者が先に修正しました" in _text(response)
    issue = desk.post(reverse("committee:letter_issue", args=[letter.pk]), {"seen": stale})
    assert issue.status_code == 409
    letter.refresh_from_db()
    assert letter.title == "先に修正した表題" and not letter.issued


def test_an_empty_body_is_refused_with_a_message(committee_case, client_as):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "warning", committee_case.counterpart)
    letter = Letter.objects.get()
    response = _edit(desk, letter, body="")
    assert response.status_code == 400
    assert "このフィールドは必須です。" in _text(response) or "必須" in _text(response)
    letter.refresh_from_db()
    assert letter.body.strip()


def test_the_print_layout_shows_the_letter_and_marks_a_draft(committee_case, client_as):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "ban", committee_case.counterpart)
    letter = Letter.objects.get()
    url = reverse("committee:letter_print", args=[letter.pk])
    page = _text(desk.get(url))
    assert "print-sheet" in page and "下書き（未発出）" in page and "令和8年12月1日から令和9年11月30日まで" in page
    desk.post(reverse("committee:letter_issue", args=[letter.pk]))
    assert "下書き（未発出）" not in _text(desk.get(url))


# -- the counterpart page ---------------------------------------------------------------------------

def test_the_counterpart_page_lists_the_letters_sent(committee_case, client_as, users):
    desk = client_as("desk")
    _draft(desk, committee_case.decision, "warning", committee_case.counterpart)
    _draft(desk, committee_case.decision, "ban", committee_case.counterpart)
    warning = Letter.objects.get(template__code="warning")
    url = reverse("counterparts:detail", args=[committee_case.counterpart.pk])
    assert "送付した文書はありません。" in _text(desk.get(url))  # drafts are not sent

    desk.post(reverse("committee:letter_issue", args=[warning.pk]))
    warning.refresh_from_db()
    page = _text(desk.get(url))
    table = page[page.index('id="letters-sent"'):]
    table = table[: table.index("</table>")]
    assert "警告書" in table and "立入禁止" not in table
    assert wareki(warning.issued_at) in table and str(users["desk"]) in table
    assert reverse("committee:letter", args=[warning.pk]) in table
    # The committee reads the register, but the letter itself is the desk's: no link for them.
    chair_page = _text(client_as("chair").get(url))
    assert "警告書" in chair_page and reverse("committee:letter", args=[warning.pk]) not in chair_page


# -- who may ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["staff", "chief", "director", "member", "chair", "gadir", "admin"])
def test_only_the_desk_handles_letters(committee_case, client_as, username):
    _draft(client_as("desk"), committee_case.decision, "warning", committee_case.counterpart)
    letter = Letter.objects.get()
    client = client_as(username)
    decision = committee_case.decision
    assert client.get(reverse("committee:decision_letters", args=[decision.pk])).status_code == 404
    assert _draft(client, decision, "warning").status_code == 404
    assert client.get(reverse("committee:letter", args=[letter.pk])).status_code == 404
    assert _edit(client, letter, body="x").status_code == 404
    assert client.post(reverse("committee:letter_issue", args=[letter.pk])).status_code == 404
    assert client.get(reverse("committee:letter_print", args=[letter.pk])).status_code == 404
    letter.refresh_from_db()
    assert not letter.issued and Letter.objects.count() == 1


def test_the_desk_opens_the_pages_and_a_missing_letter_is_404(committee_case, client_as):
    desk = client_as("desk")
    assert desk.get(reverse("committee:decision_letters", args=[committee_case.decision.pk])).status_code == 200
    assert desk.get(reverse("committee:letter", args=[999999])).status_code == 404
    assert desk.get(reverse("committee:decision_letters", args=[999999])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(committee_case, client):
    response = client.get(reverse("committee:decision_letters", args=[committee_case.decision.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
