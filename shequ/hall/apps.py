from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "shequ.hall"
    verbose_name = _("Service hall")

    def ready(self) -> None:
        from shequ.hall import casetype  # noqa: F401  (registers the application case type)
