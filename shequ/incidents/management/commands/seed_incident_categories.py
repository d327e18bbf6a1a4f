"""`manage.py seed_incident_categories`: the standard classes and the starting subclasses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shequ.incidents.category_seed import CATEGORIES, UNITS, incident_categories_seed
from shequ.regions.commands import add_district_argument, district_from


class Command(BaseCommand):
    help = (
        f"Create the handling units (at the district node, {len(UNITS)} at most), the 12 "
        f"standard classes and the {len(CATEGORIES)} starting subclasses of the incident "
        "category table. Safe to run again: what exists is matched by code, and a retired "
        "subclass stays retired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_district_argument(parser, "the units")

    def handle(self, *args: Any, **options: Any) -> None:
        district = district_from(options)
        counts = incident_categories_seed(district=district)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{district.name}: {counts['units']} units added; subclasses: "
                f"{counts['created']} added, {counts['changed']} changed, "
                f"{counts['unchanged']} unchanged."
            )
