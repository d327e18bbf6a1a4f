from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "shequ.incidents"
    verbose_name = _("Grid incidents")

    def ready(self) -> None:
        # Registers the incident case type and its steps.
        from django.db.models.signals import post_delete, post_save

        from shequ.incidents import casetype, services_loop  # noqa: F401
        from shequ.incidents.cache import forget
        from shequ.incidents.models import IncidentCategory, IncidentClass

        for model in (IncidentCategory, IncidentClass):
            post_save.connect(
                forget, sender=model, dispatch_uid=f"incidents.forget.{model.__name__}"
            )
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"incidents.forget-del.{model.__name__}"
            )
