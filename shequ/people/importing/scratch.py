"""The import's scratch store: a temporary SQLite file beside the process, never in memory.

Checks that need the whole file (duplicate identity numbers, one head per household, members
in one grid) need what the first pass found: the keys, the household members, the households
met so far, every problem; so do the registers of places, whose checked rows wait here until
those checks pass (the persons are written as they are checked, see persons.py). Kept in
Python that would grow with the file; kept here it costs disk and a bounded page cache, so a
million-row file is imported in the same memory as a thousand-row one. The store holds sealed
values only (encrypted numbers, keyed hashes, masks), and is deleted when the import ends.
"""

from __future__ import annotations

import json
import marshal
import shutil
import sqlite3
import tempfile
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE rows (row INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE keys (key TEXT NOT NULL, row INTEGER NOT NULL, column TEXT NOT NULL, shown TEXT);
CREATE TABLE errors (row INTEGER NOT NULL, column TEXT NOT NULL, shown TEXT, message TEXT);
CREATE TABLE members (
    number TEXT NOT NULL, row INTEGER NOT NULL, head INTEGER NOT NULL, region_id INTEGER
);
CREATE TABLE stored_households (
    number TEXT PRIMARY KEY, household_id INTEGER, region_id INTEGER, has_head INTEGER
);
CREATE TABLE new_households (number TEXT PRIMARY KEY, household_id INTEGER, head INTEGER);
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

    def add_rows(self, rows: Sequence[tuple[int, tuple[Any, ...]]]) -> None:
        """Checked rows to write once the checks across rows pass: (row, plain values)."""
        self.db.executemany(
            "INSERT INTO rows VALUES (?, ?)", [(row, marshal.dumps(data)) for row, data in rows]
        )

    def add_keys(self, keys: Sequence[tuple[str, int, str, str]]) -> None:
        self.db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?)", keys)

    def add_members(self, members: Sequence[tuple[str, int, int, int]]) -> None:
        """Rows that name a household: (number, row, 1 for its head, grid)."""
        self.db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)", members)

    def households(self, numbers: Collection[str]) -> dict[str, tuple[int, bool]]:
        """The households met so far among `numbers`: (id, whether settled), by number. A
        stored household is settled; a new one once it has its head's grid and dwelling."""
        wanted = json.dumps(list(numbers), ensure_ascii=False)
        return {
            number: (pk, bool(settled))
            for number, pk, settled in self.db.execute(
                "SELECT number, household_id, 1 FROM stored_households"
                " WHERE number IN (SELECT value FROM json_each(?))"
                " UNION ALL SELECT number, household_id, head FROM new_households"
                " WHERE number IN (SELECT value FROM json_each(?))",
                (wanted, wanted),
            )
        }

    def add_stored_households(self, rows: Sequence[tuple[str, int, int, int]]) -> None:
        """Households of the register: (number, id, grid, 1 when it has a head)."""
        self.db.executemany("INSERT OR IGNORE INTO stored_households VALUES (?, ?, ?, ?)", rows)

    def add_new_households(self, rows: Sequence[tuple[str, int, int]]) -> None:
        """Households this import created: (number, id, 1 when made from its head's row)."""
        self.db.executemany("INSERT INTO new_households VALUES (?, ?, ?)", rows)

    def settle_households(self, numbers: Sequence[str]) -> None:
        """New households that now have their head's grid and dwelling."""
        self.db.executemany(
            "UPDATE new_households SET head = 1 WHERE number = ?", [(n,) for n in numbers]
        )

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

    def rows(self, batch: int = 2000) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The checked rows in file order."""
        cursor = self.db.execute("SELECT row, payload FROM rows ORDER BY row")
        while chunk := cursor.fetchmany(batch):
            for row, payload in chunk:
                yield row, marshal.loads(payload)

    def errors(self) -> Iterator[tuple[int, str, str, str]]:
        yield from self.db.execute(
            "SELECT row, column, shown, message FROM errors ORDER BY row, rowid"
        )
