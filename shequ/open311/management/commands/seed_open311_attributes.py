"""Add the starting Open311 service definitions (attribute_seed.py) to the active services."""

from typing import Any

from django.core.management.base import BaseCommand

from shequ.open311.attribute_seed import SEED
from shequ.open311.models import ServiceAttribute
from shequ.open311.registry import all_services
from shequ.open311.services import attribute_add


class Command(BaseCommand):
    help = (
        "Add the starting Open311 attributes to the services that lack them; safe to run "
        "again (an attribute a service has, edited or not, is left as it is)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(ServiceAttribute.objects.values_list("service_code", "code"))
        added = 0
        for _source, service in all_services():
            for seed in SEED:
                if not service.code.startswith(seed.prefix):
                    continue
                if (service.code, seed.code) in existing:
                    continue
                attribute_add(
                    actor=None,
                    service_code=service.code,
                    code=seed.code,
                    datatype=seed.datatype,
                    description=seed.description,
                    required=seed.required,
                    datatype_description=seed.datatype_description,
                    values=seed.values,
                )
                existing.add((service.code, seed.code))
                added += 1
        self.stdout.write(f"{added} attributes added")
