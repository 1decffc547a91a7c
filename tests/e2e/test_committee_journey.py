"""The committee's journey in a real browser (Debian's Chromium through Playwright), issue 9.

Two cases were referred to the committee: one by ``staff`` (市民課) about a repeat 相手方 on record
(山田 太郎, with phone and address), one by ``staff2`` (福祉課). ``director`` (部長 of 市民環境部, the
部 of ``staff``) sits on the committee, so he may not vote on the first case.

``chair`` creates the meeting, invites himself as 委員長, ``member`` and ``director`` as 委員 and
``desk2`` as an observer, puts both cases on the agenda and records attendance. On the first case
the director's vote is refused (利害関係) and ``member`` carries it alone; on the second the votes are
equal and the chair decides. Both decisions are finalised (the first with 文書による警告), the
minutes are approved and show the attendance, the quorum, the conflict and both decisions; a change
made afterwards from a page opened before the approval is refused.

``desk`` drafts the 警告書 from the first decision, changes a word, issues it (the counterpart's page
lists it), then writes the 庁内共有 summary of that case, reviews it and publishes it. ``staff2``
reads the entry on /board/: no name, phone or address of the counterpart, no name of the reporter,
no link into a case ``staff2`` may not open. No request leaves 127.0.0.1 and no page answers 5xx.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from committee.models import AgendaItem, AgendaState, BoardEntry, Decision, Invitation, Letter, Meeting
from counterparts import services as counterpart_services
from counterparts.models import Counterpart
from incidents import policies as report_policies
from incidents.lifecycle import Status
from incidents.models import Channel, IncidentReport
from organization.models import User
from tests.helpers import login
from tests.incidents.conftest import make_report  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME, NAME_KEY = "山田 太郎", "山田太郎"
PHONE = "090-1234-5678"
ADDRESS = "市内本町1-2-3"
REPORTER = "窓口 花子"  # ``staff``
POLICY_A = "文書で警告し、電話の窓口を総務課に一本化する。"
POLICY_B = "対応時間を30分までとし、超えたときは複数の職員で退去を求める。"
MEETING_TITLE = "第3回カスハラ対策委員会"


def referred_cases(users, make_report):  # noqa: F811
    """What precedes the journey: two referred cases by different reporters, the first with a linked
    相手方 on record (the 警告書's addressee); the 部長 of the first reporter's 部 on the committee."""
    desk = users["desk"]
    a = make_report(
        users["staff"], status=Status.REFERRED, type_codes=("repeat",), handler=desk,
        title="山田太郎氏からの繰り返しの電話", counterpart_name=NAME,
        counterpart_contact=f"{ADDRESS} TEL {PHONE}", demand="ごみ収集場所の即時移設",
        conduct="山田太郎と名乗り「窓口 花子を出せ」と毎日電話し、同じ要求を1時間繰り返した。",
    )
    b = make_report(
        users["staff2"], status=Status.REFERRED, type_codes=("long_detention",), handler=desk,
        title="窓口での長時間の居座り", channel=Channel.COUNTER, place="福祉課窓口", demand="給付の即時決定",
        conduct="「納得するまで帰らない」と言い、閉庁後も2時間窓口に座り続けた。",
    )
    counterpart = Counterpart.objects.create(created_by=desk, name=NAME, phone=PHONE, address=ADDRESS)
    counterpart_services.link_report(actor=desk, counterpart=counterpart, report=a, ip_address=None)
    User.objects.filter(pk=users["director"].pk).update(is_committee_member=True)
    return a, b, counterpart


def click_and_load(page, target) -> None:
    """Press a button or link that leaves the page and wait for the next one; no error shown there."""
    with page.expect_navigation():
        target.click()
    page.wait_for_load_state()
    errors = page.locator("main .alert-danger, main .invalid-feedback")
    assert not errors.count(), errors.all_inner_texts()


def success(page) -> str:
    return " ".join(page.locator("main .alert-success").all_inner_texts())


def test_committee_decides_two_cases_the_desk_warns_and_shares_and_staff2_reads_safely(
    page_factory, live_server, users, make_report  # noqa: F811
):
    a, b, counterpart = referred_cases(users, make_report)
    failures: list[str] = []

    def new_page(username: str):
        page = page_factory(viewport={"width": 1366, "height": 900})
        page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        login(page, live_server, username)
        return page

    # 1. The chair creates the meeting.
    chair = new_page("chair")
    chair.goto(f"{live_server.url}/committee/")
    click_and_load(chair, chair.get_by_role("link", name="会議を作成する"))
    starts = timezone.localtime().replace(second=0, microsecond=0) + timedelta(hours=1)
    chair.get_by_label("種別").select_option(label="定例会")
    chair.get_by_label("名称").fill(MEETING_TITLE)
    chair.get_by_label("開催日時").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    chair.get_by_label("場所").fill("本庁舎3階 第1会議室")
    click_and_load(chair, chair.get_by_role("button", name="保存する"))
    meeting = Meeting.objects.get(title=MEETING_TITLE)
    chair.wait_for_url(f"{live_server.url}/committee/meetings/{meeting.pk}/**")
    assert "会議を作成しました" in success(chair)

    # 2. Invites himself as 委員長, two 委員 and an observer.
    for option, role in (("委員 長（総務課）・対策委員", "委員長"), ("委員 一郎（人事課）・対策委員", "委員"),
                         ("環境 部長（生活環境課）・対策委員", "委員"), ("総務 相談員（総務課）", "オブザーバー（議決権なし）")):
        chair.get_by_label("招集する人").select_option(label=option)
        chair.get_by_label("役割").select_option(label=role)
        click_and_load(chair, chair.get_by_role("button", name="招集する", exact=True))
        assert "招集しました" in success(chair)
    roles = dict(Invitation.objects.filter(meeting=meeting).values_list("user__username", "role"))
    assert roles == {"chair": "chair", "member": "member", "director": "member", "desk2": "observer"}
    assert "定足数に達していません" in chair.locator("#members").inner_text()

    # 3. Both referred cases go on the agenda.
    for report in (a, b):
        chair.get_by_label("議題にする事案（委員会付議）").select_option(label=f"No.{report.pk} {report.title}")
        click_and_load(chair, chair.get_by_role("button", name="議題に加える"))
        assert "議題に加えました" in success(chair)
    item_a, item_b = (AgendaItem.objects.get(meeting=meeting, report=r) for r in (a, b))
    assert (item_a.position, item_b.position) == (1, 2)

    # 4. Attendance: everyone came.
    for legend in ("委員 長（委員長）", "委員 一郎（委員）", "環境 部長（委員）", "総務 相談員（オブザーバー（議決権なし））"):
        chair.locator("#members fieldset").filter(has_text=legend).get_by_label("出席", exact=True).check()
    click_and_load(chair, chair.get_by_role("button", name="出欠を記録する"))
    members = chair.locator("#members").inner_text()
    assert "定足数に達しています" in members
    assert "議決権のある委員 3 人のうち 3 人が出席（定足数 2 人）" in members
    assert set(Invitation.objects.filter(meeting=meeting).values_list("attended", flat=True)) == {True}

    # 5. Votes. Case A: the director is the head of the reporter's 部 and may not vote.
    article_a = chair.locator(f"#item-{item_a.pk}")
    director_row = article_a.locator("table tr").filter(has_text="環境 部長")
    assert "利害関係あり" in director_row.inner_text() and "報告者の部の部長" in director_row.inner_text()
    article_a.get_by_label("委員 一郎", exact=True).select_option(label="賛成")
    article_a.get_by_label("環境 部長", exact=True).select_option(label="賛成")
    with chair.expect_navigation():
        article_a.get_by_role("button", name="表決を記録する").click()
    refusal = chair.locator("main .alert-danger").inner_text()
    assert "次の人の表決は記録できません" in refusal and "環境 部長" in refusal and "報告者の部の部長" in refusal
    assert not item_a.votes.exists()
    article_a = chair.locator(f"#item-{item_a.pk}")
    # The refused page keeps what was chosen: the chair takes the director's vote back out.
    assert article_a.get_by_label("環境 部長", exact=True).input_value() == "for"
    article_a.get_by_label("環境 部長", exact=True).select_option(label="（記録なし）")
    article_a.get_by_label("委員 一郎", exact=True).select_option(label="賛成")
    click_and_load(chair, article_a.get_by_role("button", name="表決を記録する"))
    assert "表決を記録しました" in success(chair)
    assert "可決の要件を満たしています" in chair.locator(f"#item-{item_a.pk}").inner_text()

    # Case B: both 委員 may vote; the votes are equal.
    article_b = chair.locator(f"#item-{item_b.pk}")
    assert "利害関係あり" not in article_b.inner_text()
    article_b.get_by_label("委員 一郎", exact=True).select_option(label="賛成")
    article_b.get_by_label("環境 部長", exact=True).select_option(label="反対")
    click_and_load(chair, article_b.get_by_role("button", name="表決を記録する"))
    assert "可否同数" in chair.locator(f"#item-{item_b.pk}").inner_text()
    assert dict(item_b.votes.values_list("member__username", "choice")) == {"member": "for", "director": "against"}

    # 6. Decision drafts, then finalised: A with 文書による警告; B by the chair's casting vote.
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    for item, policy, measure, section, detail in (
        (item_a, POLICY_A, "文書による警告", "市民環境部 市民課", "警告書を送付する"),
        (item_b, POLICY_B, "職員のケア", "健康福祉部 福祉課", "対応した職員との面談"),
    ):
        click_and_load(chair, chair.locator(f"#item-{item.pk}").get_by_role("link", name="決定案を作る"))
        chair.get_by_label("カスハラに該当する", exact=True).check()
        chair.get_by_label("対応方針").fill(policy)
        first = chair.locator("fieldset").filter(has_text="措置 1")
        first.get_by_label("措置").select_option(label=measure)
        first.get_by_label("担当課").select_option(label=section)
        first.get_by_label("内容").fill(detail)
        first.get_by_label("期限").fill(due)
        click_and_load(chair, chair.get_by_role("button", name="決定案を保存する"))
        assert "決定案を保存しました" in success(chair)

    click_and_load(chair, chair.locator(f"#item-{item_a.pk}").get_by_role("button", name="決定を確定する"))
    assert "決定を確定しました" in success(chair)
    article_b = chair.locator(f"#item-{item_b.pk}")
    with chair.expect_navigation():
        article_b.get_by_role("button", name="決定を確定する").click()
    assert "委員長の決するところを記録してください" in chair.locator("main .alert-danger").inner_text()
    assert IncidentReport.objects.get(pk=b.pk).status == Status.REFERRED
    article_b = chair.locator(f"#item-{item_b.pk}")
    article_b.get_by_label("可否同数のときの委員長の決").select_option(label="可とする")
    click_and_load(chair, article_b.get_by_role("button", name="決定を確定する"))
    assert "決定を確定しました" in success(chair)
    assert set(IncidentReport.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {Status.DECIDED}
    decision_a = Decision.objects.get(report=a, finalised_at__isnull=False)
    assert decision_a.tally["conflicts"][0]["name"] == "環境 部長"
    assert Decision.objects.get(report=b, finalised_at__isnull=False).tally["casting_vote"] == "for"

    # The desk has the meeting page open before the minutes are approved.
    desk = new_page("desk")
    desk.goto(f"{live_server.url}/committee/meetings/{meeting.pk}/")

    # 7. The chair approves the minutes.
    click_and_load(chair, chair.get_by_role("link", name="議事録を見る"))
    assert not chair.locator("#minutes-problems").count(), chair.locator("#minutes-problems").inner_text()
    click_and_load(chair, chair.get_by_role("button", name="この内容で承認する"))
    assert "議事録を承認しました" in success(chair)
    assert chair.locator("#approved").count() == 1
    text = chair.locator("#minutes").inner_text()
    for name in ("委員 長", "委員 一郎", "環境 部長", "総務 相談員"):
        assert name in text, name
    assert "出席" in text and "欠席" not in text
    assert "定足数：議決権のある委員 3 人のうち 3 人が出席（定足数 2 人）。定足数を満たしている。" in text
    assert f"No.{a.pk} {a.title}" in text and f"No.{b.pk} {b.title}" in text
    assert POLICY_A in text and POLICY_B in text
    assert "文書による警告" in text and "職員のケア" in text
    assert "利害関係により表決に加わらなかった委員：環境 部長（報告者の部の部長）" in text
    assert "可否同数のため、委員長が可と決した。" in text
    assert text.count("決定（") == 2
    assert not chair.get_by_role("button", name="この内容で承認する").count()
    meeting.refresh_from_db()
    assert meeting.locked and meeting.minutes_text

    # A further change is refused: the desk records an absence from the page opened before.
    desk.locator("#members fieldset").filter(has_text="総務 相談員").get_by_label("欠席", exact=True).check()
    with desk.expect_navigation():
        desk.get_by_role("button", name="出欠を記録する").click()
    assert "議事録が承認されたため、この会議の記録は変更できません。" in desk.locator("main .alert-danger").inner_text()
    assert Invitation.objects.get(meeting=meeting, user=users["desk2"]).attended is True
    assert "承認済み（この会議の記録は変更できません）" in desk.locator("main").inner_text()
    assert not desk.get_by_role("button", name="出欠を記録する").count()
    assert not desk.get_by_role("button", name="議題に加える").count()

    # 8. The desk drafts the 警告書 from decision A, changes a word and issues it.
    click_and_load(desk, desk.locator(f"#item-{item_a.pk}").get_by_role("link", name="決定の詳細と措置"))
    click_and_load(desk, desk.get_by_role("link", name="この決定の文書（警告書・通知書）"))
    assert desk.get_by_label("作成する文書").locator("option:checked").inner_text() == "警告書"
    assert desk.get_by_label("宛先（相手方）").locator("option:checked").inner_text() == str(counterpart)
    click_and_load(desk, desk.get_by_role("button", name="下書きを作る"))
    assert "下書きを作成しました" in success(desk)
    assert not desk.locator("#unfilled").count(), desk.locator("#unfilled").inner_text()
    assert desk.get_by_label("宛名（住所・氏名）").input_value() == f"{ADDRESS}　{NAME} 様"
    body = desk.get_by_label("本文")
    assert "ここに警告します" in body.input_value() and "同じ要求を1時間繰り返した" in body.input_value()
    body.fill(body.input_value().replace("ここに警告します", "ここに強く警告します"))
    click_and_load(desk, desk.get_by_role("button", name="下書きを保存する"))
    assert "文書を保存しました" in success(desk)
    click_and_load(desk, desk.get_by_role("button", name="この内容で発出する"))
    assert "文書を発出しました" in success(desk)
    assert "発出済み" in desk.locator("h1").inner_text()
    assert "ここに強く警告します" in desk.locator("#letter-body").inner_text()
    letter = Letter.objects.get(decision=decision_a)
    assert letter.issued and letter.issued_by == users["desk"] and letter.counterpart == counterpart

    # The counterpart's page lists it.
    click_and_load(desk, desk.locator("main dl").get_by_role("link", name=str(counterpart)))
    desk.wait_for_url(f"{live_server.url}/counterparts/{counterpart.pk}/")
    sent = desk.locator("#letters-sent").inner_text()
    assert "警告書" in sent

    # 9. The desk writes the board summary of case A, reviews it and publishes it.
    desk.goto(f"{live_server.url}/reports/{a.pk}/")
    click_and_load(desk, desk.locator("#board-draft-link"))
    assert NAME_KEY not in desk.get_by_label("見出し").input_value()
    assert "職員Aを出せ" in desk.get_by_label("何が起きたか").input_value()
    assert POLICY_A in desk.get_by_label("対応方針").input_value()
    desk.get_by_label("ほかの職場への教訓").fill("同じ要求の電話は窓口を一本化し、記録を残して組織で対応する。")
    click_and_load(desk, desk.get_by_role("button", name="下書きを保存する"))
    entry = BoardEntry.objects.get(report=a)
    desk.wait_for_url(f"{live_server.url}/board/{entry.pk}/edit/")
    # Anything the check flags is rewritten before publishing.
    for _attempt in range(3):
        flags = desk.locator("#board-flags tr.board-flag")
        if not flags.count():
            break
        for row in flags.all():
            field = desk.locator(f"#board-form [name={row.get_attribute('data-field')}]")
            field.fill(field.input_value().replace(row.locator("mark").inner_text(), "（削除）"))
        click_and_load(desk, desk.get_by_role("button", name="保存する", exact=True))
    assert not desk.locator("#board-flags").count()
    desk.get_by_label("確認しました", exact=False).check()
    click_and_load(desk, desk.get_by_role("button", name="保存して公開する"))
    desk.wait_for_url(f"{live_server.url}/board/{entry.pk}/")
    assert "庁内共有に公開しました" in success(desk)
    assert IncidentReport.objects.get(pk=a.pk).status == Status.SHARED
    entry.refresh_from_db()
    assert entry.published and entry.reviewed_by == users["desk"]

    # 10. staff2 reads the entry on the board: no personal data, no way into the case.
    staff2 = new_page("staff2")
    staff2.goto(f"{live_server.url}/board/")
    listed = staff2.locator("#board-entries").inner_text()
    click_and_load(staff2, staff2.locator("#board-entries").get_by_role("link", name=entry.title))
    staff2.wait_for_url(f"{live_server.url}/board/{entry.pk}/")
    read = staff2.locator("main").inner_text()
    assert "職員Aを出せ" in read and POLICY_A in read
    html = staff2.content()
    for detail in (NAME, NAME_KEY, "山田", PHONE, "09012345678", "1234-5678", ADDRESS, "本町",
                   REPORTER, REPORTER.replace(" ", "")):
        assert detail not in listed, detail
        assert detail not in read, detail
        assert detail not in html, detail
    assert not report_policies.can_view_report(users["staff2"], a)
    assert staff2.locator(f'a[href*="/reports/{a.pk}/"]').count() == 0
    assert staff2.locator("#open-case").count() == 0

    # 11. Closed network and no server errors.
    assert chair.outside_requests == [], chair.outside_requests
    assert failures == [], failures
    assert AgendaItem.objects.filter(meeting=meeting, state=AgendaState.DECIDED).count() == 2
