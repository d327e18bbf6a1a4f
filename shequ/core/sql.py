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

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, cast

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
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
