from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "shequ.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # The engine's own type (rectification after a poor rating) registers itself here;
        # other case types register from their own apps' ready(). Apps below the engine (the
        # register's reminders) reach the inbox through the port of core.inbox.
        from shequ.cases.inbox import inbox_deliver
        from shequ.cases.types import rectification  # noqa: F401
        from shequ.core.inbox import register_delivery

        register_delivery(inbox_deliver)
