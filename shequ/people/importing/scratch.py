"""The import's scratch store: a temporary SQLite file beside the process, never in memory.

Checks that need the whole file (duplicate identity numbers, one head per household, members
in one grid) and the second pass over the checked rows need what the first pass found. Kept
in Python that would grow with the file; kept here it costs disk and a bounded page cache, so a
million-row file is imported in the same memory as a thousand-row one. The store holds sealed
values only (encrypted numbers, keyed hashes, masks), and is deleted when the import ends.
"""

from __future__ import annotations

import marshal
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE rows (row INTEGER PRIMARY KEY, payload BLOB NOT NULL, ref TEXT);
CREATE TABLE keys (key TEXT NOT NULL, row INTEGER NOT NULL, column TEXT NOT NULL, shown TEXT);
CREATE TABLE errors (row INTEGER NOT NULL, column TEXT NOT NULL, shown TEXT, message TEXT);
CREATE TABLE members (
    number TEXT NOT NULL, row INTEGER NOT NULL, head INTEGER NOT NULL,
    region_id INTEGER, dwelling_id INTEGER
);
CREATE TABLE stored_households (
    number TEXT PRIMARY KEY, household_id INTEGER, region_id INTEGER, has_head INTEGER
);
CREATE TABLE new_households (number TEXT PRIMARY KEY, household_id INTEGER);
"""
_INDEXES = """
CREATE INDEX keys_key ON keys (key, row);
CREATE INDEX members_number ON members (number, head, row);
"""


class Scratch:
    """A temporary SQLite database for one import. Use it in a `with` block."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="shequ-import-"))
        self.db = sqlite3.connect(self._dir / "scratch.sqlite3", isolation_level=None)
        # Losing the scratch file on a crash loses nothing: no journal, no syncs.
        self.db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;"
            "PRAGMA temp_store = FILE;"
        )
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self.error_count = 0

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def add_rows(self, rows: Sequence[tuple[int, tuple[Any, ...], str]]) -> None:
        """Checked rows: (row, payload of plain values, reference such as a household number)."""
        self.db.executemany(
            "INSERT INTO rows VALUES (?, ?, ?)",
            [(row, marshal.dumps(data), ref) for row, data, ref in rows],
        )

    def add_keys(self, keys: Sequence[tuple[str, int, str, str]]) -> None:
        self.db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?)", keys)

    def add_members(self, members: Sequence[tuple[str, int, int, int | None, int | None]]) -> None:
        self.db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", members)

    def add_errors(self, errors: Sequence[tuple[int, str, str, str]]) -> None:
        self.error_count += len(errors)
        self.db.executemany("INSERT INTO errors VALUES (?, ?, ?, ?)", errors)

    def seal(self) -> None:
        """The first pass is over: index what the checks across rows look up."""
        self.db.executescript(_INDEXES)

    def duplicates(self) -> Iterator[tuple[str, int, int, str, str]]:
        """(key, first row, later row, column, shown value) for every repeated key."""
        last_key, first = None, 0
        for key, row, column, shown in self.db.execute(
            "SELECT key, row, column, shown FROM keys ORDER BY key, row"
        ):
            if key == last_key:
                yield key, first, row, column, shown
            else:
                last_key, first = key, row

    def rows(self, batch: int = 2000) -> Iterator[tuple[int, tuple[Any, ...], int | None]]:
        """The checked rows in file order, each with the id of the household its reference
        names (stored or created by this import), or None."""
        cursor = self.db.execute(
            "SELECT r.row, r.payload, COALESCE(s.household_id, n.household_id) FROM rows r"
            " LEFT JOIN stored_households s ON s.number = r.ref"
            " LEFT JOIN new_households n ON n.number = r.ref ORDER BY r.row"
        )
        while chunk := cursor.fetchmany(batch):
            for row, payload, household_id in chunk:
                yield row, marshal.loads(payload), household_id

    def errors(self) -> Iterator[tuple[int, str, str, str]]:
        yield from self.db.execute(
            "SELECT row, column, shown, message FROM errors ORDER BY row, rowid"
        )
