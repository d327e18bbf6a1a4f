"""Rows computed ahead and written together, for the hot paths' short write transactions.

`Insert` computes a new row's values ahead (outside the transaction) and `insert_together`
writes several of them, of different tables, back to back: on PostgreSQL in one statement
(each INSERT a data-modifying `WITH`), so a short write transaction is a few round trips.
`insert_all` writes them all or none with further pieces (`Part`, the audit append) in one
statement on PostgreSQL. None of them sends the model signals: use them only for models
without receivers. The statements' parts and cursors are `core.sql`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from shequ.core.sql import (
    _db,
    _field,
    _insert_statement,
    native_marks,
    pg_type,
    prepared_cursor,
    typed_marks,
)


class Insert:
    """One new instance's INSERT with its values computed now, written by `insert_together`
    or `insert_all`.

    `refer(name, target)` fills the foreign key `name` from `target`'s primary key when the
    row is written (the target, written earlier, has one by then). `only_if` (a SELECT and
    its parameters) writes the row only when that SELECT finds a row, and `refused` is raised
    when it does not; `ignore_conflict` writes it with `ON CONFLICT DO NOTHING`. After
    `insert_together`, `written` says whether the row is in the table.
    """

    def __init__(
        self,
        obj: models.Model,
        *,
        only_if: tuple[str, Sequence[Any]] | None = None,
        refused: ValidationError | None = None,
        ignore_conflict: bool = False,
    ) -> None:
        self.obj = obj
        self.model = type(obj)
        _head, _marks, returning, fields = _insert_statement(self.model)
        self._fields = fields
        db = _db()
        self.values: list[Any] = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
        self.only_if = only_if
        self.ignore_conflict = ignore_conflict
        self.returning = bool(returning)
        self.refused = refused
        self.written = False
        self._refers: list[tuple[int, str, models.Model]] = []

    @property
    def sql(self) -> str:
        """The row's own INSERT statement (`insert_together`), built once per form."""
        condition = self.only_if[0] if self.only_if else None
        key = (self.model, _db().vendor, condition, self.ignore_conflict)
        sql = _ROW_SQL.get(key)
        if sql is None:
            head, marks, returning, fields = _insert_statement(self.model)
            conflict = " ON CONFLICT DO NOTHING" if self.ignore_conflict else ""
            if self.only_if is None:
                sql = f"{head} VALUES ({marks}){conflict}{returning}"
            else:
                marks = typed_marks(fields)
                sql = f"{head} SELECT {marks} WHERE EXISTS ({self.only_if[0]}){conflict}{returning}"
            sql = _ROW_SQL[key] = sql
        return sql

    @property
    def params(self) -> list[Any]:
        """The values of `sql`'s marks: the row's, then its condition's."""
        return self.values + list(self.only_if[1]) if self.only_if else self.values

    def refer(self, name: str, target: models.Model) -> Insert:
        field = _field(type(self.obj), name)
        self._refers.append((self._fields.index(field), field.attname, target))
        return self

    def _resolve(self) -> None:
        for index, attname, target in self._refers:
            setattr(self.obj, attname, target.pk)
            self.values[index] = target.pk

    def _done(self, pk: Any) -> None:
        self.written = pk is not None
        if self.written:
            self.obj.pk = pk
            self.obj._state.adding = False
            self.obj._state.db = connection.alias


_ROW_SQL: dict[tuple[Any, ...], str] = {}


def insert_together(rows: Sequence[Insert]) -> None:
    """Write the rows in their order; raise the `refused` error of a row not written.

    A row may refer only to rows of earlier calls. On PostgreSQL the rows go in one
    statement, each INSERT a data-modifying `WITH` whose key the final SELECT returns.
    """
    for row in rows:
        row._resolve()
    if connection.vendor == "postgresql" and len(rows) > 1 and all(r.returning for r in rows):
        parts = ", ".join(f"i{n} AS ({row.sql})" for n, row in enumerate(rows))
        keys = ", ".join(f"(SELECT * FROM i{n})" for n in range(len(rows)))
        with prepared_cursor() as cursor:
            cursor.execute(f"WITH {parts} SELECT {keys}", [v for r in rows for v in r.params])
            found = cursor.fetchone()
        for row, pk in zip(rows, found, strict=True):
            row._done(pk)
    else:
        _one_by_one(rows)
    for row in rows:
        if not row.written and row.refused is not None:
            raise row.refused


