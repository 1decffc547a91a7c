from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterpartsConfig(AppConfig):
    name = "counterparts"
    verbose_name = _("相手方")
