"""Hand-written statements for the few hot paths where the ORM's own work dominates.

Building and compiling a query costs the ORM far more than the database needs to run a
one-row INSERT. `insert_row` writes a new model instance the way `save()` would (the same
`pre_save`, the same conversion of each value for the database) with one prepared statement
whose text is built once per model; `insert_rows` writes many rows in one multi-row INSERT.
`prepared_cursor` runs a hot path's own statement prepared on the server and `Reader` reads
a hand-written SELECT's rows into instances. Rows computed ahead and written together
(`Insert`, `insert_together`, `insert_all`) are in `core.sql_write`.
None of them sends the model signals: use them only for models without receivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# (model, vendor) -> the parts of its INSERT statement and the fields in column order
_INSERTS: dict[
    tuple[type[models.Model], str], tuple[str, str, str, list[models.Field[Any, Any]]]
] = {}
# Parameters per statement of `insert_rows` (and never above the database's own limit).
CHUNK_PARAMETERS = 30_000
# Rows per statement of `insert_rows` on PostgreSQL (one array per column).
ARRAY_ROWS = 10_000
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
    found = _PG_TYPES.get(field)
    if found is None:
        db_type = str(field.db_type(_db()))
        found = _PG_TYPES[field] = "varchar" if db_type.startswith("varchar(") else db_type
    return found


_PG_TYPES: dict[models.Field[Any, Any], str] = {}


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
    """INSERT rows of values already adapted for the database, many rows per statement.

    On PostgreSQL one statement takes each column's values as one array (`unnest`), or as
    one value when every row has the same: its text does not depend on the number of rows,
    so it is prepared once per connection, and the database parses no list of marks.
    """
    if not rows:
        return
    if _db().vendor == "postgresql":
        quote = connection.ops.quote_name
        kinds = [pg_type(_field(model, name)) for name in fields]
        head = f"INSERT INTO {quote(model._meta.db_table)} ({column_list(model, fields)}) SELECT "
        with prepared_cursor() as cursor:
            for start in range(0, len(rows), ARRAY_ROWS):
                columns = list(zip(*rows[start : start + ARRAY_ROWS], strict=True))
                # A value the same in every row goes once, not as an array of copies.
                same = [all(v is c[0] or v == c[0] for v in c) for c in columns]
                values = ", ".join(
                    f"CAST(%s AS {kind})" if one else f"u.c{n}"
                    for n, (kind, one) in enumerate(zip(kinds, same, strict=True))
                )
                arrays = ", ".join(
                    f"CAST(%s AS {kind}[])"
                    for kind, one in zip(kinds, same, strict=True)
                    if not one
                )
                names = ", ".join(f"c{n}" for n, one in enumerate(same) if not one)
                source = f" FROM unnest({arrays}) AS u({names})" if arrays else ""
                cursor.execute(
                    f"{head}{values}{source}",
                    [c[0] for c, one in zip(columns, same, strict=True) if one]
                    + [list(c) for c, one in zip(columns, same, strict=True) if not one],
                )
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


def prepared_cursor(*, native: bool = False) -> Any:
    """A cursor for a hot path's own statement that repeats with other values.

    On PostgreSQL the statement is bound on the server and prepared on first use on each
    connection (the pool keeps connections, so its plan is kept): the database neither
    parses nor plans it again. Use it for statements whose parameters have the column's
    type or are compared with a column (`VALUES` of an INSERT, `WHERE col = %s`): a bare
    parameter in a SELECT list would be typed as text. Elsewhere, the usual cursor. Same
    wrapper as `connection.cursor()` (errors, query log, execute wrappers).

    `native` (PostgreSQL only): the statement's marks are PostgreSQL's own (`$1`, `$2`...,
    `native_marks`), so the driver sends it as it is; it is bound on the server even when
    nothing is prepared. For long statements with many values, which the driver would
    otherwise parse for its marks on every call.
    """
    db = _db()
    prepare = db.vendor == "postgresql" and (
        db.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )
    if not prepare and not native:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _cursor_class(native, prepare)(db.connection)
    db.validate_thread_sharing()
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def native_marks(sql: str) -> str:
    """The statement with PostgreSQL's numbered marks in place of `%s` (no other `%`)."""
    pieces = sql.split("%s")
    if any("%" in piece for piece in pieces):
        raise ValueError("a statement with native marks holds no other %")
    return pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], start=1))


_CURSORS: dict[tuple[bool, bool], type] = {}


def _cursor_class(native: bool, prepare: bool) -> type:
    found = _CURSORS.get((native, prepare))
    if found is None:
        import psycopg

        base = psycopg.RawCursor if native else psycopg.Cursor

        class PreparedCursor(base):  # type: ignore[valid-type,misc]
            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                options.setdefault("prepare", prepare)
                return super().execute(query, params, **options)

        found = _CURSORS[(native, prepare)] = PreparedCursor
    return found


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
