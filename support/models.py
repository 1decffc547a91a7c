"""法律相談依頼 and 庁舎管理 requests made from a case, and their audit trail.

Each request has a small state table (``LEGAL_MOVES``, ``BUILDING_MOVES``): ``services`` performs a
move only from the states listed for it and refuses any other with a Japanese message. Every
step, and every view, print and download, is a ``SupportEvent`` (who, when, from where, what).

    法律相談:  requested ─arrange─► arranged ─hold─► held ─report─► reported
                   │                  │ ▲
                   │                  └─┘ arrange again (a new date or lawyer)
                   └──── withdraw ────┴──► withdrawn

    庁舎管理:  requested ─answer─► answered
                   └──── withdraw ───► withdrawn
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


class LegalState(models.TextChoices):
    REQUESTED = "requested", _("依頼済み（日程の調整待ち）")
    ARRANGED = "arranged", _("日程決定")
    HELD = "held", _("相談実施済み（報告書待ち）")
    REPORTED = "reported", _("報告書提出済み")
    WITHDRAWN = "withdrawn", _("取下げ")


class LegalMove(models.TextChoices):
    ARRANGE = "arrange", _("日程と弁護士の決定")
    HOLD = "hold", _("相談の実施")
    REPORT = "report", _("報告書の提出")
    WITHDRAW = "withdraw", _("取下げ")


#: move → (the states it may start from, the state it ends in).
LEGAL_MOVES: dict[str, tuple[frozenset[str], str]] = {
    LegalMove.ARRANGE: (frozenset({LegalState.REQUESTED, LegalState.ARRANGED}), LegalState.ARRANGED),
    LegalMove.HOLD: (frozenset({LegalState.ARRANGED}), LegalState.HELD),
    LegalMove.REPORT: (frozenset({LegalState.HELD}), LegalState.REPORTED),
    LegalMove.WITHDRAW: (frozenset({LegalState.REQUESTED, LegalState.ARRANGED}), LegalState.WITHDRAWN),
}


class BuildingState(models.TextChoices):
    REQUESTED = "requested", _("依頼済み（回答待ち）")
    ANSWERED = "answered", _("回答済み")
    WITHDRAWN = "withdrawn", _("取下げ")


class BuildingMove(models.TextChoices):
    ANSWER = "answer", _("回答")
    WITHDRAW = "withdraw", _("取下げ")


BUILDING_MOVES: dict[str, tuple[frozenset[str], str]] = {
    BuildingMove.ANSWER: (frozenset({BuildingState.REQUESTED}), BuildingState.ANSWERED),
    BuildingMove.WITHDRAW: (frozenset({BuildingState.REQUESTED}), BuildingState.WITHDRAWN),
}


def legal_report_path(instance: LegalRequest, filename: str) -> str:
    # Like evidence: a random name, never the uploaded one (it could carry personal data or path tricks).
    return f"support/legal/{uuid4().hex}"


class LegalRequest(models.Model):
    """法律相談依頼: what the case needs a lawyer's view on (the seed's 依頼書: 経緯や背景、検討している
    対処内容、法的な問題点), sent to the 総務課 (文書係), who arranges the date and the lawyer; after the
    consultation its report is attached."""

    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.PROTECT, related_name="legal_requests", verbose_name=_("事案")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("依頼者")
    )
    requester_section = models.ForeignKey(
        "organization.Section", on_delete=models.PROTECT, related_name="+", verbose_name=_("依頼した課")
    )
    requested_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    background = models.TextField(_("経緯・背景"))
    planned_response = models.TextField(_("検討している対処内容"))
    legal_issues = models.TextField(_("法的な問題点"))
    #: The token of the page that asked: the same page sent twice makes one request.
    form_token = models.UUIDField(_("フォーム識別子"), null=True, blank=True, editable=False)
    state = models.CharField(_("状態"), max_length=20, choices=LegalState.choices, default=LegalState.REQUESTED)

    scheduled_at = models.DateTimeField(_("相談の日時"), null=True, blank=True)
    lawyer = models.CharField(_("弁護士"), max_length=100, blank=True)
    venue = models.CharField(_("場所・方法"), max_length=200, blank=True)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("日程を決めた人"),
    )
    held_on = models.DateField(_("実施日"), null=True, blank=True)
    report_file = models.FileField(_("報告書"), upload_to=legal_report_path, blank=True)
    report_file_name = models.CharField(_("報告書の元のファイル名"), max_length=255, blank=True)
    report_file_type = models.CharField(_("報告書の形式"), max_length=100, blank=True)
    report_file_size = models.PositiveBigIntegerField(_("報告書のサイズ（バイト）"), null=True, blank=True)
    report_summary = models.TextField(_("報告の要旨"), blank=True)
    reported_at = models.DateTimeField(_("報告書の提出日時"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("報告書を提出した人"),
    )
    withdrawn_reason = models.TextField(_("取下げの理由"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("法律相談依頼")
        verbose_name_plural = _("法律相談依頼")
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "form_token"], name="legal_request_one_per_form_token"),
        ]

    def __str__(self) -> str:
        return f"法律相談依頼No.{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in (LegalState.REQUESTED, LegalState.ARRANGED, LegalState.HELD)


class BuildingRequest(models.Model):
    """庁舎管理への依頼: 警備員の出動 or support for a 退去命令 under the 庁舎管理規則, sent to the 所属長
    of the 課 that manages the building (``Section.manages_building``), who answers it."""

    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.PROTECT, related_name="building_requests",
        verbose_name=_("事案"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("依頼者")
    )
    requester_section = models.ForeignKey(
        "organization.Section", on_delete=models.PROTECT, related_name="+", verbose_name=_("依頼した課")
    )
    requested_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    place = models.CharField(_("場所"), max_length=200)
    guard = models.BooleanField(_("警備員の出動"), default=False)
    exit_order = models.BooleanField(_("退去命令の発出・支援"), default=False)
    needed_at = models.DateTimeField(_("希望日時"), null=True, blank=True)
    details = models.TextField(_("状況と依頼の内容"))
    form_token = models.UUIDField(_("フォーム識別子"), null=True, blank=True, editable=False)
    state = models.CharField(_("状態"), max_length=20, choices=BuildingState.choices,
                             default=BuildingState.REQUESTED)
    answer = models.TextField(_("回答"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("回答者"),
    )
    withdrawn_reason = models.TextField(_("取下げの理由"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("庁舎管理への依頼")
        verbose_name_plural = _("庁舎管理への依頼")
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "form_token"],
                                    name="building_request_one_per_form_token"),
        ]

    def __str__(self) -> str:
        return f"庁舎管理の依頼No.{self.pk}"

    @property
    def help_wanted(self) -> list[str]:
        """What is asked for, in words."""
        wanted = []
        if self.guard:
            wanted.append(str(_("警備員の出動")))
        if self.exit_order:
            wanted.append(str(_("退去命令の発出・支援")))
        return wanted


class SupportAction(models.TextChoices):
    LEGAL_REQUESTED = "legal_requested", _("法律相談の依頼")
    LEGAL_ARRANGED = "legal_arranged", _("法律相談の日程と弁護士の決定")
    LEGAL_HELD = "legal_held", _("法律相談の実施")
    LEGAL_REPORTED = "legal_reported", _("法律相談の報告書の提出")
    LEGAL_WITHDRAWN = "legal_withdrawn", _("法律相談の依頼の取下げ")
    BUILDING_REQUESTED = "building_requested", _("庁舎管理への依頼")
    BUILDING_ANSWERED = "building_answered", _("庁舎管理からの回答")
    BUILDING_WITHDRAWN = "building_withdrawn", _("庁舎管理への依頼の取下げ")
    VIEWED = "viewed", _("閲覧")
    PRINTED = "printed", _("印刷用表示")
    FILE_DOWNLOADED = "file_downloaded", _("報告書の閲覧")


#: The reads: recorded, counted, and left out of the steps the case page lists.
READ_ACTIONS = frozenset({SupportAction.VIEWED, SupportAction.PRINTED, SupportAction.FILE_DOWNLOADED})


class SupportEvent(AuditEvent):
    """監査記録 of the requests: every step and every view, print and download, with its case."""

    action = models.CharField(_("操作"), max_length=30, choices=SupportAction.choices)
    report = models.ForeignKey(
        "incidents.IncidentReport", on_delete=models.CASCADE, related_name="support_events", verbose_name=_("事案")
    )
    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
        verbose_name=_("法律相談依頼"),
    )
    building_request = models.ForeignKey(
        BuildingRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events",
        verbose_name=_("庁舎管理への依頼"),
    )
    from_state = models.CharField(_("変更前"), max_length=20, blank=True)
    to_state = models.CharField(_("変更後"), max_length=20, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("依頼の監査記録")
        verbose_name_plural = _("依頼の監査記録")
        indexes = [models.Index(fields=["report", "at"], name="support_event_case")]

    @property
    def state_labels(self) -> tuple[str, str]:
        """(from, to) in words, '' where there was no change of state."""
        states = LegalState if self.legal_request_id else BuildingState
        label = dict(states.choices)
        return str(label.get(self.from_state, "")), str(label.get(self.to_state, ""))