def _one_by_one(rows: Sequence[Insert], *, stop: bool = False) -> bool:
    """Write the rows one statement each, on one cursor, each row's references resolved
    just before it is written; with `stop`, stop at the first row with `ignore_conflict` that
    is not written, or with `only_if` (raising its `refused`): returns False then."""
    with prepared_cursor() as cursor:
        for row in rows:
            row._resolve()
            cursor.execute(row.sql, row.params)
            if row.returning:
                got = cursor.fetchone()
                row._done(got[0] if got is not None else None)
            else:  # pragma: no cover - both supported databases return columns
                pk = None
                if cursor.rowcount == 1:
                    table = row.obj._meta.db_table
                    pk = connection.ops.last_insert_id(cursor, table, "id")
                row._done(pk)
            if stop and not row.written:
                if row.refused is not None:
                    raise row.refused
                if row.ignore_conflict:
                    return False
    return True


class Part(Protocol):
    """A piece of `insert_all`'s one statement that is not a row of its own (the audit
    append): data-modifying `WITH` entries that may read the rows' keys, and its results.

    `key_of(obj)` gives, for the instance of a row the statement writes, the name of that
    row's `WITH` entry and the SQL of its key there (`("i0", 'i0."id"')`), else None.
    """

    def shape(self, key_of: KeyOf) -> Hashable:
        """What the piece's SQL depends on besides the rows (built once per shape)."""

    def condition(self) -> str:
        """An SQL condition without parameters; when false, nothing is written in one
        statement and the rows and the piece are written one after another (`run`)."""

    def ctes(self, key_of: KeyOf) -> list[str]:
        """The piece's `WITH` entries (`name AS (...)`, names of the piece's own prefix)."""

    def params(self, key_of: KeyOf) -> list[Any]:
        """The values of the marks of `ctes`, in order."""

    def columns(self) -> list[str]:
        """Expressions the statement returns for the piece (after the rows' keys)."""

    def done(self, values: Sequence[Any]) -> None:
        """Take the values of `columns` once the statement has run."""

    def run(self) -> None:
        """Write the piece by itself, after the rows, in their transaction."""


KeyOf = Callable[[models.Model], tuple[str, str] | None]


def insert_all(rows: Sequence[Insert], *, then: Sequence[Part] = ()) -> bool:
    """Write the rows all or none, then the `then` pieces; False when a conflict stopped them.

    The first row is the one the others hang on: the others may refer to it and to rows
    before them. A row whose `only_if` finds nothing raises its `refused` error; a row with
    `ignore_conflict` that meets a conflict (an idempotency key already taken) stops them
    all and the call returns False. On PostgreSQL this is one statement (its own
    transaction outside `atomic`): the conditions are asked first; each row with
    `ignore_conflict` other than the first is written before the first row, whose key it
    takes from the first row's sequence (drawn ahead), so it may refer to the first row
    only; the first row is written only if they all were, and the others after it. Elsewhere,
    or when a piece's condition is false, the rows and then the pieces are written one
    after another in a transaction (a savepoint when the caller holds one already and a
    conflict may have to undo the rows).
    """
    if _db().vendor == "postgresql" and all(row.returning for row in rows):
        written = _insert_all_at_once(rows, then)
        if written is not None:
            return written
    undo = connection.in_atomic_block and any(row.ignore_conflict for row in rows)
    with transaction.atomic(savepoint=undo):
        if not _one_by_one(rows, stop=True):
            transaction.set_rollback(True)
            for row in rows:
                row.written = False
            return False
        for part in then:
            part.run()
    return True


# shape -> (the statement, per row the value positions its references fill in SQL)
_ALL_SQL: dict[Hashable, tuple[str, list[dict[int, str]]]] = {}


