"""Helpers shared by the benchmarks: a database of their own, timing, a table, a JSON result.

A benchmark runs on its own (`python bench/<name>.py`): `setup_django` puts the project on the
import path, points DATABASE_URL at a benchmark database unless one is given, and starts
Django. The benchmark database is wiped by `fresh_database`, so it refuses anything that does
not look like a benchmark database: a SQLite file outside var/bench/, or a PostgreSQL database
whose name does not contain "bench".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB_DIR = ROOT / "var" / "bench"
RESULTS_DIR = ROOT / "bench" / "results"


def setup_django(name: str) -> str:
    """Start Django on the benchmark database `var/bench/<name>.sqlite3` or on $DATABASE_URL.

    Returns the database URL in use.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BENCH_DB_DIR / f'{name}.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    if url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)
    import django

    django.setup()
    return url


def create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database a benchmark names when the server does not have it yet
    (only a benchmark database: its name must contain "bench")."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        return
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def fresh_database() -> None:
    """Empty the benchmark database and migrate it from scratch.

    Raises SystemExit, touching nothing, when the database is not a benchmark database.
    """
    from django.core.management import call_command
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"]).resolve()
        if BENCH_DB_DIR.resolve() not in path.parents:
            raise SystemExit(f"refusing to wipe {path}: benchmark databases live in var/bench/")
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        if "bench" not in settings["NAME"]:
            raise SystemExit(
                f"refusing to wipe the database {settings['NAME']}: its name must contain 'bench'"
            )
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        raise SystemExit(f"benchmarks run on SQLite or PostgreSQL, not {connection.vendor}")
    call_command("migrate", verbosity=0, skip_checks=True)


@dataclass
class Timer:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Timer]:
    """`with timed() as t: ...` then `t.seconds` (wall clock)."""
    timer = Timer()
    started = time.perf_counter()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - started


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows under a header; numbers right-aligned with thousands separators."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    table = [list(header), *[[cell(value) for value in row] for row in rows]]
    right = [[False] * len(header), *[[isinstance(v, int | float) for v in row] for row in rows]]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(table):
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - _width(text))
            parts.append(pad + text if right[index][i] else text + pad)
        print("  ".join(parts).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def environment() -> dict[str, Any]:
    """What the figures depend on: machine, interpreter, database."""
    from django.db import connection

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
    }
    if connection.vendor == "sqlite":
        info["sqlite"] = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write bench/results/<name>-<UTC time>.json (the folder is not committed)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    payload = {"benchmark": name, "at": stamp, "environment": environment(), **data}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
