"""お知らせ (notices): the outbox, the inbox and e-mail delivery, and the escalation sweeps' plumbing.

A concern of its own: every domain app (reports, consultations, counterparts, the committee) says
*that* something happened and about which case; this app decides *who* hears of it (the admin's
rules, one table), writes the notices in the caller's transaction, delivers them through Celery
exactly once, keeps the inbox and each user's choice of e-mail. It imports ``organization`` only;
the domain apps import it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("お知らせ")
