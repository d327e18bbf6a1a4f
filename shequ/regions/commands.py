"""What management commands share about the region tree: the `--district` option."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from shequ.regions.models import Region


def add_district_argument(parser: CommandParser, what: str) -> None:
    parser.add_argument(
        "--district",
        default="",
        help=f"code of the district node {what} sit at (default: the top of the tree)",
    )


def district_from(options: dict[str, Any]) -> Region:
    """The node named by `--district`, or the single top node of the tree."""
    code = options["district"]
    if code:
        district = Region.objects.filter(code=code).first()
        if district is None:
            raise CommandError(f"no region has the code {code}")
        return district
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise CommandError("the tree has no single top node: name the district with --district")
    return roots[0]
