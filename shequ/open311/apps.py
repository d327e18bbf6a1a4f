from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The service sources, in the order of the service list; each module registers itself.
SOURCES = ("shequ.open311.sources.incidents", "shequ.open311.sources.hotline")


class Open311Config(AppConfig):
    name = "shequ.open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        for module in SOURCES:
            import_module(module)
