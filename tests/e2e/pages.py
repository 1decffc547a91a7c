"""Every page of the product, once: its name (as the accessibility policy page shows it), how to
reach it in the demo data (``manage.py load_demo``), and the demo roles that may open it.

The accessibility test (``test_accessibility.py``) visits each page as each of its roles. A new
page is one more line in ``PAGES``; a page reached by a POST or showing an error says so with
``then`` / ``status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone

#: Not signed in.
ANONYMOUS = "anonymous"
#: Every demo user (``load_demo``), in the order the results list them.
USERS = ("staff", "staff2", "chief", "chief2", "director", "desk", "desk2", "gachief", "gadir", "chair", "member",
         "admin", "nurse", "kanzai", "auditor")
ROLES = (ANONYMOUS, *USERS)
SIGNED_IN = USERS
EVERYONE = ROLES
#: The queue's users, and those who read the counterpart register.
QUEUE = ("chief", "chief2", "director", "desk", "desk2", "gachief", "gadir", "kanzai")
REGISTER = ("desk", "desk2", "chair", "member")
#: Those with numbers at /stats/ (stats.policies.scope_for).
STATS = ("chief", "chief2", "director", "desk", "desk2", "gachief", "gadir", "chair", "member", "kanzai")


class Demo:
    """Objects of the demo data, looked up by what the demo loader names them."""

    @staticmethod
    def report(title: str) -> int:
        from incidents.models import IncidentReport

        return IncidentReport.objects.values_list("pk", flat=True).get(title=title)

    @staticmethod
    def counterpart() -> int:
        from counterparts.models import Counterpart

        return Counterpart.objects.values_list("pk", flat=True).get(name="山田 太郎")

    @staticmethod
    def measure() -> int:
        from counterparts.models import Measure

        return Measure.objects.values_list("pk", flat=True).get(counterpart__name="山田 太郎", ended_on=None)

    @staticmethod
    def consultation(author: str) -> int:
        from consultations.models import Consultation

        return Consultation.objects.values_list("pk", flat=True).filter(author__username=author).earliest("pk")

    @staticmethod
    def board_entry(published: bool) -> int:
        """The board's demo entries, made on first use: a published one (the closed SNS case) and a
        draft with a flagged name left in it (the shared phone case). The decided case stays free for
        「庁内共有の記事を作る」."""
        from committee import board
        from committee.models import BoardEntry
        from incidents.models import IncidentReport
        from organization.models import User

        title = "SNS への職員の顔写真の投稿" if published else "2時間を超える電話"
        report = IncidentReport.objects.get(title=title)
        entry = BoardEntry.objects.filter(report=report).first()
        if entry is None:
            values = board.prefill(report)
            types = values.pop("types")
            values["policy"] = values["policy"] or "文書で警告し、対応窓口を一本化する。"
            if not published:
                values["lessons"] = "山田太郎氏への対応は、30分を目安に打ち切る。"
            desk = User.objects.get(username="desk")
            entry = BoardEntry.objects.create(
                report=report, created_by=desk, **values,
                flags=board.check(values, board.secrets_for(report)),
                reviewed_by=desk if published else None, published_at=timezone.now() if published else None)
            entry.types.set(types)
        return entry.pk

    @staticmethod
    def decision() -> int:
        from committee.models import Decision

        return Decision.objects.values_list("pk", flat=True).get(report__title="書類を投げつけられた",
                                                                 finalised_at__isnull=False)

    @staticmethod
    def letter() -> int:
        """A draft 警告書 of that decision (drafted through the service the first time it is asked for)."""
        from committee import letters
        from committee.models import Decision, Letter, LetterTemplate
        from organization.models import User

        decision = Decision.objects.get(pk=Demo.decision())
        letter = Letter.objects.filter(decision=decision, issued_at__isnull=True).first()
        if letter is None:
            letter, _missing = letters.draft_letter(decision=decision, template=LetterTemplate.objects.get(code="warning"),
                                                    actor=User.objects.get(username="desk"))
        return letter.pk

    @staticmethod
    def meeting(title: str = "第1回カスハラ対策委員会") -> int:
        from committee.models import Meeting

        return Meeting.objects.values_list("pk", flat=True).get(title=title)

    @staticmethod
    def agenda_item() -> int:
        from committee.models import AgendaItem

        return AgendaItem.objects.values_list("pk", flat=True).get(meeting=Demo.meeting("第2回カスハラ対策委員会"))

    @staticmethod
    def committee_measure() -> int:
        from committee.models import Measure

        return Measure.objects.values_list("pk", flat=True).get(decision=Demo.decision(), type__code="staff_care")

    @staticmethod
    def chapter() -> str:
        from manual.models import Chapter

        return Chapter.objects.order_by("pk").values_list("slug", flat=True).first()


def prepare_demo() -> None:
    """What the demo loader leaves out but a role needs to have a page: the 部長 raises one case
    to 特に困難, so the 総務部長 has a case under cross-department review (through the service)."""
    from incidents import services
    from incidents.models import Difficulty, EventAction, IncidentReport
    from organization.models import User

    report = IncidentReport.objects.get(title="土下座の要求")
    if not report.cross_review:
        services.update_case(report=report, actor=User.objects.get(username="director"), action=EventAction.ESCALATED,
                             changes={"difficulty": Difficulty.VERY_HARD, "cross_review": True})


def roster_import(*, applied: bool) -> int:
    """A 職員名簿 import of 20 generated people (one row refused), planned against the demo but not
    written: 「確認中」 with its file (the preview page), or recorded as 反映済み (the result page)."""
    from bench.roster import roster, to_bytes
    from organization import roster as importer
    from organization.models import RosterImport, User

    state = RosterImport.State.APPLIED if applied else RosterImport.State.PREVIEW
    record = RosterImport.objects.filter(state=state, filename="demo-roster.csv").first()
    if record is None:
        rows = [dict(row) for row in roster(people=200, seed=1).rows[:20]]
        rows[3]["役割"] = "管理者"
        data = to_bytes(rows)
        record = RosterImport(filename="demo-roster.csv", state=state, actor=User.objects.get(username="admin"),
                              content=b"" if applied else data, applied_at=timezone.now() if applied else None)
        importer.fill_record(record, importer.plan_import(importer.read_roster(data, record.filename), partial=True))
        record.save()
    return record.pk


def report_url(title: str, view: str = "detail") -> Callable[[], str]:
    return lambda: reverse(f"incidents:{view}", args=[Demo.report(title)])


def flood_timeline(page) -> int:
    """The report form posted with more 経過 rows than the page allows: the 400 page."""
    with page.expect_navigation() as navigation:
        page.evaluate("""() => {
            const form = document.getElementById('report-form');
            form.querySelector('[name="timeline-TOTAL_FORMS"]').value = '500';
            HTMLFormElement.prototype.submit.call(form);
        }""")
    return navigation.value.status


def refuse_preferences(page) -> int:
    """The settings form posted with a choice it does not offer: the 400 page that asks again."""
    with page.expect_navigation() as navigation:
        page.evaluate("""() => {
            const form = document.querySelector('main form[method=post]');
            const radio = form.querySelector('input[type=radio]');
            radio.value = 'fax';
            radio.checked = true;
            HTMLFormElement.prototype.submit.call(form);
        }""")
    return navigation.value.status


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[], str]
    roles: tuple[str, ...]
    #: The answer the page is expected to be (the error pages).
    status: int = 200
    #: What to do on the page once loaded to reach the page meant (post a form); gives its status.
    then: Callable | None = None
    #: Variants of one page (a tab, a search) share a group and may share a title.
    group: str = ""

    @property
    def title_group(self) -> str:
        return self.group or self.name


def path(url: str) -> Callable[[], str]:
    return lambda: url


def lock_out(page) -> int:
    """Wrong passwords for an account that does not exist until sign-in is stopped: the 429 page."""
    status = 200
    for _ in range(6):
        page.fill("input[name=username]", "no-such-account")
        page.fill("input[name=password]", "wrong-password")
        with page.expect_navigation() as navigation:
            page.click("main button[type=submit]")
        status = navigation.value.status
        if status == 429:
            break
    return status


def second_factor_user(username: str, *, app: bool):
    """A member of ``staff``'s 課 with the demo password (not one of ``USERS``: their pages stay open),
    with an authenticator app set up (``app``) or none."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from organization.models import User
    from signin import otp_services

    staff = User.objects.get(username="staff")
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": "二要素 確認", "section": staff.section})
    if created:
        user.set_password("kasuhara-demo")
        user.save()
    if not app:
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    elif not otp_services.has_second_factor(user):
        device = otp_services.pending_device(user=user)
        outcome, _codes = otp_services.confirm_setup(user=user, device=device, code=app_code(device))
        assert outcome.ok
    return user


