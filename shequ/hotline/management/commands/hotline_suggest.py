"""`manage.py hotline_suggest [--rebuild]`: bring the duplicate suggestion's side table up to date."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shequ.hotline.search_index import suggest_rebuild, suggest_sync


class Command(BaseCommand):
    help = (
        "Take the open cases opened since the last sync into the duplicate suggestion's side "
        "table and drop finished ones; with --rebuild, empty it and take in every open case."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="empty the table first")

    def handle(self, *args: Any, **options: Any) -> None:
        result = suggest_rebuild() if options["rebuild"] else suggest_sync()
        self.stdout.write(
            f"{result.indexed} open cases indexed, {result.pruned} finished ones dropped; "
            f"mark at case {result.mark}."
        )
