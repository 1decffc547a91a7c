"""The auditor's own trail: every search and export of the audit viewer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import AuditEvent


class AuditViewEvent(AuditEvent):
    """A search (one page of results) or a CSV export by an auditor: the filters in ``detail``."""

    class Action(models.TextChoices):
        SEARCHED = "searched", _("監査記録の検索")
        EXPORTED = "exported", _("監査記録の出力")

    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    row_count = models.PositiveIntegerField(_("件数"), default=0)

    class Meta(AuditEvent.Meta):
        verbose_name = _("監査記録の閲覧")
        verbose_name_plural = _("監査記録の閲覧")
