"""`manage.py seed_incident_categories`: the standard classes and the starting subclasses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.incidents.category_seed import CATEGORIES, UNITS, incident_categories_seed
from shequ.regions.models import Region


class Command(BaseCommand):
    help = (
        f"Create the handling units (at the district node, {len(UNITS)} at most), the 12 "
        f"standard classes and the {len(CATEGORIES)} starting subclasses of the incident "
        "category table. Safe to run again: what exists is matched by code, and a retired "
        "subclass stays retired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--district",
            default="",
            help="code of the district node the units sit at (default: the top of the tree)",
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
        counts = incident_categories_seed(district=district)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{district.name}: {counts['units']} units added; subclasses: "
                f"{counts['created']} added, {counts['changed']} changed, "
                f"{counts['unchanged']} unchanged."
            )
