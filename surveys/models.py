"""職員アンケート: a survey the 管理者 opens for a period, its questions and choices, who has answered,
and the answers — kept apart so that nobody can tell which answer is whose.

    Survey ─┬─ Question ── Choice                 (what is asked; edited in the admin)
            ├─ Participation (survey, user, day)  (THAT a user answered: one per user)
            └─ Response ─┬─ ChoiceAnswer          (WHAT was answered: no user, no time,
                         └─ TextAnswer             random UUID4 keys)

The answer tables hold no link to the user or to the participation, no timestamp, and random
primary keys (so the order of the rows cannot be matched with the order of the participations).
``Participation`` holds the day only, never the time. The audit event of an answer names the user
and the survey, nothing of the answer.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


class Survey(models.Model):
    """One round of the staff survey, open from ``opens_on`` to ``closes_on`` (both included)."""

    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(
        _("説明"), blank=True, help_text=_("回答ページの冒頭に表示します（目的、所要時間など）。"),
    )
    opens_on = models.DateField(_("回答開始日"))
    closes_on = models.DateField(_("回答締切日"), help_text=_("この日まで回答できます。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("作成者"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("職員アンケート")
        verbose_name_plural = _("職員アンケート")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
                violation_error_message=_("回答締切日は回答開始日以降の日にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("ひとつ選ぶ")
    MULTIPLE = "multiple", _("複数選べる")
    TEXT = "text", _("自由記述")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("アンケート"))
    order = models.PositiveIntegerField(_("表示順"), default=0)
    key = models.SlugField(
        _("識別名"), max_length=40,
        help_text=_("前回のアンケートと比べるときの目印（例: experienced, frequency, kinds, free）。"
                    "同じ質問には毎回同じ識別名を付けてください。"),
    )
    text = models.CharField(_("質問"), max_length=300)
    help_text = models.CharField(_("補足"), max_length=300, blank=True)
    kind = models.CharField(_("回答の形式"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    required = models.BooleanField(_("回答必須"), default=False)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("質問")
        verbose_name_plural = _("質問")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="unique_question_key_per_survey"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("質問"))
    order = models.PositiveIntegerField(_("表示順"), default=0)
    label = models.CharField(_("選択肢"), max_length=200)

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("選択肢")
        verbose_name_plural = _("選択肢")

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """THAT a user answered a survey (one per user and survey), with the day only. Nothing here
    leads to the answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="participations",
                               verbose_name=_("アンケート"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("回答者"))
    answered_on = models.DateField(_("回答日"))

    class Meta:
        verbose_name = _("回答済みの記録")
        verbose_name_plural = _("回答済みの記録")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_answer_per_user_and_survey"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.user_id}"


class Response(models.Model):
    """One anonymous answer sheet: its survey, nothing else (no user, no participation, no time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("アンケート"))

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")

    def __str__(self) -> str:
        return str(self.pk)


class ChoiceAnswer(models.Model):
    """A choice picked on an answer sheet (a multiple-choice question has several)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="choices", verbose_name=_("回答"))
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="answers", verbose_name=_("選択肢"))

    class Meta:
        verbose_name = _("選択した回答")
        verbose_name_plural = _("選択した回答")

    def __str__(self) -> str:
        return str(self.pk)


class TextAnswer(models.Model):
    """A free-text answer on an answer sheet."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="texts", verbose_name=_("回答"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="text_answers",
                                 verbose_name=_("質問"))
    text = models.TextField(_("回答"))

    class Meta:
        verbose_name = _("自由記述の回答")
        verbose_name_plural = _("自由記述の回答")

    def __str__(self) -> str:
        return str(self.pk)


class SurveyAction(models.TextChoices):
    CREATED = "created", _("作成")
    CHANGED = "changed", _("変更")
    QUESTIONS_CHANGED = "questions_changed", _("質問の変更")
    ANSWERED = "answered", _("回答")


class SurveyEvent(AuditEvent):
    """監査記録 of a survey. An ``answered`` event names the user and the survey only: its detail
    stays empty and no address is kept, so nothing of the answer is in the trail."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events", verbose_name=_("アンケート"))
    action = models.CharField(_("操作"), max_length=20, choices=SurveyAction.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("アンケートの監査記録")
        verbose_name_plural = _("アンケートの監査記録")