def _insert_all_at_once(rows: Sequence[Insert], parts: Sequence[Part]) -> bool | None:
    """`insert_all` in one PostgreSQL statement; None when a piece's condition is false."""
    index_of = {id(row.obj): n for n, row in enumerate(rows)}
    claims = tuple(n for n, row in enumerate(rows) if n and row.ignore_conflict)
    shape: list[Hashable] = [claims]
    for n, row in enumerate(rows):
        targets = tuple((pos, index_of.get(id(target))) for pos, _name, target in row._refers)
        for _pos, t in targets:
            if t is not None and not (t == 0 if n in claims else n and (t < n or t in claims)):
                raise ValueError("a row refers to a row written after it")
        shape.append((row.model, row.only_if[0] if row.only_if else None, row.ignore_conflict))
        shape.append(targets)

    def key_of(obj: models.Model) -> tuple[str, str] | None:
        n = index_of.get(id(obj))
        return None if n is None else (f"i{n}", f"i{n}.{_pk_column(rows[n])}")

    shape += [part.shape(key_of) for part in parts]

    built = _ALL_SQL.get(tuple(shape))
    if built is None:
        built = _ALL_SQL[tuple(shape)] = _build_all(rows, parts, claims, key_of)
    sql, in_sql = built
    for n, row in enumerate(rows):
        for position, attname, target in row._refers:
            if position not in in_sql[n]:
                setattr(row.obj, attname, target.pk)
                row.values[position] = target.pk
    params: list[Any] = [v for row in rows if row.only_if for v in row.only_if[1]]
    for n in (*claims, *(n for n in range(len(rows)) if n not in claims)):
        params += [v for i, v in enumerate(rows[n].values) if i not in in_sql[n]]
    for part in parts:
        params += part.params(key_of)
    with prepared_cursor(native=True) as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    checks = [row for row in rows if row.only_if]
    for row, ok in zip(checks, found, strict=False):
        if not ok:
            if row.refused is not None:
                raise row.refused
            return False
    if not all(found[len(checks) : len(checks) + len(parts)]):
        return None
    keys = found[len(checks) + len(parts) :]
    for n, row in enumerate(rows):
        row._done(keys[n])
    if keys[0] is None:
        for row in rows:
            row.written = False
        return False
    for n, row in enumerate(rows):
        for position, attname, target in row._refers:
            if position in in_sql[n]:
                setattr(row.obj, attname, target.pk)
    rest = keys[len(rows) :]
    for part in parts:
        width = len(part.columns())
        part.done(rest[:width])
        rest = rest[width:]
    return True


def _pk_column(row: Insert) -> str:
    return connection.ops.quote_name(str(cast(models.Field, row.model._meta.pk).column))


def _build_all(
    rows: Sequence[Insert], parts: Sequence[Part], claims: tuple[int, ...], key_of: KeyOf
) -> tuple[str, list[dict[int, str]]]:
    """The statement of `_insert_all_at_once`: `g` asks the conditions (and draws the first
    row's key when claims refer to it), `i<n>` writes row n, the pieces follow; it returns
    the conditions, each row's key and the pieces' columns."""
    quote = connection.ops.quote_name
    checks = [f"EXISTS ({row.only_if[0]})" for row in rows if row.only_if]
    checks += [f"({part.condition()})" for part in parts]
    gate = [f"{check} AS ok{n}" for n, check in enumerate(checks)]
    first = rows[0]
    if claims:
        table, column = first.model._meta.db_table, cast(models.Field, first.model._meta.pk).column
        gate.append(f"nextval(pg_get_serial_sequence('{quote(table)}', '{column}')) AS id")
    where = " AND ".join(f"g.ok{n}" for n in range(len(checks))) or "TRUE"
    index_of = {id(row.obj): n for n, row in enumerate(rows)}
    in_sql: list[dict[int, str]] = [{} for _row in rows]
    for n, row in enumerate(rows):
        for position, _attname, target in row._refers:
            t = index_of.get(id(target))
            if t is not None:
                in_sql[n][position] = "g.id" if n in claims else f"i{t}.{_pk_column(rows[t])}"

    def entry(n: int) -> str:
        head, _marks, returning, fields = _insert_statement(rows[n].model)
        marks = [in_sql[n].get(i) or f"CAST(%s AS {pg_type(f)})" for i, f in enumerate(fields)]
        sources = {"g"} if n == 0 or n in claims else {"i0"}
        sources |= {expression.split(".", 1)[0] for expression in in_sql[n].values()}
        if n == 0 and claims:
            head = head.replace(" (", f" ({_pk_column(first)}, ", 1)
            marks.insert(0, "g.id")
            sources |= {f"i{c}" for c in claims}
        gated = f" WHERE {where}" if n == 0 or n in claims else ""
        conflict = " ON CONFLICT DO NOTHING" if rows[n].ignore_conflict else ""
        return (
            f"i{n} AS ({head} SELECT {', '.join(marks)} FROM {', '.join(sorted(sources))}"
            f"{gated}{conflict}{returning})"
        )

    entries = [f"g AS (SELECT {', '.join(gate) or '1'})"]
    entries += [entry(n) for n in claims]
    entries += [entry(n) for n in range(len(rows)) if n not in claims]
    for part in parts:
        entries += part.ctes(key_of)
    results = [f"g.ok{n}" for n in range(len(checks))]
    results += [f"(SELECT {_pk_column(row)} FROM i{n})" for n, row in enumerate(rows)]
    results += [column for part in parts for column in part.columns()]
    sql = f"WITH {', '.join(entries)} SELECT {', '.join(results)} FROM g"
    return native_marks(sql), in_sql
