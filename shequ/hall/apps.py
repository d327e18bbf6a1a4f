from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "shequ.hall"
    verbose_name = _("Service hall")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from shequ.hall import casetype  # noqa: F401  (registers the application case type)
        from shequ.hall.cache import forget
        from shequ.hall.models import Material, ServiceItem
        from shequ.regions.models import Unit

        for model in (ServiceItem, Material, Unit):
            post_save.connect(forget, sender=model, dispatch_uid=f"hall-cache-{model.__name__}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"hall-del-{model.__name__}")
