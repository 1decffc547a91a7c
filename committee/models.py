"""対策委員会 records: meetings and who is invited, the agenda of referred cases, attendance, votes,
対応方針 decisions with their measures, the letters a decision calls for, the minutes, and the
庁内共有 board of anonymised cases.

A finalised decision is never edited: a correction is a new decision that ``supersedes`` it, and
both stay. Approved minutes are locked (their text is kept as approved). Every change is a
``CommitteeEvent`` written in the same transaction (``services``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("定例会")
    EXTRAORDINARY = "extraordinary", _("臨時会")
    CROSS = "cross", _("検討組織（特に困難な事案・部局横断）")


class Meeting(models.Model):
    kind = models.CharField(_("種別"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(_("名称"), max_length=200, blank=True, help_text=_("例：第3回カスハラ対策委員会"))
    starts_at = models.DateTimeField(_("開催日時"))
    place = models.CharField(_("場所"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    #: Set when the chair approves the minutes: from then on the meeting and its minutes are locked.
    minutes_approved_at = models.DateTimeField(_("議事録承認日時"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+", verbose_name=_("議事録承認者"))
    minutes_text = models.TextField(_("承認された議事録"), blank=True)
    minutes_note = models.TextField(_("議事の補足"), blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("委員会の会議")
        verbose_name_plural = _("委員会の会議")

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()}（{timezone.localtime(self.starts_at):%Y-%m-%d}）"

    @property
    def locked(self) -> bool:
        return self.minutes_approved_at is not None


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("委員長")
    VICE_CHAIR = "vice_chair", _("副委員長")
    MEMBER = "member", _("委員")
    OBSERVER = "observer", _("オブザーバー（議決権なし）")


VOTING_ROLES = frozenset({MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.MEMBER})


class Invitation(models.Model):
    """Who is invited to a meeting, in which role, and whether they attended (None: not yet recorded)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("会議"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_invitations",
                             verbose_name=_("出席者"))
    role = models.CharField(_("役割"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    attended = models.BooleanField(_("出席"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "role", "id"]
        verbose_name = _("招集")
        verbose_name_plural = _("招集")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="invitation_once_per_meeting"),
            models.UniqueConstraint(fields=["meeting"], condition=Q(role="chair"), name="one_chair_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_role_display()}）"

    @property
    def votes(self) -> bool:
        return self.role in VOTING_ROLES


class AgendaState(models.TextChoices):
    PENDING = "pending", _("審議予定")
    DECIDED = "decided", _("決定済み")
    DEFERRED = "deferred", _("次回以降に継続")


class AgendaItem(models.Model):
    """A referred case on a meeting's agenda. A deferred item stays (with its notes and votes) and the
    case is put on a later meeting as a new item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("会議"))
    report = models.ForeignKey("incidents.IncidentReport", on_delete=models.PROTECT, related_name="agenda_items",
                               verbose_name=_("事案"))
    position = models.PositiveSmallIntegerField(_("順番"), default=0)
    state = models.CharField(_("状態"), max_length=20, choices=AgendaState.choices, default=AgendaState.PENDING)
    notes = models.TextField(_("審議の記録"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("追加した者"))
    added_at = models.DateTimeField(_("追加日時"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("議題")
        verbose_name_plural = _("議題")
        constraints = [models.UniqueConstraint(fields=["meeting", "report"], name="case_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.meeting} – No.{self.report_id}"


class VoteChoice(models.TextChoices):
    FOR = "for", _("賛成")
    AGAINST = "against", _("反対")
    ABSTAIN = "abstain", _("棄権")


class Vote(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes", verbose_name=_("議題"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("委員"))
    choice = models.CharField(_("票"), max_length=10, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("記録者"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now=True)

    class Meta:
        ordering = ["item", "id"]
        verbose_name = _("表決")
        verbose_name_plural = _("表決")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"


class Judged(models.TextChoices):
    YES = "yes", _("カスハラに該当する")
    NO = "no", _("カスハラに該当しない")


class Decision(models.Model):
    """対応方針: the committee's decision on one case, final once ``finalised_at`` is set. A correction
    is a new decision with ``supersedes`` pointing at the one it replaces."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("議題"))
    report = models.ForeignKey("incidents.IncidentReport", on_delete=models.PROTECT, related_name="decisions",
                               verbose_name=_("事案"))
    judged = models.CharField(_("判断"), max_length=10, choices=Judged.choices)
    policy = models.TextField(_("対応方針"))
    by_consensus = models.BooleanField(_("全会一致（異議なし）"), default=False)
    #: What decided it, as recorded at finalisation: counts, the chair's casting vote, recusals, quorum.
    tally = models.JSONField(_("表決の結果"), default=dict, blank=True)
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("訂正前の決定"))
    correction_reason = models.TextField(_("訂正の理由"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    finalised_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("決定を確定した者"))

    class Meta:
        ordering = ["report", "created_at", "id"]
        verbose_name = _("対応方針の決定")
        verbose_name_plural = _("対応方針の決定")

    def __str__(self) -> str:
        return f"No.{self.report_id} {self.get_judged_display()}"

    @property
    def final(self) -> bool:
        return self.finalised_at is not None


class MeasureType(models.Model):
    """The list of measures a decision chooses from (the admin keeps it)."""

    code = models.SlugField(_("コード"), max_length=40, unique=True)
    name = models.CharField(_("措置"), max_length=100)
    position = models.PositiveSmallIntegerField(_("順番"), default=0)
    active = models.BooleanField(_("選択肢に表示"), default=True)
    #: A measure of this type becomes a standing measure on the counterpart record (e.g. 出入禁止).
    counterpart_measure = models.CharField(_("相手方の措置として記録"), max_length=20, blank=True,
                                           help_text=_("counterparts の措置の種類（例：ban）。空なら記録しない。"))
    #: The letter this measure calls for (a LetterTemplate code), if any.
    letter = models.CharField(_("作成する文書"), max_length=40, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("措置の種類")
        verbose_name_plural = _("措置の種類")

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """One measure of a decision: who is responsible, by when, and when it was done."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="measures",
                                 verbose_name=_("対応方針"))
    type = models.ForeignKey(MeasureType, on_delete=models.PROTECT, related_name="+", verbose_name=_("措置"))
    detail = models.TextField(_("内容"), blank=True)
    owner_section = models.ForeignKey("organization.Section", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("担当課"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="committee_measures", verbose_name=_("担当者"))
    due_on = models.DateField(_("期限"))
    starts_on = models.DateField(_("開始日"), null=True, blank=True)
    ends_on = models.DateField(_("終了予定日"), null=True, blank=True)
    done_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("完了を記録した者"))
    done_note = models.TextField(_("完了の記録"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("措置（決定事項）")
        verbose_name_plural = _("措置（決定事項）")
        constraints = [
            models.CheckConstraint(condition=Q(owner_section__isnull=False) | Q(owner__isnull=False),
                                   name="measure_has_an_owner",
                                   violation_error_message=_("担当課か担当者を指定してください。")),
        ]

    def __str__(self) -> str:
        return f"{self.type}（{self.due_on}）"

    def overdue_on(self, day: datetime.date) -> bool:
        return self.done_at is None and self.due_on < day


class LetterTemplate(models.Model):
    """A letter a decision may call for (警告書, 出入禁止通知書), kept by the admin. The body is text with
    blanks: {city} {mayor} {article} {counterpart_name} {counterpart_address} {date} {incident_date}
    {facts} {policy} {period}."""

    code = models.SlugField(_("コード"), max_length=40, unique=True)
    title = models.CharField(_("表題"), max_length=100)
    body = models.TextField(_("本文"))
    mayor_title = models.CharField(_("発信者"), max_length=100, default="奥州市長")
    article = models.CharField(_("根拠規定"), max_length=200, blank=True,
                               help_text=_("例：奥州市庁舎等管理規則第5条"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("文書のひな形")
        verbose_name_plural = _("文書のひな形")

    def __str__(self) -> str:
        return self.title


class Letter(models.Model):
    """A letter drafted from a decision; the 相談窓口 edits the draft, then issues it (the text is final)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters", verbose_name=_("対応方針"))
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("ひな形"))
    counterpart = models.ForeignKey("counterparts.Counterpart", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="letters", verbose_name=_("宛先（相手方）"))
    title = models.CharField(_("表題"), max_length=100)
    addressee = models.CharField(_("宛名"), max_length=200, blank=True)
    body = models.TextField(_("本文"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    issued_at = models.DateTimeField(_("発出日時"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("発出者"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("文書")
        verbose_name_plural = _("文書")

    def __str__(self) -> str:
        return self.title

    @property
    def issued(self) -> bool:
        return self.issued_at is not None


class BoardEntry(models.Model):
    """庁内共有: an anonymised summary of a decided case for every member of staff. Drafted from the
    case with personal details removed, checked for what is left (``flags``), published by a person."""

    report = models.OneToOneField("incidents.IncidentReport", on_delete=models.PROTECT, related_name="board_entry",
                                  verbose_name=_("事案"))
    title = models.CharField(_("見出し"), max_length=200)
    types = models.ManyToManyField("manual.HarassmentType", related_name="board_entries", verbose_name=_("態様"))
    channel = models.CharField(_("場所・手段"), max_length=20, blank=True)
    what_happened = models.TextField(_("何が起きたか"))
    how_handled = models.TextField(_("どう対応したか"))
    policy = models.TextField(_("対応方針"))
    lessons = models.TextField(_("ほかの職場への教訓"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    #: What the last check found still matching the counterpart's or the reporter's details.
    flags = models.JSONField(_("個人情報の疑い"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("作成者"))
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("確認者"))
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("庁内共有")
        verbose_name_plural = _("庁内共有")

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.published_at is not None


class CommitteeAction(models.TextChoices):
    MEETING_CREATED = "meeting_created", _("会議の作成")
    MEETING_CHANGED = "meeting_changed", _("会議の変更")
    INVITED = "invited", _("招集")
    UNINVITED = "uninvited", _("招集の取消し")
    ATTENDANCE = "attendance", _("出欠の記録")
    ITEM_ADDED = "item_added", _("議題の追加")
    ITEM_DEFERRED = "item_deferred", _("継続審議")
    NOTES = "notes", _("審議の記録")
    VOTED = "voted", _("表決の記録")
    DECISION_DRAFTED = "decision_drafted", _("決定案の作成")
    DECISION_FINALISED = "decision_finalised", _("決定の確定")
    DECISION_SUPERSEDED = "decision_superseded", _("決定の訂正")
    MEASURE_DONE = "measure_done", _("措置の完了")
    MINUTES_APPROVED = "minutes_approved", _("議事録の承認")
    LETTER_DRAFTED = "letter_drafted", _("文書の作成")
    LETTER_EDITED = "letter_edited", _("文書の修正")
    LETTER_ISSUED = "letter_issued", _("文書の発出")
    BOARD_DRAFTED = "board_drafted", _("共有記事の作成")
    BOARD_EDITED = "board_edited", _("共有記事の修正")
    BOARD_PUBLISHED = "board_published", _("共有記事の公開")
    VIEWED = "viewed", _("閲覧")


class CommitteeEvent(AuditEvent):
    """監査記録 of the committee: every change to a meeting, item, decision, letter or board entry."""

    action = models.CharField(_("操作"), max_length=30, choices=CommitteeAction.choices)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
                                verbose_name=_("会議"))
    report = models.ForeignKey("incidents.IncidentReport", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="committee_events", verbose_name=_("事案"))

    class Meta(AuditEvent.Meta):
        verbose_name = _("委員会の監査記録")
        verbose_name_plural = _("委員会の監査記録")
