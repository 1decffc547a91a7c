"""相談 (consultation): a staff member asks the 相談窓口 for help without a full report.

A consultation is confidential: its author and the 相談窓口 read it; the author's 所属長 and 部長
only when the author chose to share it (``consultations.policies``). The 相談窓口 answers it,
records follow-ups and internal notes, and moves it through the small state table below. Every
view and every change is a ``ConsultationEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Channel, Retained
from organization.models import AuditEvent


class State(models.TextChoices):
    NEW = "new", _("受付待ち")
    IN_PROGRESS = "in_progress", _("対応中")
    CLOSED = "closed", _("完了")


class Move(models.TextChoices):
    START = "start", _("対応開始")
    CLOSE = "close", _("完了")
    REOPEN = "reopen", _("再開")


#: The allowed moves: name → (states it starts from, state it ends in). ``services`` refuses any
#: other. START happens by itself when the 相談窓口 first answers, assigns or records a follow-up.
#:
#:     new ─start─► in_progress ─close─► closed
#:                       ▲                  │
#:                       └──── reopen ──────┘
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Move.START: (frozenset({State.NEW}), State.IN_PROGRESS),
    Move.CLOSE: (frozenset({State.IN_PROGRESS}), State.CLOSED),
    Move.REOPEN: (frozenset({State.CLOSED}), State.IN_PROGRESS),
}

#: States in which the 相談窓口 still works on a consultation (answers, follow-ups, handler).
OPEN = frozenset({State.NEW, State.IN_PROGRESS})


class Consultation(Retained):
    """相談: what happened, what the staff member wants, and how to reach them. A closed one's free
    text is removed with the reports' after the same period; a hold here, or on the linked report,
    stops it (``Retained``, consultations/retention.py)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("相談者")
    )
    section = models.ForeignKey(
        "organization.Section", on_delete=models.PROTECT, related_name="consultations",
        verbose_name=_("相談者の所属"),
    )
    what_happened = models.TextField(
        _("何があったか"),
        help_text=_("相手方の言葉や行動を、できるだけそのまま書いてください。"),
    )
    wish = models.TextField(
        _("相談したいこと"),
        help_text=_("例：「カスハラに当たるか判断してほしい」「対応方法を相談したい」"),
    )
    contact = models.CharField(
        _("連絡方法"), max_length=200,
        help_text=_("例：内線1234、平日15時以降に電話、メールで"),
    )
    occurred_on = models.DateField(_("発生日"), null=True, blank=True)
    channel = models.CharField(_("場所・手段"), max_length=20, choices=Channel.choices, blank=True)
    share_with_supervisors = models.BooleanField(
        _("所属長・部長にも共有する"),
        default=False,
        help_text=_(
            "相談の内容は法律により秘密として扱われ、相談窓口とあなただけが読めます。"
            "ここにチェックを入れたときだけ、あなたの課の所属長と部の部長も読めるようになります。"
        ),
    )
    #: The token of the form that asked (a double click or a resent form makes one consultation).
    form_token = models.UUIDField(_("フォーム識別子"), null=True, blank=True, editable=False)
    state = models.CharField(_("状態"), max_length=20, choices=State.choices, default=State.NEW, db_index=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("担当者"),
    )
    answer = models.TextField(_("相談窓口からの回答"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("回答者"),
    )
    outcome = models.CharField(_("結果"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consultations", verbose_name=_("関連する発生連絡票"),
    )
    created_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    #: Folded (``kasuhara.textnorm.fold``) 何があったか, 相談したいこと, 回答 and 対応の記録, for the
    #: queue's substring search; kept current by the services on every write.
    search_text = models.TextField(_("検索用テキスト"), blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("相談")
        verbose_name_plural = _("相談")
        constraints = [
            models.UniqueConstraint(fields=["author", "form_token"], name="consultation_one_per_form_token"),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="consultation_author_recent"),
            models.Index(fields=["state", "created_at"], name="consultation_state_oldest"),
            # The 相談窓口's list order (open first, oldest first; selectors.queue_consultations):
            # an index scan of one page instead of sorting every consultation.
            models.Index(
                models.Case(models.When(state="closed", then=models.Value(1)), default=models.Value(0),
                            output_field=models.IntegerField()),
                models.F("created_at"), models.F("id"),
                name="consultation_queue_order",
            ),
        ]

    def __str__(self) -> str:
        return f"相談No.{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def linked_report(self):
        """The 発生連絡票 made from or linked to this consultation; None once that draft was deleted
        (削除済み): the link then means nothing and a new draft may be made."""
        report = self.report
        return None if report is None or report.status == "discarded" else report


class FollowUp(models.Model):
    """対応の記録: what the 相談窓口 did, by whom, on which day. Shown to everyone who reads the consultation."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("相談")
    )
    done_on = models.DateField(_("実施日"))
    description = models.TextField(_("内容"))
    done_by = models.CharField(_("実施者"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("記録者"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        verbose_name = _("対応の記録")
        verbose_name_plural = _("対応の記録")

    def __str__(self) -> str:
        return f"{self.done_on} {self.description[:30]}"


class Note(models.Model):
    """内部メモ of the 相談窓口: never shown to the author or to the 所属長・部長."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="notes", verbose_name=_("相談")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("記入者"))
    at = models.DateTimeField(_("日時"), auto_now_add=True)
    body = models.TextField(_("内部メモ"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("内部メモ")
        verbose_name_plural = _("内部メモ")

    def __str__(self) -> str:
        return self.body[:30]


class EventAction(models.TextChoices):
    CREATED = "created", _("相談の受付")
    VIEWED = "viewed", _("閲覧")
    ANSWERED = "answered", _("回答")
    ASSIGNED = "assigned", _("担当者の指定")
    FOLLOW_UP = "follow_up", _("対応の記録")
    NOTE_ADDED = "note_added", _("内部メモ")
    CLOSED = "closed", _("完了")
    REOPENED = "reopened", _("再開")
    REPORT_LINKED = "report_linked", _("発生連絡票と関連付け")
    REPORT_CREATED = "report_created", _("発生連絡票の下書きを作成")
    HOLD_SET = "hold_set", _("訴訟・警察対応中（削除の保留）を設定")
    HOLD_LIFTED = "hold_lifted", _("訴訟・警察対応中（削除の保留）を解除")
    RETAINED_REMOVED = "retention_removed", _("保存期間経過による削除")


class ConsultationEvent(AuditEvent):
    """監査記録: who did what to a consultation, when, from where; every change and every view.

    ``detail`` never holds the text of an internal note (the author reads this history)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="events", verbose_name=_("相談")
    )
    action = models.CharField(_("操作"), max_length=30, choices=EventAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("相談の監査記録")
        verbose_name_plural = _("相談の監査記録")

    @property
    def from_state_display(self) -> str:
        return State(self.detail["from"]).label if self.detail.get("from") in State.values else ""

    @property
    def to_state_display(self) -> str:
        return State(self.detail["to"]).label if self.detail.get("to") in State.values else ""
