"""`manage.py seed_demo --scale 1`: load the demo district into an empty database."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.demo.generator import PERSONS_PER_SCALE
from shequ.demo.services import DEFAULT_SEED, DemoError, demo_seed
from shequ.regions.models import Region


def positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from exc
    if not 0 < number <= 1000:
        raise argparse.ArgumentTypeError("the scale must be above 0 and at most 1000")
    return number


class Command(BaseCommand):
    help = (
        f"Load the demo district 新华区 (3 streets, 62 communities, 221 grids) with about "
        f"{PERSONS_PER_SCALE:,} invented persons per unit of --scale, and the demo logins "
        "(see demo_logins). The database must hold no region tree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive,
            default=1.0,
            help=f"size: 1 is about {PERSONS_PER_SCALE:,} persons, 20 about a million "
            "(the district of seed 000 is about 9)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed: the same seed gives the same names, numbers and places",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already holds a region tree",
        )
        # An exact number of persons, for tests.
        parser.add_argument("--persons", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Region.objects.exists():
            if options["verbosity"] >= 1:
                self.stdout.write("The database already holds a region tree: demo not loaded.")
            return
        verbose = options["verbosity"] >= 1
        try:
            report = demo_seed(
                scale=options["scale"],
                seed=options["seed"],
                persons=options["persons"],
                progress=self.stdout.write if verbose else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        counts = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district loaded in {report.seconds:.1f} s (seed {report.seed}, "
                f"scale {report.scale:g}): {counts['streets']} streets, "
                f"{counts['communities']} communities, {counts['grids']} grids, "
                f"{counts['buildings']:,} buildings, {counts['dwellings']:,} dwellings, "
                f"{counts['households']:,} households, {counts['persons']:,} persons "
                f"({counts['persons'] / report.seconds:,.0f} persons/s)."
            )
        )
        if report.logins_skipped:
            self.stdout.write(
                "These user names were taken and are left as they were: "
                + ", ".join(report.logins_skipped)
            )
