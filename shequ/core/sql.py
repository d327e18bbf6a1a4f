"""Hand-written statements for the few hot paths where the ORM's own work dominates.

Building and compiling a query costs the ORM far more than the database needs to run a
one-row INSERT. `insert_row` writes a new model instance the way `save()` would (the same
`pre_save`, the same conversion of each value for the database) with one prepared statement
whose text is built once per model; `insert_rows` writes many rows in one multi-row INSERT.
`Insert` computes a new row's values ahead (outside the transaction) and `insert_together`
writes several of them, of different tables, back to back: on PostgreSQL in one statement
(each INSERT a data-modifying `WITH`), so a short write transaction is a few round trips.
None of them sends the model signals: use them only for models without receivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# (model, vendor) -> the parts of its INSERT statement and the fields in column order
_INSERTS: dict[
    tuple[type[models.Model], str], tuple[str, str, str, list[models.Field[Any, Any]]]
] = {}
# Parameters per statement of `insert_rows` (and never above the database's own limit).
CHUNK_PARAMETERS = 30_000
_LIMITS: dict[str, int] = {}


def _db() -> BaseDatabaseWrapper:
    """The connection itself: `connection` is a proxy that looks it up on every attribute."""
    return connections[DEFAULT_DB_ALIAS]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast(models.Field, model._meta.get_field(name))


def column_list(model: type[models.Model], fields: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(str(_field(model, name).column)) for name in fields)


def _insert_statement(
    model: type[models.Model],
) -> tuple[str, str, str, list[models.Field[Any, Any]]]:
    """(INSERT INTO table (columns), the value marks, RETURNING pk, the fields in order)."""
    db = _db()
    key = (model, db.vendor)
    cached = _INSERTS.get(key)
    if cached is None:
        meta = model._meta
        fields = [
            cast(models.Field, f)
            for f in meta.concrete_fields
            if not (f.primary_key and getattr(f, "db_returning", False))
        ]
        quote = db.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        returning = ""
        if db.features.can_return_columns_from_insert:
            returning = f" RETURNING {quote(str(cast(models.Field, meta.pk).column))}"
        cached = _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns})",
            ", ".join(["%s"] * len(fields)),
            returning,
            fields,
        )
    return cached


def typed_marks(fields: Sequence[models.Field[Any, Any]]) -> str:
    """Value marks for a SELECT list: on PostgreSQL each cast to its column's type, so a
    statement bound on the server (`prepared_cursor`) gets typed parameters, NULL too."""
    db = _db()
    if db.vendor != "postgresql":
        return ", ".join(["%s"] * len(fields))
    return ", ".join(f"CAST(%s AS {pg_type(f)})" for f in fields)


def pg_type(field: models.Field[Any, Any]) -> str:
    """The column's type for a cast of a parameter; `varchar` without its length, so that a
    value too long is refused by the INSERT as usual instead of cut by the cast."""
    db_type = str(field.db_type(_db()))
    return "varchar" if db_type.startswith("varchar(") else db_type


def insert_row(obj: models.Model, *, only_if: tuple[str, Sequence[Any]] | None = None) -> bool:
    """INSERT a new instance with one statement and set its primary key, as `save()` would.

    With `only_if` (a SELECT and its parameters) the row is written only when that SELECT
    finds a row, checked in the same statement; returns whether the row was written.
    """
    head, marks, returning, fields = _insert_statement(type(obj))
    db = _db()
    values: list[Any] = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    if only_if is None:
        sql = f"{head} VALUES ({marks}){returning}"
    else:
        sql = f"{head} SELECT {typed_marks(fields)} WHERE EXISTS ({only_if[0]}){returning}"
        values += only_if[1]
    with prepared_cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            row = cursor.fetchone()
            if row is None:
                return False
            obj.pk = row[0]
        else:  # pragma: no cover - both supported databases return columns
            if cursor.rowcount != 1:
                return False
            obj.pk = connection.ops.last_insert_id(cursor, obj._meta.db_table, "id")
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT rows of values already adapted for the database, many rows per statement."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({column_list(model, fields)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = _LIMITS.get(connection.vendor)
    if limit is None:  # asked of the database (SQLite): once per process
        limit = _LIMITS[connection.vendor] = min(
            connection.features.max_query_params or CHUNK_PARAMETERS, CHUNK_PARAMETERS
        )
    per_statement = max(1, limit // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])


def prepared_cursor() -> Any:
    """A cursor for a hot path's own statement that repeats with other values.

    On PostgreSQL the statement is bound on the server and prepared on first use on each
    connection (the pool keeps connections, so its plan is kept): the database neither
    parses nor plans it again. Use it for statements whose parameters have the column's
    type or are compared with a column (`VALUES` of an INSERT, `WHERE col = %s`): a bare
    parameter in a SELECT list would be typed as text. Elsewhere, the usual cursor. Same
    wrapper as `connection.cursor()` (errors, query log, execute wrappers).
    """
    db = _db()
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _prepared_class()(db.connection)
    db.validate_thread_sharing()
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


_PREPARED: list[type] = []


def _prepared_class() -> type:
    if not _PREPARED:
        import psycopg

        class PreparedCursor(psycopg.Cursor[Any]):
            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                options.setdefault("prepare", True)
                return super().execute(query, params, **options)

        _PREPARED.append(PreparedCursor)
    return _PREPARED[0]


class Reader:
    """Reads rows of a model's columns from a hand-written SELECT into instances.

    `columns(alias)` renders the SELECT list (in the model's order of fields, whatever the
    order given); `load(values)` converts the values as the ORM
    would (dates, booleans, JSON on SQLite...) and builds the instance with the other fields
    deferred. Built once per model and field list; the converters are looked up per database.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        # In the model's own order of fields, as `from_db` expects the values.
        order = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
        self.fields = sorted(
            (_field(model, name) for name in fields), key=lambda f: order[f.attname]
        )
        self.names = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}

    def columns(self, alias: str) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(alias)}.{quote(str(f.column))}" for f in self.fields)

    def _converters_now(self) -> list[tuple[int, list[Any], Any]]:
        found = self._converters.get(connection.vendor)
        if found is None:
            from django.db.models.expressions import Col

            found = []
            for index, field in enumerate(self.fields):
                col = Col(self.model._meta.db_table, field)
                convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if convs:
                    found.append((index, convs, col))
            self._converters[connection.vendor] = found
        return found

    def load(self, values: Sequence[Any]) -> Any:
        row = list(values[: self.width])
        db = _db()
        for index, convs, col in self._converters_now():
            for converter in convs:
                row[index] = converter(row[index], col, db)
        return self.model.from_db(db.alias, self.names, row)


