"""Fill the holiday table from the chinese-calendar package (safe to run again)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shequ.workdays.services import calendar_seed_from_package, package_years


class Command(BaseCommand):
    help = (
        "Fill the holiday table from the chinese-calendar package. Rows entered by an "
        "administrator or imported from a file are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-year", type=int, help="first year (default: the package's first)"
        )
        parser.add_argument("--to-year", type=int, help="last year (default: the package's last)")

    def handle(self, *args: Any, **options: Any) -> None:
        covered = package_years()
        first = options["from_year"] or covered.start
        last = options["to_year"] or covered.stop - 1
        written = calendar_seed_from_package(years=range(first, last + 1))
        self.stdout.write(
            f"{written} rows written; the package covers {covered.start}-{covered.stop - 1}."
        )