def app_code(device) -> str:
    """The 6 digits the authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def origin(page) -> str:
    """``http://host:port`` of the page open."""
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in_by_form(page, username: str) -> int:
    """A fresh sign-in through the form (earlier pages' cookies dropped); the status it ends on."""
    page.context.clear_cookies()
    page.goto(origin(page) + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kasuhara-demo")
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    return navigation.value.status


def awaiting_code(page) -> int:
    """Signed in by password, the authenticator app's code not typed yet: the code page."""
    second_factor_user("otp-verify", app=True)
    return sign_in_by_form(page, "otp-verify")


def wrong_code(page) -> int:
    """The code page after a wrong code (its message, the field marked)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    awaiting_code(page)
    right = app_code(TOTPDevice.objects.get(user__username="otp-verify", confirmed=True))
    page.fill("input[name=code]", "000000" if right != "000000" else "111111")
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    return navigation.value.status


def recovery_codes(page) -> int:
    """The setup done with the app's first code: the ten recovery codes, shown once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    second_factor_user("otp-setup", app=False)
    sign_in_by_form(page, "otp-setup")
    page.goto(origin(page) + "/accounts/security/setup/")
    device = TOTPDevice.objects.get(user__username="otp-setup", confirmed=False)
    page.fill("input[name=code]", app_code(device))
    with page.expect_navigation() as navigation:
        page.click("main button[type=submit]")
    return navigation.value.status


# (name, url, roles) — names are the policy page's words; one line per page.
PAGES: list[Page] = [
    Page("ログイン", path("/accounts/login/"), (ANONYMOUS,)),
    Page("ウェブアクセシビリティ方針", path("/accessibility/"), EVERYONE),
    Page("ページが見つかりません（404）", path("/no-such-page/"), EVERYONE, status=404),
    Page("ホーム", path("/"), SIGNED_IN),
    # 発生連絡票
    Page("連絡票を書く", path("/reports/new/"), SIGNED_IN),
    Page("送信内容を受け付けられません（400：経過記録が多すぎる）", path("/reports/new/"), SIGNED_IN, status=400,
         then=flood_timeline),
    Page("連絡票の編集（下書き）", report_url("書きかけ：自宅への呼び出し", "edit"), ("staff",)),
    Page("連絡票の編集（差戻し）", report_url("執拗な食事の誘い", "edit"), ("staff2",)),
    Page("下書きの削除（確認）", report_url("書きかけ：自宅への呼び出し", "discard"), ("staff",)),
    Page("私の連絡票", path("/reports/"), SIGNED_IN),
    Page("閲覧できる連絡票", path("/reports/?scope=visible"), ("chief", "chief2", "director", "desk", "gachief")),
    Page("連絡票（提出済み）", report_url("電話で「馬鹿野郎」と怒鳴られた"), ("staff", "chief", "director", "desk")),
    Page("連絡票（所属長確認済み・特に困難）", report_url("土下座の要求"), ("staff", "chief", "director", "desk", "gadir")),
    Page("連絡票（相談窓口受付済み）", report_url("「殺されたいのか」との発言"), ("staff", "desk", "desk2")),
    Page("連絡票（対応中）", report_url("窓口での長時間の居座り"), ("staff", "chief", "director", "desk")),
    Page("連絡票（委員会付議）", report_url("同じ要望の電話が毎日続く"), ("staff", "desk", "chair", "member")),
    Page("連絡票（差戻し）", report_url("執拗な食事の誘い"), ("staff2", "desk")),
    Page("連絡票（対応方針決定）", report_url("書類を投げつけられた"), ("staff2", "chief2", "desk", "chair", "member")),
    Page("連絡票（庁内共有済み）", report_url("2時間を超える電話"), ("staff2", "desk", "chair")),
    Page("連絡票（完了）", report_url("SNS への職員の顔写真の投稿"), ("staff", "desk")),
    Page("連絡票の印刷", report_url("窓口での長時間の居座り", "print"), ("staff", "chief", "director", "desk")),
    # 受付キュー
    Page("受付キュー", path("/queue/"), QUEUE),
    Page("受付キュー（完了タブ）", path("/queue/?tab=closed"), QUEUE, group="受付キュー"),
    Page("受付キュー（検索）", path("/queue/?q=%E9%9B%BB%E8%A9%B1"), ("desk", "chief"), group="受付キュー"),
    Page("受付キューのエクスポート", path("/queue/export/?tab=all"), QUEUE),
    Page("保存期間による削除の記録", path("/queue/retention/"), ("desk", "desk2", "admin")),
    Page("受付キューのエクスポート（出力できない列：400）", path("/queue/export/file/?tab=all&columns=no&columns=nonsense&format=csv"),
         ("desk", "chief"), status=400, group="受付キューのエクスポート"),
    # 相談
    Page("相談の一覧", path("/consultations/"), SIGNED_IN),
    Page("相談する", path("/consultations/new/"), SIGNED_IN),
    Page("相談（回答待ち）", lambda: reverse("consultations:detail", args=[Demo.consultation("staff")]), ("staff", "desk")),
    Page("相談（回答済み・所属長と共有）", lambda: reverse("consultations:detail", args=[Demo.consultation("staff2")]),
         ("staff2", "chief2", "desk")),
    # 相手方
    Page("相手方の一覧", path("/counterparts/"), REGISTER),
    Page("相手方の一覧（検索）", path("/counterparts/?q=%E5%B1%B1%E7%94%B0"), ("desk",), group="相手方の一覧"),
    Page("相手方", lambda: reverse("counterparts:detail", args=[Demo.counterpart()]), REGISTER),
    Page("相手方の情報を編集", lambda: reverse("counterparts:edit", args=[Demo.counterpart()]), ("desk",)),
    Page("相手方の紐付け", lambda: reverse("counterparts:link", args=[Demo.report("「殺されたいのか」との発言")]), ("desk",)),
    Page("相手方を新しく登録", lambda: reverse("counterparts:create", args=[Demo.report("「殺されたいのか」との発言")]),
         ("desk",)),
    Page("紐付けの解除", lambda: reverse("counterparts:unlink", args=[Demo.counterpart(), Demo.report("2時間を超える電話")]),
         ("desk",)),
    Page("措置を追加", lambda: reverse("counterparts:add_measure", args=[Demo.counterpart()]), ("desk",)),
    Page("措置の終了", lambda: reverse("counterparts:end_measure", args=[Demo.counterpart(), Demo.measure()]), ("desk",)),
    # 庁内共有
    Page("庁内共有", path("/board/"), SIGNED_IN),
    Page("庁内共有（検索）", path("/board/?q=%E9%9B%BB%E8%A9%B1&type=verbal_abuse"), ("staff", "desk"), group="庁内共有"),
    Page("庁内共有の記事", lambda: reverse("board:detail", args=[Demo.board_entry(published=True)]), SIGNED_IN),
    Page("庁内共有の記事（未公開）", lambda: reverse("board:detail", args=[Demo.board_entry(published=False)]),
         ("desk",)),
    Page("庁内共有の記事の確認と公開", lambda: reverse("board:edit", args=[Demo.board_entry(published=False)]),
         ("desk",)),
    Page("庁内共有の記事を作る", lambda: reverse("board:new", args=[Demo.report("書類を投げつけられた")]), ("desk",)),
    # 対策委員会：会議・議題・決定・措置
    Page("対策委員会", path("/committee/"), ("desk", "desk2", "chair", "member")),
    Page("会議を作成する", path("/committee/meetings/new/"), ("desk", "chair")),
    Page("委員会の会議（審議予定）", lambda: reverse("committee:meeting", args=[Demo.meeting("第2回カスハラ対策委員会")]),
         ("desk", "chair", "member")),
    Page("委員会の会議（決定済み）", lambda: reverse("committee:meeting", args=[Demo.meeting()]), ("desk", "chair", "member")),
    Page("会議の変更", lambda: reverse("committee:meeting_edit", args=[Demo.meeting("第2回カスハラ対策委員会")]), ("chair",)),
    Page("決定案", lambda: reverse("committee:decision_draft", args=[Demo.agenda_item()]), ("chair",)),
    Page("対応方針の決定", lambda: reverse("committee:decision", args=[Demo.decision()]), ("desk", "chair", "member")),
    Page("決定の訂正", lambda: reverse("committee:correct", args=[Demo.decision()]), ("chair",)),
    Page("措置", lambda: reverse("committee:measure", args=[Demo.committee_measure()]),
         ("desk", "chief2", "chair", "member")),
    # 対策委員会：決定の文書と議事録
    Page("決定の文書", lambda: reverse("committee:decision_letters", args=[Demo.decision()]), ("desk", "desk2")),
    Page("文書（下書き）", lambda: reverse("committee:letter", args=[Demo.letter()]), ("desk", "desk2")),
    Page("文書の印刷", lambda: reverse("committee:letter_print", args=[Demo.letter()]), ("desk",)),
    Page("議事録", lambda: reverse("committee:minutes", args=[Demo.meeting()]), ("desk", "chair", "member")),
    Page("議事録の印刷", lambda: reverse("committee:minutes_print", args=[Demo.meeting()]), ("chair",)),
    # 対応マニュアル
    Page("対応マニュアル", path("/manual/"), SIGNED_IN),
    Page("対応マニュアル：態様（暴言型）", path("/manual/types/verbal_abuse/"), SIGNED_IN),
    Page("いま対応中（暴言型）", path("/manual/types/verbal_abuse/live/"), SIGNED_IN),
    Page("対応マニュアル：章", lambda: reverse("manual:chapter", args=[Demo.chapter()]), SIGNED_IN),
    Page("マニュアルの検索", path("/manual/search/?q=%E9%8C%B2%E9%9F%B3"), SIGNED_IN),
    Page("対応マニュアル（印刷用）", path("/manual/print/"), SIGNED_IN),
    # お知らせ
    Page("お知らせ", path("/inbox/"), SIGNED_IN),
    Page("お知らせ（未読のみ）", path("/inbox/?unread=1"), SIGNED_IN, group="お知らせ"),
    Page("お知らせの受け取り方", path("/inbox/settings/"), SIGNED_IN),
    Page("お知らせの受け取り方（選び直し：400）", path("/inbox/settings/"), SIGNED_IN, status=400,
         then=refuse_preferences, group="お知らせの受け取り方"),
    # 法律相談・庁舎管理の依頼 (support/; the demo's requests are looked up through support.demo)
    Page("法律相談の依頼の一覧", path("/support/"), ("chief", "desk", "gachief")),
    Page("庁舎管理の依頼の一覧", path("/support/?kind=building"), ("chief", "desk", "kanzai")),
    Page("法律相談の依頼", lambda: reverse("support:legal", args=[__import__("support.demo").demo.legal_request_id()]),
         ("staff2", "chief2", "desk", "gachief")),
    Page("法律相談依頼書の印刷", lambda: reverse("support:legal_print", args=[__import__("support.demo").demo.legal_request_id()]),
         ("desk",)),
    Page("法律相談を依頼する", lambda: reverse("support:legal_new", args=[Demo.report("窓口での長時間の居座り")]), ("chief", "desk")),
    Page("庁舎管理の依頼", lambda: reverse("support:building", args=[__import__("support.demo").demo.building_request_id()]),
         ("staff", "chief", "desk", "kanzai")),
    Page("庁舎管理に依頼する", lambda: reverse("support:building_new", args=[Demo.report("窓口での長時間の居座り")]), ("chief", "desk")),
    # 職員のケア (care/; the demo's records are looked up through care.demo)
    Page("職員へのフォロー", path("/care/checkins/"), ("desk", "desk2")),
    Page("職員へのフォロー（記録）", lambda: reverse("care:checkin", args=[__import__("care.demo").demo.checkin_id()]), ("desk",)),
    Page("保健室への紹介の一覧", path("/care/referrals/"), ("staff", "chief", "desk", "nurse")),
    Page("保健室への紹介", lambda: reverse("care:referral", args=[__import__("care.demo").demo.referral_id()]),
         ("staff", "chief", "desk", "nurse")),
    Page("保健室への紹介への同意", lambda: reverse("care:consent", args=[__import__("care.demo").demo.referral_id()]), ("staff",)),
    Page("保健室への紹介を提案する", lambda: reverse("care:propose", args=[Demo.report("窓口での長時間の居座り")]), ("desk",)),
    # 応援要請 (helpcalls/; the demo's closed call is made by tests.helpcalls.demo)
    Page("応援を呼ぶ", path("/help/new/"), SIGNED_IN),
    Page("応援を呼ぶ（場所が長すぎる：400）", path("/help/new/"), ("staff",), status=400,
         then=lambda page: __import__("tests.helpcalls.demo").helpcalls.demo.too_long_place(page), group="応援を呼ぶ"),
    Page("応援要請", lambda: reverse("helpcalls:detail", args=[__import__("tests.helpcalls.demo").helpcalls.demo.demo_help_call()]),
         ("staff", "chief")),
    # 対応中の記録 (incidents/live*; the demo's record is made by tests.incidents.live_demo)
    Page("対応中の記録の一覧", path("/reports/live/"), SIGNED_IN),
    Page("対応中の記録", lambda: reverse("live:record", args=[__import__("tests.incidents.live_demo").incidents.live_demo.record_id()]),
         ("staff",)),
    # 職員アンケート (surveys/; the demo's surveys are looked up through surveys.demo)
    Page("職員アンケート", path("/surveys/"), SIGNED_IN),
    Page("職員アンケートの回答", lambda: reverse("surveys:answer", args=[__import__("surveys.demo").demo.survey_id(open_now=True)]),
         ("staff", "admin")),
    Page("職員アンケートの回答（回答済み）", lambda: reverse("surveys:answer", args=[__import__("surveys.demo").demo.survey_id(open_now=True)]),
         ("staff2", "desk"), group="職員アンケートの回答"),
    Page("職員アンケートの回答（回答期間外）", lambda: reverse("surveys:answer", args=[__import__("surveys.demo").demo.survey_id(open_now=False)]),
         ("staff",)),
    Page("職員アンケートの回答完了", lambda: reverse("surveys:thanks", args=[__import__("surveys.demo").demo.survey_id(open_now=True)]),
         ("staff2", "desk")),
    Page("職員アンケートの結果", lambda: reverse("surveys:results", args=[__import__("surveys.demo").demo.survey_id(open_now=True)]),
         ("desk", "desk2", "chair", "member", "gadir", "gachief", "admin")),
    Page("職員アンケートの結果（前年度）", lambda: reverse("surveys:results", args=[__import__("surveys.demo").demo.survey_id(open_now=False)]),
         ("desk",)),
    # 年次報告 (stats/annual*; the demo's draft for this 年度 is made by stats.annual_demo)
    Page("年次報告の一覧", path("/stats/annual/"), ("desk", "desk2", "gachief", "gadir", "chair", "member")),
    Page("カスハラ発生状況報告（下書き）", lambda: reverse("stats:annual_report", args=[__import__("stats.annual_demo").annual_demo.report_year()]),
         ("desk", "desk2", "gachief", "gadir", "chair", "member")),
    Page("カスハラ発生状況報告の確定（確認）", lambda: reverse("stats:annual_finalise", args=[__import__("stats.annual_demo").annual_demo.report_year()]),
         ("desk", "desk2")),
    Page("カスハラ発生状況報告の印刷", lambda: reverse("stats:annual_print", args=[__import__("stats.annual_demo").annual_demo.report_year()]),
         ("desk", "desk2", "gachief", "gadir", "chair", "member")),
    # 統計 (stats/: the city for the desk, the committee and 総務; a 部 for its 部長; a 課 for its 所属長)
    Page("統計ダッシュボード", path("/stats/"), STATS),
    Page("統計ダッシュボード（前年度・月と場所で絞り込み）", lambda: "/stats/?month_from=4&month_to=9&channel=counter&year="
         + str(__import__("kasuhara.figures").figures.fiscal_year_of(timezone.localdate()) - 1),
         STATS, group="統計ダッシュボード"),
    Page("統計ダッシュボード（正しくない条件）", path("/stats/?year=abc&section=999999"), ("desk", "chief"),
         group="統計ダッシュボード"),
    # サインインの設定 (signin/: the second factor; a demo user has none set up)
    Page("サインインの設定", path("/accounts/security/"), SIGNED_IN),
    Page("二要素認証の設定", path("/accounts/security/setup/"), ("staff", "desk", "admin")),
    # サインイン中の端末, and the page of a stopped sign-in (signin/: sessions, throttling)
    Page("サインイン中の端末", path("/accounts/security/sessions/"), ("staff", "desk", "admin")),
    Page("サインインを一時的に止めています（429）", path("/accounts/login/"), (ANONYMOUS,), status=429, then=lock_out),
    # The second factor's pages of one sign-in (signed in by the form as users of their own; last of
    # the anonymous pages, since they leave that browser signed in)
    Page("二要素認証のコード入力", path("/accounts/login/"), (ANONYMOUS,), then=awaiting_code),
    Page("二要素認証のコード入力（正しくないコード）", path("/accounts/login/"), (ANONYMOUS,), then=wrong_code,
         group="二要素認証のコード入力"),
    Page("回復コード（二要素認証の設定の直後）", path("/accounts/login/"), (ANONYMOUS,), then=recovery_codes),
    # 監査 (audit/: the auditor only)
    Page("監査記録", path("/audit/"), ("auditor",)),
    Page("監査記録（正しくない条件）", path("/audit/?report=abc&since=2026-13-01"), ("auditor",), group="監査記録"),
    # 管理
    Page("管理画面（管理メニュー）", path("/admin/"), ("admin",)),
    Page("役割を変更", lambda: reverse("admin:organization_user_roles",
                                  args=[__import__("organization.models").models.User.objects.get(username="staff").pk]),
         ("admin",)),
    Page("職員名簿を取り込む", path("/admin/organization/rosterimport/import/"), ("admin",)),
    Page("職員名簿の取込み：反映前の確認",
         lambda: reverse("admin:organization_rosterimport_preview", args=[roster_import(applied=False)]), ("admin",)),
    Page("職員名簿の取込み：反映結果",
         lambda: reverse("admin:organization_rosterimport_result", args=[roster_import(applied=True)]), ("admin",)),
]


def pages_for(role: str) -> list[Page]:
    return [page for page in PAGES if role in page.roles]
