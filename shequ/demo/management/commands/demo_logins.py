"""`manage.py demo_logins --url URL`: print where to log in and the demo accounts."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urljoin

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from shequ.demo.logins import demo_login_rows
from shequ.regions.models import Region


def width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()
        for row in [header, tuple("-" * w for w in widths), *rows]
    ]


class Command(BaseCommand):
    help = "Print the address of the site and the demo logins that exist in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="the address the site is served at"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] if options["url"].endswith("/") else options["url"] + "/"
        rows = demo_login_rows()
        self.stdout.write(f"Shequ: {url}")
        self.stdout.write(f"  staff login:     {urljoin(url, reverse('accounts:login'))}")
        self.stdout.write(f"  resident portal: {urljoin(url, reverse('portal:login'))}")
        self.stdout.write(f"  status lookup:   {urljoin(url, reverse('hall:lookup'))}")
        hall = Region.objects.filter(windows__isnull=False).order_by("code").first()
        if hall is not None:
            kiosk = reverse("hall:kiosk-ticket", args=[hall.pk])
            screen = reverse("hall:screen", args=[hall.pk])
            self.stdout.write(f"  {hall.name} queue kiosk:   {urljoin(url, kiosk)}")
            self.stdout.write(f"  {hall.name} calling screen: {urljoin(url, screen)}")
        if not rows:
            self.stdout.write("No demo logins in this database (load them with seed_demo).")
            return
        self.stdout.write("")
        header = ("login", "role", "region", "password")
        for line in table(header, [(r.login, r.role, r.region, r.password) for r in rows]):
            self.stdout.write(line)
