"""The demo: an organisation, a user for every role and cases in every state, so a newcomer sees
a living product after `make run`. An app of its own because it reads and writes every other app
(incidents, consultations, counterparts, manual) while none of them may depend on it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("デモデータ")