class Insert:
    """One new instance's INSERT with its values computed now, written by `insert_together`.

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
        head, marks, returning, fields = _insert_statement(type(obj))
        self._fields = fields
        db = _db()
        self.values: list[Any] = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflict else ""
        if only_if is None:
            self.sql = f"{head} VALUES ({marks}){conflict}{returning}"
        else:
            marks = typed_marks(fields)
            self.sql = f"{head} SELECT {marks} WHERE EXISTS ({only_if[0]}){conflict}{returning}"
            self.values += only_if[1]
        self.returning = bool(returning)
        self.refused = refused
        self.written = False
        self._refers: list[tuple[int, str, models.Model]] = []

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
            cursor.execute(f"WITH {parts} SELECT {keys}", [v for r in rows for v in r.values])
            found = cursor.fetchone()
        for row, pk in zip(rows, found, strict=True):
            row._done(pk)
    else:
        with prepared_cursor() as cursor:
            for row in rows:
                cursor.execute(row.sql, row.values)
                if row.returning:
                    got = cursor.fetchone()
                    row._done(got[0] if got is not None else None)
                else:  # pragma: no cover - both supported databases return columns
                    pk = None
                    if cursor.rowcount == 1:
                        table = row.obj._meta.db_table
                        pk = connection.ops.last_insert_id(cursor, table, "id")
                    row._done(pk)
    for row in rows:
        if not row.written and row.refused is not None:
            raise row.refused
