from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpcallsConfig(AppConfig):
    name = "helpcalls"
    verbose_name = _("応援要請")
