"""Check-ins with a staff member after a report that records mental harm, and メンタルケア referrals
to the 職員保健室 given with the staff member's consent. Every view and every change is a
``CareEvent``; who reads what is ``care.policies``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


class Outcome(models.TextChoices):
    CONTACTED = "contacted", _("話を聞いた")
    DECLINED = "declined", _("本人が辞退した")


class CheckIn(models.Model):
    """One check-in the 相談窓口 makes with the staff member, due a number of business days after the
    report was submitted (``KASUHARA_CARE_CHECKIN_DAYS``: 5 and 20, about a week and a month)."""

    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.CASCADE, related_name="care_checkins",
        verbose_name=_("発生連絡票"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_checkins", verbose_name=_("職員"),
    )
    number = models.PositiveSmallIntegerField(_("回"))
    business_days = models.PositiveSmallIntegerField(_("提出からの開庁日数"))
    due_on = models.DateField(_("期日"))
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("記録"), blank=True)
    done_at = models.DateTimeField(_("記録日時"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("記録者"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("職員へのフォロー")
        verbose_name_plural = _("職員へのフォロー")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="care_checkin_once_per_report_and_number"),
        ]
        indexes = [
            # The sweep and the queue's section: the open check-ins by due date.
            models.Index(fields=["due_on", "id"], condition=Q(done_at__isnull=True), name="care_checkin_open_due"),
        ]

    def __str__(self) -> str:
        return f"No.{self.report_id} {self.number}回目"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ReferralState(models.TextChoices):
    PROPOSED = "proposed", _("本人の同意を待っています")
    CONSENTED = "consented", _("本人が同意しました")
    DECLINED = "declined", _("本人が希望しませんでした")
    WITHDRAWN = "withdrawn", _("本人が同意を取り消しました")


#: The parts of a report the staff member may share with the 保健室 (field, label, what it holds).
#: Never shared: the counterpart's personal data, the 相談窓口's internal notes and ratings, the
#: 所属長's judgement and comment.
SHARE_PARTS = (
    ("share_summary", _("できごとの概要"), _("発生日時、場所・手段、態様")),
    ("share_conduct", _("言動と要求内容"), _("相手方の言動（そのままの言葉）と要求内容")),
    ("share_timeline", _("経過"), _("対応の経過（時刻とできごと）")),
    ("share_harm", _("被害の内容"), _("身体的・精神的な被害、業務への影響、被害の内容の説明")),
)


class Referral(models.Model):
    """メンタルケアの紹介: the 相談窓口 proposes, the staff member consents (or not) and chooses what the
    保健室 may read; the consent can be withdrawn. One per report (a declined or withdrawn one may
    be consented to again)."""

    report = models.OneToOneField(
        "incidents.IncidentReport", on_delete=models.CASCADE, related_name="care_referral",
        verbose_name=_("発生連絡票"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_referrals", verbose_name=_("職員"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提案した人"),
    )
    proposed_at = models.DateTimeField(_("提案日時"), auto_now_add=True)
    message = models.TextField(
        _("相談窓口からの紹介文"), blank=True,
        help_text=_("本人と、本人が同意したときは保健室が読みます。内部だけの記録は書かないでください。"),
    )
    state = models.CharField(_("状態"), max_length=20, choices=ReferralState.choices, default=ReferralState.PROPOSED)

    # The consent, as the staff member gave it last (the events keep every earlier one).
    consented_at = models.DateTimeField(_("同意日時"), null=True, blank=True)
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("同意した人"),
    )
    share_summary = models.BooleanField(_("できごとの概要を共有する"), default=False)
    share_conduct = models.BooleanField(_("言動と要求内容を共有する"), default=False)
    share_timeline = models.BooleanField(_("経過を共有する"), default=False)
    share_harm = models.BooleanField(_("被害の内容を共有する"), default=False)
    share_with_chief = models.BooleanField(_("所属長に紹介があることを伝える"), default=False)
    contact = models.CharField(_("保健室からの連絡方法"), max_length=200, blank=True)
    declined_at = models.DateTimeField(_("辞退日時"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("同意の取消日時"), null=True, blank=True)

    # The 保健室 took it up.
    received_at = models.DateTimeField(_("保健室の受付日時"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("受け付けた保健師"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("メンタルケアの紹介")
        verbose_name_plural = _("メンタルケアの紹介")

    def __str__(self) -> str:
        return f"紹介No.{self.pk}"

    @property
    def is_consented(self) -> bool:
        return self.state == ReferralState.CONSENTED

    @property
    def shared_parts(self) -> list[tuple[str, str, str]]:
        return [part for part in SHARE_PARTS if getattr(self, part[0])]


class EventAction(models.TextChoices):
    CHECKIN_SCHEDULED = "checkin_scheduled", _("フォローの予定")
    CHECKIN_VIEWED = "checkin_viewed", _("フォローの閲覧")
    CHECKIN_RECORDED = "checkin_recorded", _("フォローの結果の記録")
    REFERRAL_PROPOSED = "referral_proposed", _("保健室への紹介の提案")
    REFERRAL_VIEWED = "referral_viewed", _("紹介の閲覧")
    CONSENT_GIVEN = "consent_given", _("本人の同意")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("同意の取消")
    REFERRAL_DECLINED = "referral_declined", _("本人が紹介を希望しない")
    REFERRAL_RECEIVED = "referral_received", _("保健室の受付")


class CareEvent(AuditEvent):
    """監査記録 of the care records: who did what, when, from where; every change and every view.

    ``detail`` holds choices (the parts shared, the outcome), never the text of a note."""

    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.CASCADE, related_name="care_events", verbose_name=_("発生連絡票"),
    )
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("フォロー"),
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("紹介"),
    )
    action = models.CharField(_("操作"), max_length=30, choices=EventAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("職員のケアの監査記録")
        verbose_name_plural = _("職員のケアの監査記録")
