"""カスハラ発生連絡票 (incident report), its 経過記録, its evidence, and its audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent

from .lifecycle import EDITABLE, WAITING, Status

#: What the database accepts for a date-time of a report, whatever its source (form, admin, import):
#: every stored value can be read back and converted to local time. The form's window is narrower.
STORABLE_RANGE = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 31, tzinfo=UTC))


class Channel(models.TextChoices):
    """場所・手段: where or through what the incident happened."""

    COUNTER = "counter", _("窓口")
    PHONE = "phone", _("電話")
    VISIT = "visit", _("訪問先・庁舎外")
    EMAIL = "email", _("メール")
    ONLINE = "online", _("SNS・インターネット")
    PERSONAL = "personal", _("職員個人の連絡先")
    OTHER = "other", _("その他")


class Sex(models.TextChoices):
    MALE = "male", _("男性")
    FEMALE = "female", _("女性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class AgeBand(models.TextChoices):
    UNDER_20 = "under20", _("10代以下")
    TWENTIES = "20s", _("20代")
    THIRTIES = "30s", _("30代")
    FORTIES = "40s", _("40代")
    FIFTIES = "50s", _("50代")
    SIXTIES = "60s", _("60代")
    OVER_70 = "70plus", _("70代以上")
    UNKNOWN = "unknown", _("不明")


class Judgement(models.TextChoices):
    """所属長の判断."""

    APPLICABLE = "applicable", _("カスハラに該当")
    NOT_APPLICABLE = "not_applicable", _("非該当")
    PENDING = "pending", _("判断保留")


class Difficulty(models.TextChoices):
    NORMAL = "normal", _("通常")
    HARD = "hard", _("困難")
    VERY_HARD = "very_hard", _("特に困難")


class Level(models.TextChoices):
    """継続性・悪質性."""

    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("解決")
    MONITORING = "monitoring", _("継続監視")
    DISCONTINUED = "discontinued", _("対応打切り")
    OTHER = "other", _("その他")


class Retained(models.Model):
    """保存期間 (incidents/retention.py, consultations/retention.py): a 訴訟・警察対応中 hold stops the
    nightly removal for this record; ``retention_applied_at`` is when the removal ran."""

    legal_hold = models.BooleanField(_("訴訟・警察対応中（保存期間による削除を止める）"), default=False)
    legal_hold_reason = models.TextField(_("保留の理由"), blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("保留を設定した人"),
    )
    legal_hold_at = models.DateTimeField(_("保留の設定日時"), null=True, blank=True)
    retention_applied_at = models.DateTimeField(_("保存期間経過による削除の日時"), null=True, blank=True)

    class Meta:
        abstract = True


class IncidentReport(Retained):
    """カスハラ発生連絡票: the 5W1H of one incident, filed by the staff member who met it."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports_filed",
        verbose_name=_("報告者"),
    )
    section = models.ForeignKey(
        "organization.Section",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("報告者の所属"),
    )
    #: The 課's name when the report was filed (提出), kept when the 課 is renamed or merged later.
    section_name = models.CharField(_("提出時の所属名"), max_length=100, blank=True, editable=False)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(
        _("件名"), max_length=120, blank=True,
        help_text=_("一覧で見分けるための短い件名（例：窓口での長時間の居座り）。"),
    )

    # When and where
    occurred_start = models.DateTimeField(_("発生日時（開始）"), null=True, blank=True)
    occurred_end = models.DateTimeField(_("発生日時（終了）"), null=True, blank=True)
    channel = models.CharField(_("場所・手段"), max_length=20, choices=Channel.choices, blank=True)
    place = models.CharField(
        _("場所の詳細"), max_length=200, blank=True,
        help_text=_("例：本庁舎1階 市民課窓口、相手方の自宅玄関先、X（旧Twitter）上の投稿"),
    )

    # Who
    staff_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="reports_as_staff",
        blank=True,
        verbose_name=_("対応職員"),
    )
    staff_count = models.PositiveSmallIntegerField(
        _("対応職員の人数"), null=True, blank=True,
        help_text=_("システムに登録のない応援者（警備員など）も含めた人数。"),
    )
    counterpart_count = models.PositiveSmallIntegerField(_("相手方の人数"), null=True, blank=True)

    # 相手方 (all optional; personal data)
    counterpart_name = models.CharField(_("相手方の氏名・名称"), max_length=100, blank=True)
    counterpart_sex = models.CharField(_("相手方の性別"), max_length=10, choices=Sex.choices, blank=True)
    counterpart_age_band = models.CharField(
        _("相手方の年代"), max_length=10, choices=AgeBand.choices, blank=True
    )
    counterpart_contact = models.TextField(_("相手方の住所・連絡先"), blank=True)
    counterpart_relation = models.CharField(
        _("相手方との関係"), max_length=100, blank=True,
        help_text=_("例：申請者本人、申請者の家族、事業者、施設利用者"),
    )
    counterpart_description = models.TextField(_("相手方の特徴など"), blank=True)

    # What
    demand = models.TextField(_("要求内容"), blank=True)
    conduct = models.TextField(
        _("言動（そのままの言葉で）"),
        blank=True,
        help_text=_(
            "相手方の言葉と行動をそのまま記録してください。"
            "良い例：「馬鹿野郎」と大声で怒鳴った後に「お前の顔と名前をSNSに投稿するぞ」と言った。"
            "　悪い例：暴言を繰り返した。"
        ),
    )
    harassment_types = models.ManyToManyField(
        "manual.HarassmentType", related_name="reports", blank=True, verbose_name=_("態様")
    )
    ground_unreasonable_demand = models.BooleanField(_("要求内容が妥当性を欠く"), default=False)
    ground_inappropriate_means = models.BooleanField(
        _("要求を実現するための手段・態様が社会通念上不相当"), default=False
    )

    # Measures taken (対応の経過のまとめ)
    warning_count = models.PositiveSmallIntegerField(_("警告の回数"), default=0)
    recording_started = models.BooleanField(_("録音・録画を行った"), default=False)
    response_stopped = models.BooleanField(_("対応を中止した"), default=False)
    exit_request_count = models.PositiveSmallIntegerField(_("退去要求の回数"), default=0)
    exit_order_count = models.PositiveSmallIntegerField(_("退去命令の回数"), default=0)
    police_called = models.BooleanField(_("警察に通報した"), default=False)
    police_called_at = models.DateTimeField(_("警察通報の日時"), null=True, blank=True)

    # Harm
    harm_physical = models.BooleanField(_("身体的な被害"), default=False)
    harm_mental = models.BooleanField(_("精神的な被害"), default=False)
    harm_property = models.BooleanField(_("物的な被害"), default=False)
    work_minutes_lost = models.PositiveIntegerField(
        _("業務への影響（失われた時間・分）"), null=True, blank=True
    )
    harm_detail = models.TextField(_("被害の内容"), blank=True)

    # Follow-up wishes and cautions
    wants_consultation = models.BooleanField(_("相談窓口への相談を希望する"), default=False)
    wants_mental_care = models.BooleanField(_("メンタルヘルスのフォローを希望する"), default=False)
    disability_possible = models.BooleanField(
        _("言動が障がい等に起因する可能性がある"),
        default=False,
        help_text=_(
            "相手の言動が障がい等に起因していることが明らかな場合は、安易にカスハラとして認定しません。"
        ),
    )
    disability_note = models.TextField(_("障がい等に関する補足"), blank=True)
    related_reports = models.ManyToManyField(
        "self", symmetrical=False, blank=True, verbose_name=_("同じ相手方の過去の報告")
    )
    remarks = models.TextField(_("備考"), blank=True)

    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)

    # The case, after 提出: 所属長の確認 (judgement, difficulty, comment; not shown to the reporter)
    chief_judgement = models.CharField(_("所属長の判断"), max_length=20, choices=Judgement.choices, blank=True)
    difficulty = models.CharField(
        _("難易度"), max_length=20, choices=Difficulty.choices, blank=True, db_index=True
    )
    chief_comment = models.TextField(_("所属長のコメント"), blank=True)
    confirmed_at = models.DateTimeField(_("所属長確認日時"), null=True, blank=True)
    # 部長 raised it to 特に困難: needs the cross-department review (検討組織)
    cross_review = models.BooleanField(_("検討組織での検討が必要"), default=False)
    # 相談窓口 triage
    accepted_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_handled",
        verbose_name=_("担当者"),
    )
    continuity = models.CharField(_("継続性"), max_length=10, choices=Level.choices, blank=True)
    malice = models.CharField(_("悪質性"), max_length=10, choices=Level.choices, blank=True)
    urgent = models.BooleanField(_("至急"), default=False)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("結果の説明"), blank=True)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    #: Folded (full/half width, case) text of 件名, 要求内容, 言動, 経過 and 相手方の氏名, for the queue's
    #: substring search; kept current by the services on every write.
    search_text = models.TextField(_("検索用テキスト"), blank=True, editable=False)

    # Concurrency: every write (a form save or a lifecycle move) raises ``version``; a form carries
    # the version it was opened at, so a stale form is recognised. ``form_token`` is the token of
    # the form that made the last write (None after a move made elsewhere): the same form posted
    # twice is recognised as one, and a new report posted twice is created once.
    version = models.PositiveIntegerField(_("版"), default=0, editable=False)
    form_token = models.UUIDField(_("フォーム識別子"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("カスハラ発生連絡票")
        verbose_name_plural = _("カスハラ発生連絡票")
        indexes = [
            models.Index(fields=["reporter", "-created_at"], name="report_reporter_recent"),
            models.Index(fields=["section", "status"], name="report_section_status"),
            # The queue's tab counts (status × difficulty) read from the index alone.
            models.Index(fields=["status", "difficulty"], name="report_status_difficulty"),
            # The same for a 所属長's or 部長's queue (their 課), without reading the table.
            models.Index(fields=["section", "status", "difficulty"], name="report_section_queue",
                         include=["reporter", "id"]),
            # Every role's list reads this index backwards in list order and stops after a page; the
            # included columns let the paginator's COUNT be an index-only scan (bench/report_list.py).
            models.Index(fields=["-created_at", "-id"], name="report_recent", include=["status", "reporter", "section"]),
            # The queue's 提出日 order: deep pages walk this index instead of sorting every row.
            models.Index(fields=["-submitted_at", "-id"], name="report_submitted", include=["status", "reporter"]),
            # The 相談窓口's default view (受付待ち, oldest first): its page read straight from the few
            # waiting cases instead of filtering the 提出日 index of every case.
            models.Index(fields=["submitted_at", "id"], condition=Q(status__in=sorted(WAITING)), name="report_waiting"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "form_token"], name="report_one_per_form_token"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__range": STORABLE_RANGE}),
                    name=f"report_{name}_storable",
                    violation_error_message=_("日時が扱える範囲（1900年〜2999年）の外です。"),
                )
                for name in ("occurred_start", "occurred_end", "police_called_at")
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.pk} {self.title}".strip()

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def duration(self) -> timedelta | None:
        """対応時間: from start to end of the incident."""
        if self.occurred_start and self.occurred_end and self.occurred_end >= self.occurred_start:
            return self.occurred_end - self.occurred_start
        return None


class ReportCount(models.Model):
    """How many reports there are per 状態 × 難易度, for the 相談窓口's tab counts without counting
    the reports (``incidents/counts.py``). Rows are written by PostgreSQL triggers on the report
    table, never by the application: each statement that inserts, updates or deletes reports adds
    one row of +k or −k per key it changed, in its own transaction, so the sum over a key equals
    the number of reports with that key as every transaction sees them. ``counts.compact`` folds
    the rows of each key into one now and then. Empty (and unused) on SQLite."""

    status = models.CharField(max_length=20)
    difficulty = models.CharField(max_length=20, blank=True)
    n = models.IntegerField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.status} {self.difficulty or '-'}: {self.n:+d}"


