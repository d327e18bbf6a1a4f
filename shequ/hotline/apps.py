from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "shequ.hotline"
    verbose_name = _("Hotline")

    def ready(self) -> None:
        from shequ.hotline import casetype  # noqa: F401  (registers "hotline" and "opinion")
