from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("監査")

    def ready(self) -> None:
        from .guard import guard_new_tables

        post_migrate.connect(guard_new_tables, sender=self, dispatch_uid="audit.guard_new_tables")
