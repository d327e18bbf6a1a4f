"""`manage.py seed_catalog`: the district's departments and its starting service catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.hall.catalog_seed import DEPARTMENTS, ITEMS, catalog_seed
from shequ.regions.models import Region


class Command(BaseCommand):
    help = (
        f"Create the {len(DEPARTMENTS)} departments (at the district node) and the "
        f"{len(ITEMS)} items of the starting service catalog. Safe to run again: an item "
        "that did not change keeps its version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--district",
            default="",
            help="code of the district node the departments sit at (default: the top of the tree)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["district"]
        if code:
            district = Region.objects.filter(code=code).first()
            if district is None:
                raise CommandError(f"no region has the code {code}")
        else:
            roots = list(Region.objects.filter(parent__isnull=True)[:2])
            if len(roots) != 1:
                raise CommandError(
                    "the tree has no single top node: name the district with --district"
                )
            district = roots[0]
        counts = catalog_seed(district=district)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{district.name}: {counts['departments']} departments added; items: "
                f"{counts['created']} added, {counts['versions']} given a new version, "
                f"{counts['unchanged']} unchanged."
            )
