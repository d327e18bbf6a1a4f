"""`manage.py incident_categories import|export FILE`: the category table as a spreadsheet.

The import is the page's import run as the system: whole or not at all, every problem listed
with its row and column. The export writes the format the import reads (.xlsx, or .csv by the
file's suffix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.incidents.category_io import category_export, category_import
from shequ.incidents.models import IncidentCategory
from shequ.lib.tabular import ImportFailed


class Command(BaseCommand):
    help = "Import or export the incident category table (.xlsx or .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["action"] == "export":
            categories = IncidentCategory.objects.select_related(
                "incident_class", "default_unit"
            ).order_by("incident_class__kind", "incident_class__code", "code")
            path.write_bytes(category_export(categories, as_csv=path.suffix.lower() == ".csv"))
            self.stdout.write(f"{categories.count()} subclasses written to {path}")
            return
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with path.open("rb") as file:
            try:
                report = category_import(actor=None, file=file, filename=path.name)
            except ImportFailed as exc:
                for error in exc.errors:
                    self.stderr.write(
                        f"row {error.row}, {error.column or '-'}: {error.message}"
                        + (f" ({error.value})" if error.value else "")
                    )
                raise CommandError(f"{len(exc.errors)} problem(s): nothing was imported") from exc
        self.stdout.write(
            "{rows} subclasses read: {created} added, {changed} changed, "
            "{unchanged} unchanged.".format(**report.as_dict())
        )
