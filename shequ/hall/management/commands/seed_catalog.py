"""`manage.py seed_catalog`: the district's departments and its starting service catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shequ.hall.catalog_seed import DEPARTMENTS, ITEMS, catalog_seed
from shequ.regions.commands import add_district_argument, district_from


class Command(BaseCommand):
    help = (
        f"Create the {len(DEPARTMENTS)} departments (at the district node) and the "
        f"{len(ITEMS)} items of the starting service catalog. Safe to run again: an item "
        "that did not change keeps its version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_district_argument(parser, "the departments")

    def handle(self, *args: Any, **options: Any) -> None:
        district = district_from(options)
        counts = catalog_seed(district=district)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{district.name}: {counts['departments']} departments added; items: "
                f"{counts['created']} added, {counts['versions']} given a new version, "
                f"{counts['unchanged']} unchanged."
            )
