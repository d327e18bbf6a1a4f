"""The import of a register file, whole or not at all, in one transaction.

The first pass streams the file (the csv reader of `shequ.lib.tabular.read_rows`, or for a
workbook the quick reader of sheet.py) in chunks: each row is checked cell by cell (for a large file in worker
processes, see workers.py), every problem is recorded in the scratch store on disk with the
keys the checks across rows need, and while no problem has been found the register's handler
may write the checked rows at once (the persons register does; the registers of places keep
them in the scratch store). Then the checks across rows run on the scratch store (duplicates
within the file, households). If anything was wrong the transaction is rolled back, taking
every row written with it, and the problems are reported; otherwise the handler writes what
it kept back, one audit event sums the import up, and the transaction commits. An error while
writing rolls the whole import back too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from typing import IO, Any, Protocol

from django.db import transaction
from django.http import HttpRequest

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.lib.tabular import ImportFailed, RowReader
from shequ.people.importing import workers
from shequ.people.importing.columns import aliases, required
from shequ.people.importing.context import Dwellings, Regions, RowProblems
from shequ.people.importing.scratch import Scratch
from shequ.people.importing.sheet import read_register
from shequ.people.importing.workers import Prepare
from shequ.people.models import ImportKind
from shequ.regions.models import Region

CHUNK = 1000
# progress(phase, rows done, rows in all): phase is "validating" or "writing".
Progress = Callable[[str, int, int], None]


@dataclass
class Counts:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Context:
    """One import under way: who, where, the lookups and the scratch store."""

    actor: Any
    node: Region
    regions: Regions
    dwellings: Dwellings
    scratch: Scratch
    counts: Counts = field(default_factory=Counts)
    progress: Progress | None = None
    total: int = 0
    _last_report: float = 0.0

    def problems(
        self, row: int, problems: RowProblems, into: list[tuple[int, str, str, str]]
    ) -> None:
        into.extend((row, key, shown, message) for key, shown, message in problems.items)

    @property
    def clean(self) -> bool:
        """No problem found so far: once the import is bound to fail, nothing more is written."""
        return self.scratch.error_count == 0

    def report(self, phase: str, done: int, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or now - self._last_report >= 0.5:
            self._last_report = now
            self.progress(phase, done, max(self.total, done))


class Handler(Protocol):
    """What each register contributes: checking chunks, checks across rows, writing."""

    def prepare(self, ctx: Context) -> Prepare | None:
        """The work on a chunk of rows that needs no database, or None; it may run in a
        worker process (see workers.py), so it must not use the database."""
        ...

    def check(self, ctx: Context, chunk: list[Any]) -> None:
        """Check a chunk (prepared, if `prepare` gave a function) against the database; while
        `ctx.clean`, it may write the chunk's rows (inside the import's transaction)."""
        ...

    def check_across(self, ctx: Context) -> None: ...

    def write(self, ctx: Context) -> None:
        """Write what `check` kept back; runs only when no problem was found."""
        ...


def _handler(kind: str) -> Handler:
    from shequ.people.importing import persons, places

    handlers: dict[str, Callable[[], Handler]] = {
        ImportKind.PERSONS: persons.PersonRows,
        ImportKind.BUILDINGS: places.BuildingRows,
        ImportKind.DWELLINGS: places.DwellingRows,
        ImportKind.TENANCIES: places.TenancyRows,
    }
    return handlers[kind]()


@dataclass
class Outcome:
    """The result: the counts, and for a refused file the report of every problem."""

    counts: Counts
    report: bytes | None = None
    first_errors: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report is None


def register_import(
    *,
    actor: Any,
    kind: str,
    node: Region,
    file: IO[bytes],
    filename: str,
    progress: Progress | None = None,
    job_id: int | None = None,
    request: HttpRequest | None = None,
) -> Outcome:
    """Import one register file into the subtree of `node`, whole or not at all.

    `actor` None is a system import (the command without --user): scope is then the node.
    The caller has checked that the actor may write at the node.
    """
    from shequ.people.importing.report import estimate_rows

    handler = _handler(kind)
    with Scratch() as scratch:
        regions = Regions(actor, node)
        ctx = Context(actor, node, regions, Dwellings(regions), scratch, progress=progress)
        ctx.total = estimate_rows(file, filename)
        try:
            reader = read_register(file, filename, aliases=aliases(kind), required=required(kind))
        except ImportFailed as exc:
            return _refused(
                ctx, kind, None, [(e.row, e.column, e.value, e.message) for e in exc.errors]
            )
        try:
            with transaction.atomic():
                try:
                    _first_pass(ctx, handler, reader)
                except ImportFailed as exc:
                    scratch.add_errors([(e.row, "", e.value, e.message) for e in exc.errors])
                scratch.seal()
                handler.check_across(ctx)
                if scratch.error_count:
                    raise _Refused  # and with it, whatever the first pass wrote is undone
                ctx.report("writing", 0, force=True)
                handler.write(ctx)
                counts = ctx.counts.as_dict()
                audit_record(
                    actor=actor,
                    action=Action.IMPORT,
                    obj=Target(f"people.{kind}", str(job_id or ""), filename[:200], node.path),
                    changes={"file": filename, "kind": kind, "job": job_id, **counts},
                    request=request,
                )
        except _Refused:
            return _refused(ctx, kind, reader, None)
        finally:
            reader.close()
        ctx.report("writing", ctx.counts.rows, force=True)
        return Outcome(ctx.counts)

    raise AssertionError("unreachable")  # pragma: no cover


class _Refused(Exception):
    """Problems were found: roll the import's transaction back and report them."""


def _chunks(reader: RowReader) -> Generator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for number, values in reader:
        chunk.append((number, values))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _first_pass(ctx: Context, handler: Handler, reader: RowReader) -> None:
    prepare = handler.prepare(ctx)
    chunks: Generator[list[Any]] = _chunks(reader)
    if prepare is not None:
        chunks = workers.prepared(chunks, prepare, inline=workers.PARALLEL_ROWS // CHUNK)
    # Closed on the way out, error or not: a producer process stops with it (see workers.py).
    with closing(chunks):
        for chunk in chunks:
            handler.check(ctx, chunk)
            ctx.counts.rows += len(chunk)
            ctx.report("validating", ctx.counts.rows)
    if ctx.counts.rows == 0:
        ctx.scratch.add_errors([(0, "", "", _no_rows())])
    ctx.report("validating", ctx.counts.rows, force=True)


def _no_rows() -> str:
    from django.utils.translation import gettext as _

    return _("The file has no rows under its header")


def _refused(
    ctx: Context,
    kind: str,
    reader: RowReader | None,
    header_errors: list[tuple[int, str, str, str]] | None,
) -> Outcome:
    from shequ.people.importing.report import error_report

    if header_errors is not None:
        ctx.scratch.add_errors(header_errors)
    labels = reader.labels if reader is not None else {}
    positions = reader.positions if reader is not None else {}
    content, first = error_report(ctx.scratch.errors(), kind, labels, positions)
    # Nothing was saved: the rows written while checking were rolled back.
    ctx.counts = Counts(rows=ctx.counts.rows, errors=ctx.scratch.error_count)
    return Outcome(ctx.counts, content, first)