class TimelineKind(models.TextChoices):
    WARNING = "warning", _("警告")
    RECORDING = "recording", _("録音・録画の開始")
    STOPPED = "stopped", _("対応中止")
    EXIT_REQUEST = "exit_request", _("退去要求")
    EXIT_ORDER = "exit_order", _("退去命令")
    POLICE = "police", _("警察通報")
    SUPERVISOR = "supervisor", _("上司への報告・交代")
    OTHER = "other", _("その他")


class TimelineEntry(models.Model):
    """経過記録: one timed step of the response."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("連絡票")
    )
    at = models.DateTimeField(_("時刻"), null=True, blank=True)
    kind = models.CharField(
        _("種別"), max_length=20, choices=TimelineKind.choices, default=TimelineKind.OTHER
    )
    description = models.TextField(_("できごと"))
    actor_name = models.CharField(_("対応した人"), max_length=100, blank=True)
    outside_window_reason = models.CharField(
        _("発生時間外の理由"), max_length=200, blank=True,
        help_text=_("時刻が発生日時の範囲外のとき（事後の通報など）はその理由。"),
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at__isnull=True) | Q(at__range=STORABLE_RANGE),
                name="timeline_at_storable",
                violation_error_message=_("日時が扱える範囲（1900年〜2999年）の外です。"),
            ),
        ]
        verbose_name = _("経過記録")
        verbose_name_plural = _("経過記録")

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.description[:30]}" if self.at else self.description[:30]


class CaseNote(models.Model):
    """内部メモ of the 相談窓口: never shown to the reporter or the 所属長・部長."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("記入者"))
    at = models.DateTimeField(_("日時"), auto_now_add=True)
    body = models.TextField(_("内部メモ"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("内部メモ")
        verbose_name_plural = _("内部メモ")

    def __str__(self) -> str:
        return self.body[:30]


class ActionKind(models.TextChoices):
    """Measures toward the offender, and other follow-up the 相談窓口 records."""

    WARNING_LETTER = "warning_letter", _("警告文書")
    MEETING = "meeting", _("面談")
    BAN = "ban", _("出入禁止")
    PHONE = "phone", _("電話連絡")
    SINGLE_CONTACT = "single_contact", _("対応窓口の一本化")
    POLICE = "police", _("警察への相談")
    LEGAL = "legal", _("法律相談")
    CARE = "care", _("職員のケア")
    OTHER = "other", _("その他")


class FollowUpAction(models.Model):
    """対応の記録: what was done about the case, by whom, when."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("種別"), max_length=20, choices=ActionKind.choices)
    description = models.TextField(_("内容"))
    done_by = models.CharField(_("実施者"), max_length=100)
    done_on = models.DateField(_("実施日"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("記録者"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        verbose_name = _("対応の記録")
        verbose_name_plural = _("対応の記録")

    def __str__(self) -> str:
        return f"{self.done_on} {self.get_kind_display()}"


class EvidenceKind(models.TextChoices):
    AUDIO = "audio", _("音声")
    IMAGE = "image", _("画像")
    PDF = "pdf", _("PDF")


def evidence_path(instance: Attachment, filename: str) -> str:
    # The stored name never uses the uploaded name: it could carry personal data or path tricks.
    from uuid import uuid4

    return f"evidence/{instance.uploaded_at:%Y/%m}/{uuid4().hex}"


class Attachment(models.Model):
    """証拠資料: an audio file, image or PDF. Stored outside static/, served only through a view.

    An attachment without a report is *staged*: uploaded with a form that did not validate yet,
    kept so the user need not choose the file again; a periodic task removes stale ones.
    """

    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.CASCADE,
        related_name="attachments",
        null=True,
        blank=True,
        verbose_name=_("連絡票"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("登録者")
    )
    uploaded_at = models.DateTimeField(_("登録日時"))
    file = models.FileField(_("ファイル"), upload_to=evidence_path)
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    content_type = models.CharField(_("形式"), max_length=100)
    kind = models.CharField(_("種類"), max_length=10, choices=EvidenceKind.choices)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("証拠資料")
        verbose_name_plural = _("証拠資料")

    def __str__(self) -> str:
        return str(self.original_name)


class EventAction(models.TextChoices):
    CREATED = "created", _("作成")
    SAVED = "saved", _("保存")
    SUBMITTED = "submitted", _("提出")
    VIEWED = "viewed", _("閲覧")
    PRINTED = "printed", _("印刷用表示")
    ATTACHMENT_ADDED = "attachment_added", _("資料の追加")
    ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("資料の閲覧")
    TRANSITION = "transition", _("状態の変更")
    STAFF_ADDED = "staff_added", _("対応職員に追加（閲覧できるようになる）")
    STAFF_REMOVED = "staff_removed", _("対応職員から削除")
    CONFIRMED = "confirmed", _("所属長の確認")
    RETURNED = "returned", _("差戻し")
    ACCEPTED = "accepted", _("受付")
    STARTED = "started", _("対応開始")
    REFERRED = "referred", _("委員会に付議")
    DECIDED = "decided", _("対応方針の決定")
    SHARED = "shared", _("庁内共有")
    CLOSED = "closed", _("完了")
    REOPENED = "reopened", _("再開")
    ESCALATED = "escalated", _("特に困難に引き上げ")
    ASSIGNED = "assigned", _("担当者の指定")
    RATED = "rated", _("継続性・悪質性・至急の設定")
    NOTE_ADDED = "note_added", _("内部メモ")
    ACTION_RECORDED = "action_recorded", _("対応の記録")
    COUNTERPART_LINKED = "counterpart_linked", _("相手方を紐付け")
    COUNTERPART_UNLINKED = "counterpart_unlinked", _("相手方の紐付けを解除")
    DISCARDED = "discarded", _("下書きの削除")
    HOLD_SET = "hold_set", _("訴訟・警察対応中（削除の保留）を設定")
    HOLD_LIFTED = "hold_lifted", _("訴訟・警察対応中（削除の保留）を解除")
    RETAINED_REMOVED = "retention_removed", _("保存期間経過による削除")


class ReportEvent(AuditEvent):
    """監査記録: who did what to a report, when, from where; every state change and every view."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("連絡票")
    )
    action = models.CharField(_("操作"), max_length=30, choices=EventAction.choices)
    from_status = models.CharField(_("変更前"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=Status.choices, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("監査記録")
        verbose_name_plural = _("監査記録")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel（XLSX）")


class ExportEvent(AuditEvent):
    """監査記録 of an export of the queue (``incidents/exports.py``): who, when, from where, the
    filter (the queue's query: tab, sort and filters), the columns, the format and the row count,
    written before the file is sent."""

    query = models.TextField(_("絞り込み条件"), blank=True)
    columns = models.JSONField(_("列"), default=list)
    format = models.CharField(_("形式"), max_length=10, choices=ExportFormat.choices)
    row_count = models.PositiveIntegerField(_("件数"))

    class Meta(AuditEvent.Meta):
        verbose_name = _("エクスポートの監査記録")
        verbose_name_plural = _("エクスポートの監査記録")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_format_display()} {self.row_count}"


# -- 対応中の記録 (the live recorder, issue 11) ---------------------------------------------------------

class LiveStepKind(models.TextChoices):
    """What a tap of the live recorder says happened (the buttons of the live view, in their order)."""

    JUDGED = "judged", _("カスハラと判断")
    WARNING = "warning", _("警告した")
    RECORDING = "recording", _("録音・録画を開始")
    SUPERVISOR = "supervisor", _("上司に報告・交代")
    STOPPED = "stopped", _("対応を中止")
    EXIT_REQUEST = "exit_request", _("退去を求めた")
    EXIT_ORDER = "exit_order", _("退去命令")
    POLICE = "police", _("警察に通報")
    NOTE = "note", _("メモ")
    ENDED = "ended", _("終了")


class LiveRecord(models.Model):
    """対応中の記録: the steps one staff member tapped in the live view of a 態様 while an incident
    happened. Its owner alone reads and uses it (``incidents/live.py``); 「連絡票にする」 turns it
    into a draft 発生連絡票 (``report``), and the record stays linked to it.

    ``client_id`` is made by the browser, so steps can be kept before the server has seen the record;
    a record is known by (owner, client_id)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="live_records", verbose_name=_("記録した職員")
    )
    client_id = models.UUIDField(_("記録の識別子"))
    harassment_type = models.ForeignKey(
        "manual.HarassmentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("態様")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    #: The first and the last step that is not undone, and the 終了 step's time (None while it goes on).
    started_at = models.DateTimeField(_("最初の記録"), null=True, blank=True)
    last_at = models.DateTimeField(_("最後の記録"), null=True, blank=True)
    ended_at = models.DateTimeField(_("終了"), null=True, blank=True)
    report = models.ForeignKey(
        IncidentReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="live_records",
        verbose_name=_("作成した連絡票"),
    )
    reported_at = models.DateTimeField(_("連絡票の作成日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("対応中の記録")
        verbose_name_plural = _("対応中の記録")
        constraints = [
            models.UniqueConstraint(fields=["owner", "client_id"], name="live_record_one_per_client_id"),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="live_record_owner_recent")]

    def __str__(self) -> str:
        return f"{self.harassment_type} {self.client_id}"


class LiveStep(models.Model):
    """One tap: what happened and when. ``client_id`` comes from the browser, so the same step sent
    twice (a retry after a lost answer) is stored once. Undoing marks it; nothing is deleted."""

    record = models.ForeignKey(LiveRecord, on_delete=models.CASCADE, related_name="steps", verbose_name=_("記録"))
    client_id = models.UUIDField(_("記録の識別子"))
    kind = models.CharField(_("種別"), max_length=20, choices=LiveStepKind.choices)
    at = models.DateTimeField(_("時刻"))
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("受信日時"))
    undone_at = models.DateTimeField(_("取り消した日時"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("対応中の記録の一件")
        verbose_name_plural = _("対応中の記録の一件")
        constraints = [
            models.UniqueConstraint(fields=["record", "client_id"], name="live_step_one_per_client_id"),
            models.CheckConstraint(
                condition=Q(at__range=STORABLE_RANGE), name="live_step_at_storable",
                violation_error_message=_("日時が扱える範囲（1900年〜2999年）の外です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.get_kind_display()}"


class LiveAction(models.TextChoices):
    STARTED = "started", _("記録の開始")
    STEP = "step", _("記録")
    UNDONE = "undone", _("取り消し")
    VIEWED = "viewed", _("閲覧")
    REPORTED = "reported", _("連絡票の作成")


class LiveEvent(AuditEvent):
    """監査記録 of a live record: its start, every step and undo as the server received it, every
    view of its page, and the report made from it."""

    record = models.ForeignKey(LiveRecord, on_delete=models.CASCADE, related_name="events", verbose_name=_("記録"))
    action = models.CharField(_("操作"), max_length=20, choices=LiveAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("対応中の記録の監査記録")
        verbose_name_plural = _("対応中の記録の監査記録")


class RetentionRun(models.Model):
    """One run of the nightly removal of reports and consultations past their 保存期間
    (``incidents/retention.py``): when, the cut-off, the counts, and per case and per consultation
    what was removed (field names and counts, never the personal data itself)."""

    started_at = models.DateTimeField(_("開始日時"))
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    closed_before = models.DateTimeField(_("この日時より前に完了した事案が対象"))
    report_count = models.PositiveIntegerField(_("削除した事案"), default=0)
    file_count = models.PositiveIntegerField(_("削除したファイル"), default=0)
    counterpart_count = models.PositiveIntegerField(_("匿名化した相手方"), default=0)
    held_count = models.PositiveIntegerField(_("保留中のため除いた事案"), default=0)
    #: [{"report": id, "files": n, "fields": [...], "counterparts": [ids], "letters": n}, ...]
    items = models.JSONField(_("内容"), default=list)
    # 相談 (consultations/retention.py), in the same run.
    consultation_count = models.PositiveIntegerField(_("削除した相談"), default=0)
    consultation_held_count = models.PositiveIntegerField(_("保留中のため除いた相談"), default=0)
    #: [{"consultation": id, "fields": [...], "follow_ups": n, "notes": n}, ...]
    consultation_items = models.JSONField(_("相談の内容"), default=list)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("保存期間経過による削除の記録")
        verbose_name_plural = _("保存期間経過による削除の記録")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.report_count}"
