"""Demo organisation, one user per role (password ``kasuhara-demo``) and a dozen sample cases in
every state of the lifecycle, moved there through the real services (so their history is real).

Only for demos and development: refuses to run unless ``KASUHARA_DEMO`` is on (the default only
with ``DJANGO_DEBUG``). Running it twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit.guard import backdating
from care import demo as care_demo
from committee import services as committee_services
from committee.models import Judged, MeasureType, Meeting, MeetingKind, MemberRole, VoteChoice
from consultations import services as consultation_services
from consultations.models import Consultation
from counterparts import services as counterpart_services
from counterparts.models import Counterpart
from incidents import services
from incidents.lifecycle import Status
from incidents.models import Channel, EventAction, IncidentReport, ReportEvent, TimelineEntry
from manual.models import HarassmentType
from notifications import outbox
from notifications import services as notice_services
from notifications.tasks import sweep as notice_sweep
from organization import demo as organization_demo
from organization.models import Department, Section, User
from stats import annual_demo
from stats import demo as stats_demo
from support import demo as support_demo
from surveys import demo as survey_demo

DEMO_PASSWORD = "kasuhara-demo"  # noqa: S105 - demo only, never in production

ORGANISATION = {
    "総務部": ["総務課", "人事課", "財政課", "契約管財課"],
    "市民環境部": ["市民課", "生活環境課"],
    "健康福祉部": ["福祉課", "長寿社会課", "こども家庭課"],
    "都市整備部": ["都市計画課", "土木課"],
}

# username: (display name, 部, 課, role flags)
USERS = {
    "staff": ("窓口 花子", "市民環境部", "市民課", {}),
    "staff2": ("福祉 太郎", "健康福祉部", "福祉課", {}),
    "chief": ("市民 課長", "市民環境部", "市民課", {"is_section_chief": True}),
    "chief2": ("福祉 課長", "健康福祉部", "福祉課", {"is_section_chief": True}),
    "director": ("環境 部長", "市民環境部", "生活環境課", {"is_director": True}),
    "desk": ("総務 窓口", "総務部", "総務課", {"is_desk": True}),
    "desk2": ("総務 相談員", "総務部", "総務課", {"is_desk": True}),
    "gachief": ("総務 課長", "総務部", "総務課", {"is_section_chief": True}),
    "gadir": ("総務 部長", "総務部", "総務課", {"is_ga_director": True}),
    "chair": ("委員 長", "総務部", "総務課", {"is_committee_chair": True, "is_committee_member": True}),
    "member": ("委員 一郎", "総務部", "人事課", {"is_committee_member": True}),
    "admin": ("システム 管理者", "総務部", "総務課", {"is_staff": True, "is_superuser": True}),
    "nurse": ("保健 師", "総務部", "人事課", {"is_health_office": True}),
    "auditor": ("監査 委員", "総務部", "人事課", {"is_auditor": True}),
}

# title, reporter, type codes, channel, status, days ago, minutes, conduct, demand
SAMPLES = [
    ("窓口での長時間の居座り", "staff", ["long_detention"], Channel.COUNTER, Status.IN_PROGRESS, 3, 150,
     "「納得するまで帰らない」と言い、閉庁時間を過ぎても窓口に座り続けた。", "住民票の手数料を無料にすること"),
    ("電話で「馬鹿野郎」と怒鳴られた", "staff", ["verbal_abuse"], Channel.PHONE, Status.SUBMITTED, 6, 40,
     "「馬鹿野郎」「お前じゃ話にならない」と大声で繰り返し怒鳴った。", "担当者を替えること"),
    ("同じ要望の電話が毎日続く", "staff", ["repeat"], Channel.PHONE, Status.REFERRED, 10, 25,
     "「昨日も言ったがまた電話した。何度でもかける」と述べ、前日と同じ要望を繰り返した。", "ごみ収集場所の即時移設"),
    ("「殺されたいのか」との発言", "staff", ["intimidation", "verbal_abuse"], Channel.COUNTER, Status.ACCEPTED, 14, 35,
     "カウンターを叩きながら「殺されたいのか」と言い、職員に顔を近づけた。", "申請の即日受理"),
    ("土下座の要求", "staff", ["authority"], Channel.COUNTER, Status.CONFIRMED, 20, 60,
     "「市議会議員を知っている。土下座して謝れ」と要求した。", "文書での謝罪と土下座"),
    ("SNS への職員の顔写真の投稿", "staff", ["online_defamation"], Channel.ONLINE, Status.CLOSED, 25, 20,
     "窓口で職員をスマートフォンで撮影し「ネットにさらしてやる」と言い、その後 SNS に氏名入りで投稿した。",
     "対応の撤回"),
    ("書きかけ：自宅への呼び出し", "staff", ["off_premises"], Channel.VISIT, Status.DRAFT, 1, 90,
     "「説明に来い。来なければ毎日電話する」と言い、自宅への訪問を求めた。", "自宅での説明"),
    ("深夜に個人の携帯電話へ着信", "staff2", ["private_contact"], Channel.PERSONAL, Status.SUBMITTED, 4, 45,
     "深夜 23 時に職員個人の携帯電話へ電話し「昼間の件だ、今すぐ答えろ」と述べた。", "給付の可否の即答"),
    ("執拗な食事の誘い", "staff2", ["sexual_harassment"], Channel.COUNTER, Status.RETURNED, 8, 15,
     "来庁のたびに「今度食事に行こう。連絡先を教えろ」と職員に繰り返し言った。", "職員の個人連絡先"),
    ("書類を投げつけられた", "staff2", ["violence", "verbal_abuse"], Channel.COUNTER, Status.DECIDED, 12, 30,
     "「ふざけるな」と怒鳴り、申請書類の束を職員に向けて投げつけた。", "申請の受理"),
    ("2時間を超える電話", "staff2", ["long_detention", "repeat"], Channel.PHONE, Status.SHARED, 18, 130,
     "「まだ話は終わっていない」と言って電話を切らせず、同じ主張を2時間以上続けた。", "制度の例外適用"),
    ("書きかけ：窓口での大声", "staff2", ["verbal_abuse"], Channel.COUNTER, Status.DRAFT, 0, 20,
     "「早くしろ」と大声で繰り返した。", "即時の対応"),
]


class Command(BaseCommand):
    help = "デモ用の組織、役割ごとの利用者、サンプルの連絡票を作成します（何度実行しても同じ結果）。"

    def handle(self, *args, **options):
        if not settings.KASUHARA_DEMO:
            raise CommandError("KASUHARA_DEMO が無効です。本番環境ではデモデータを作成できません。")
        # The demo's history writes notices like real use does; they go to the inbox only (nobody
        # is e-mailed about made-up cases). What the sweeps find due is written as well.
        with outbox.held() as held, transaction.atomic():
            sections = self._organisation()
            users = self._users(sections)
            # A 代理 and a renamed 課 (its two people stay out of ``users``: the access tables' roles).
            organization_demo.load(users, sections, password=DEMO_PASSWORD)
            created = self._reports(users)
            self._counterparts(users)
            self._consultations(users)
            self._committee(users)
            care_demo.load(users)
            support_demo.load(users)
            stats_demo.load(users)
            annual_demo.load(users)
            survey_demo.load(users)
            notice_sweep()
        notice_services.settle_in_inbox(ids=held)
        self.stdout.write(self.style.SUCCESS(
            f"デモデータ: 利用者 {len(users)} 人、新しく作成した連絡票 {created} 件（パスワード: {DEMO_PASSWORD}）"
        ))

    def _organisation(self) -> dict[str, Section]:
        sections = {}
        for d_order, (dept_name, section_names) in enumerate(ORGANISATION.items(), 1):
            dept, _ = Department.objects.get_or_create(name=dept_name, defaults={"order": d_order})
            for s_order, name in enumerate(section_names, 1):
                section, _ = Section.objects.get_or_create(
                    department=dept, name=name,
                    defaults={"order": s_order, "is_general_affairs": name == "総務課"},
                )
                sections[name] = section
        return sections

    def _users(self, sections: dict[str, Section]) -> dict[str, User]:
        users = {}
        for username, (display, _dept, section, flags) in USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, display_name=display, section=sections[section],
                            email=f"{username}@example.lg.jp", **flags)
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user
        return users

    def _move_to(self, report: IncidentReport, status: str, users: dict[str, User]) -> None:
        """Through the lifecycle's own moves, by the people who make them."""
        chief = users["chief"] if report.section.name == "市民課" else users["chief2"]
        desk, chair = users["desk"], users["chair"]
        steps = [("submit", report.reporter, {}, "")]
        if status == Status.RETURNED:
            steps.append(("return", desk, {}, "相手方の言葉をそのまま（「」で）書き足してください。"))
        elif status != Status.SUBMITTED:
            steps.append(("confirm", chief, {"judgement": "applicable", "difficulty": "hard" if status in (
                Status.REFERRED, Status.DECIDED, Status.SHARED) else "normal", "comment": "課内で対応を確認済み"}, ""))
        order = [Status.ACCEPTED, Status.IN_PROGRESS, Status.REFERRED, Status.DECIDED, Status.SHARED]
        moves = {Status.ACCEPTED: ("accept", desk, {}, ""), Status.IN_PROGRESS: ("start", desk, {}, ""),
                 Status.REFERRED: ("refer", desk, {}, "同じ相手方から繰り返し。継続性・悪質性とも高い。"),
                 Status.DECIDED: ("decide", chair, {}, "文書で警告し、対応窓口を総務課に一本化する。"),
                 Status.SHARED: ("share", desk, {}, "")}
        if status == Status.CLOSED:
            steps += [moves[Status.ACCEPTED], moves[Status.IN_PROGRESS],
                      ("close", desk, {"outcome": "resolved", "outcome_note": "投稿は削除され、以後の連絡はない。"}, "")]
        elif status in order:
            steps += [moves[s] for s in order[: order.index(status) + 1]]
        for name, actor, inputs, reason in steps:
            if name == "decide":  # decisions come from the committee only: a meeting finalises it
                self._decide_in_committee(report, users)
                report.refresh_from_db()
                continue
            report = services.transition(report=report, name=name, actor=actor, inputs=inputs, reason=reason)
        if status in (Status.IN_PROGRESS, Status.REFERRED, Status.DECIDED):
            services.update_case(report=report, actor=desk, action=EventAction.RATED,
                                 changes={"continuity": "high", "malice": "medium", "urgent": status == Status.IN_PROGRESS})
            services.add_note(report=report, actor=desk, body="相手方は以前にも同様の要求をしている。所属長と対応を共有済み。")
            services.record_action(report=report, actor=desk, kind="phone", description="相手方に電話し、要求には応じられない旨を伝えた。",
                                   done_by=str(desk), done_on=timezone.localdate())

    def _meeting(self, users: dict[str, User], *, title: str, days: int) -> Meeting:
        """A meeting with ``chair`` as 委員長 and ``member`` as 委員 (attended, when it is past)."""
        meeting = Meeting.objects.filter(title=title).first()
        if meeting is not None:
            return meeting
        chair = users["chair"]
        starts_at = (timezone.localtime() + timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
        meeting = committee_services.create_meeting(actor=chair, kind=MeetingKind.REGULAR, title=title,
                                                    starts_at=starts_at, place="本庁舎3階 第1会議室")
        committee_services.invite(actor=chair, meeting=meeting, user=chair, role=MemberRole.CHAIR)
        committee_services.invite(actor=chair, meeting=meeting, user=users["member"], role=MemberRole.MEMBER)
        if days < 0:
            committee_services.record_attendance(
                actor=chair, meeting=meeting, attended={i.pk: True for i in meeting.invitations.all()})
        return meeting

    def _decide_in_committee(self, report: IncidentReport, users: dict[str, User]) -> None:
        """The demo's decided cases were decided at a past meeting: on its agenda, a vote, a decision
        with measures (one already overdue), finalised through the committee's services."""
        chair, member = users["chair"], users["member"]
        meeting = self._meeting(users, title="第1回カスハラ対策委員会", days=-7)
        item = committee_services.add_item(actor=chair, meeting=meeting, report=report)
        committee_services.record_votes(actor=chair, item=item, votes={member.pk: VoteChoice.FOR})
        types = {t.code: t for t in MeasureType.objects.all()}
        today = timezone.localdate()
        measures = [
            committee_services.MeasureInput(type=types["warning_letter"], detail="警告書を送付する",
                                            owner_section=report.section, due_on=today - timedelta(days=2)),
            committee_services.MeasureInput(type=types["staff_care"], detail="対応した職員との面談",
                                            owner=users["chief2"] if report.section.name == "福祉課" else users["chief"],
                                            due_on=today + timedelta(days=14)),
        ]
        decision = committee_services.save_draft(
            actor=chair, item=item, judged=Judged.YES, by_consensus=False, measures=measures,
            policy="文書で警告し、対応窓口を総務課に一本化する。",
        )
        committee_services.finalise_decision(actor=chair, decision=decision)

    def _committee(self, users: dict[str, User]) -> None:
        """The next meeting, with the referred case on its agenda."""
        if Meeting.objects.filter(title="第2回カスハラ対策委員会").exists():
            return
        meeting = self._meeting(users, title="第2回カスハラ対策委員会", days=7)
        for report in IncidentReport.objects.filter(status=Status.REFERRED, agenda_items__isnull=True):
            committee_services.add_item(actor=users["chair"], meeting=meeting, report=report)

    def _backdate(self, report: IncidentReport, end: datetime) -> None:
        """The demo's cases happened days ago: their submission and history say so (ages, overdue)."""
        submitted = end + timedelta(hours=1)
        IncidentReport.objects.filter(pk=report.pk).update(submitted_at=submitted)
        if IncidentReport.objects.filter(pk=report.pk, accepted_at__isnull=False).exists():
            IncidentReport.objects.filter(pk=report.pk).update(accepted_at=submitted + timedelta(hours=20))
        with backdating():  # the audit tables refuse other UPDATEs (audit.guard)
            for i, event in enumerate(ReportEvent.objects.filter(report=report).order_by("id")):
                ReportEvent.objects.filter(pk=event.pk).update(at=submitted + timedelta(hours=4 * i))

    def _counterparts(self, users: dict[str, User]) -> None:
        """A repeat counterpart: three reports from two 課, and a standing measure."""
        name = "山田 太郎"
        if Counterpart.objects.filter(name=name).exists():
            return
        titles = ["同じ要望の電話が毎日続く", "2時間を超える電話", "電話で「馬鹿野郎」と怒鳴られた"]
        reports = [IncidentReport.objects.get(title=t) for t in titles]
        IncidentReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            counterpart_name=name, counterpart_contact="090-1234-5678 市内本町1-2-3")
        desk = users["desk"]
        counterpart = counterpart_services.create_from_report(
            actor=desk, report=reports[0], ip_address=None,
            data={"name": name, "phone": "090-1234-5678", "address": "市内本町1-2-3", "sex": "male",
                  "age_band": "60s", "relation": "申請者本人", "description": "電話で同じ要望を繰り返す"},
        )
        for report in reports[1:]:
            counterpart_services.link_report(actor=desk, counterpart=counterpart, report=report, ip_address=None)
        for report in reports:
            services.refresh_search_text(report)
        counterpart_services.add_measure(actor=desk, counterpart=counterpart, ip_address=None, data={
            "kind": "single_handler", "description": "電話の対応は総務課の担当者に一本化する", "handler": desk,
            "decided_by": desk, "decided_on": timezone.localdate(), "starts_on": timezone.localdate(),
            "ends_on": timezone.localdate() + timedelta(days=180)})

    def _consultations(self, users: dict[str, User]) -> None:
        """Two 相談: one waiting, one answered and shared with the 所属長."""
        if Consultation.objects.exists():
            return
        consultation_services.create_consultation(
            author=users["staff"], what_happened="窓口で「上の者を出せ」と30分以上言われ続けた。カスハラに当たるのか分からない。",
            wish="カスハラに当たるか判断してほしい", contact="内線 1234（平日 9時〜12時）", channel="counter",
            occurred_on=timezone.localdate() - timedelta(days=2),
        )
        answered = consultation_services.create_consultation(
            author=users["staff2"], what_happened="同じ方から毎週電話があり、長時間になる。",
            wish="対応方法を相談したい", contact="内線 2345", channel="phone", share_with_supervisors=True,
        )
        consultation_services.answer(
            consultation=answered, actor=users["desk"],
            text="30分を目安に、対応できない理由を伝えて終話してください。記録を残し、続く場合は連絡票を出してください。",
        )

    def _reports(self, users: dict[str, User]) -> int:
        types = {t.code: t for t in HarassmentType.objects.all()}
        now = timezone.now().replace(second=0, microsecond=0)
        created = 0
        for title, reporter_name, codes, channel, status, days_ago, minutes, conduct, demand in SAMPLES:
            reporter = users[reporter_name]
            if IncidentReport.objects.filter(reporter=reporter, title=title).exists():
                continue
            start: datetime = timezone.localtime(now - timedelta(days=days_ago)).replace(hour=9, minute=30)
            if start + timedelta(minutes=minutes) > now:
                start -= timedelta(days=1)
            end = start + timedelta(minutes=minutes)
            report = IncidentReport.objects.create(
                reporter=reporter, section=reporter.section, title=title, status=Status.DRAFT,
                occurred_start=start, occurred_end=end, channel=channel,
                place="本庁舎1階 窓口" if channel == Channel.COUNTER else "",
                staff_count=2, counterpart_count=1, counterpart_sex="male", counterpart_age_band="60s",
                demand=demand, conduct=conduct,
                ground_unreasonable_demand=True, ground_inappropriate_means=True,
                warning_count=2, recording_started=True,
            )
            report.staff_members.set([reporter])
            report.harassment_types.set([types[c] for c in codes if c in types])
            TimelineEntry.objects.bulk_create([
                TimelineEntry(report=report, at=start, kind="other", description="対応開始", actor_name=str(reporter)),
                TimelineEntry(report=report, at=start + timedelta(minutes=minutes // 2), kind="warning",
                              description="言動をやめるよう警告", actor_name=str(reporter)),
                TimelineEntry(report=report, at=end, kind="stopped", description="対応を終了", actor_name=str(reporter)),
            ])
            ReportEvent.objects.create(report=report, actor=reporter, action=EventAction.CREATED,
                                       to_status=Status.DRAFT, reason="デモデータ")
            services.refresh_search_text(report)
            if status != Status.DRAFT:
                self._move_to(report, status, users)
                self._backdate(report, end)
            created += 1
        return created
