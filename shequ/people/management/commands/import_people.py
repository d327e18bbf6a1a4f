"""`manage.py import_people FILE --region CODE`: the register import from the command line.

The same checks, the same all-or-nothing write and the same error report as an upload on the
page, with a progress bar (rows/s) on the terminal. Without --user it is a system import:
everything within the region node is allowed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.people.importing.engine import register_import
from shequ.people.importing.jobs import can_import
from shequ.people.models import ImportKind
from shequ.regions.models import Region


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.started = time.monotonic()
        self.phase = ""
        self.drawn = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase:
                self.stream.write("\n")
            self.phase, self.started = phase, now
        elif now - self.drawn < 0.1 and done < total:
            return
        self.drawn = now
        share = done / total if total else 1.0
        filled = int(self.width * min(share, 1.0))
        speed = done / (now - self.started) if now > self.started else 0.0
        self.stream.write(
            f"\r{phase:<10} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{done:>9,}/{total:,} rows {speed:>9,.0f} rows/s"
        )
        self.stream.flush()

    def end(self) -> None:
        if self.phase:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import a register file (.xlsx or .csv) into a region node, whole or not at all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", required=True, help="code of the region node")
        parser.add_argument("--kind", default=ImportKind.PERSONS, choices=ImportKind.values)
        parser.add_argument("--user", help="import as this staff user (checks scope and role)")
        parser.add_argument("--report", type=Path, help="where to write the error report (.xlsx)")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        node = Region.objects.filter(code=options["region"]).first()
        if node is None:
            raise CommandError(f"no region has the code {options['region']}")
        actor = None
        if options["user"]:
            from shequ.accounts.models import User

            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']}")
            if not can_import(actor, node):
                raise CommandError(f"{actor} may not import into {node}")
        bar = None if options["quiet_progress"] else ProgressBar(sys.stderr)
        started = time.monotonic()
        with path.open("rb") as file:
            outcome = register_import(
                actor=actor,
                kind=options["kind"],
                node=node,
                file=file,
                filename=path.name,
                progress=bar,
            )
        if bar is not None:
            bar.end()
        seconds = time.monotonic() - started
        counts = outcome.counts
        if outcome.ok:
            self.stdout.write(
                f"imported {counts.rows:,} rows in {seconds:.1f} s: {counts.created:,} created, "
                f"{counts.updated:,} updated, {counts.unchanged:,} unchanged"
            )
            return
        report = options["report"] or path.with_name(f"{path.stem}-errors.xlsx")
        assert outcome.report is not None
        report.write_bytes(outcome.report)
        for row, column, letter, value, message in outcome.first_errors[:20]:
            self.stderr.write(f"row {row}, {column} ({letter}): {value} {message}")
        raise CommandError(
            f"nothing imported: {counts.errors:,} problem(s) in {counts.rows:,} rows; "
            f"the report is {report}"
        )
