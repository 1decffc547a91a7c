from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = _("サインインの保護")

    def ready(self) -> None:
        from . import signals  # noqa: F401 (UserSession follows sign-in and sign-out)
