"""Fast inserts for generated rows: one prepared INSERT, `executemany` in batches.

The ORM's `bulk_create` builds a model instance per row and a new statement per batch; for a
million rows that costs more than the rows themselves. The demo rows are already plain tuples
in column order with their primary keys decided, so they go straight to the cursor. Works on
SQLite and PostgreSQL; call inside a transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max

Row = tuple[Any, ...]
BatchHook = Callable[[type[models.Model], Sequence[Row]], None]


def insert_sql(
    model: type[models.Model], fields: Sequence[str], *, table: str = "", using: str = "default"
) -> str:
    """INSERT INTO <table> (<columns of fields>) VALUES (%s, ...), names quoted for the backend."""
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(table or model._meta.db_table)} ({columns}) VALUES ({marks})"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def next_id(model: type[models.Model], using: str = "default") -> int:
    """The first free primary key of a table (rows are inserted with their keys set)."""
    return (model._default_manager.using(using).aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(models_: Iterable[type[models.Model]], using: str = "default") -> None:
    """After inserting explicit keys, move PostgreSQL's sequences past them (no-op on SQLite)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# Page cache for a bulk load on SQLite, in KiB: the indexes on hashes and pinyin take inserts
# in random order, and a cache that holds them halves the time of a large load.
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_load(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Settings for a large load on this connection, restored afterwards (SQLite only)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


class BulkInserter:
    """Collects rows for one table and writes them `batch_size` at a time.

    `seconds` adds up the time spent in the database, so that a caller can tell generating
    rows from writing them. `on_batch`, if given, sees every batch after it is written.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        batch_size: int = 5000,
        using: str = "default",
        on_batch: BatchHook | None = None,
    ) -> None:
        self.model = model
        self.sql = insert_sql(model, fields, using=using)
        self.batch_size = batch_size
        self.using = using
        self.on_batch = on_batch
        self.pending: list[Row] = []
        self.count = 0
        self.seconds = 0.0

    def add(self, rows: Iterable[Row]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        started = time.perf_counter()
        with connections[self.using].cursor() as cursor:
            cursor.executemany(self.sql, batch)
        self.seconds += time.perf_counter() - started
        self.count += len(batch)
        if self.on_batch is not None:
            self.on_batch(self.model, batch)
