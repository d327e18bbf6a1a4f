"""What the case benchmarks share: a small tree with units and staff, a million case rows.

The case rows go straight into the real case table with one prepared INSERT and
`executemany` (the demo loader's helpers), keys decided here, in one transaction. Only the
columns the engine needs are varied; the rest get plain values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from common import fresh_database, setup_django, timed

CASE_FIELDS = (
    "id", "type_key", "state", "tracking_code", "title", "region_id", "owner_unit_id",
    "handler_id", "first_responder_id", "requester_name", "requester_phone_enc",
    "requester_phone_masked", "requester_phone_tail", "data", "promised_days", "limit_kind",
    "clock", "started_on", "due_date", "due_provisional", "alert", "address", "created_at",
    "updated_at",
)  # fmt: skip
BATCH = 10_000


@dataclass
class Tree:
    """The regions, units and staff the case rows point at."""

    district: Any
    streets: list[Any]
    communities: list[Any]
    units: list[Any]
    handlers: dict[int, list[Any]] = field(default_factory=dict)  # by unit id
    window_workers: list[Any] = field(default_factory=list)


def make_tree(streets: int, communities_per_street: int, units: int) -> Tree:
    """A district with streets and communities; units at the streets, each with staff.

    Each unit has three back-office handlers (assigned at the unit's street, naming the unit)
    and a leader; each community has a window worker.
    """
    from shequ.accounts.models import User
    from shequ.regions.models import Level, Region, RoleAssignment, Unit, UnitKind
    from shequ.regions.roles import Role

    levels = {level.key: level for level in Level.objects.all()}

    def region(code: str, name: str, key: str, parent: Any = None) -> Any:
        node = Region.objects.create(
            code=code,
            name=name,
            level=levels[key],
            parent=parent,
            path="",
            depth=(parent.depth + 1) if parent else 0,
        )
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        return node

    def user(username: str, role: str, at: Any, unit: Any = None) -> Any:
        # No usable password: these accounts never log in, and hashing would dominate.
        person = User.objects.create(username=username, name=username)
        RoleAssignment.objects.create(user=person, role=role, region=at, unit=unit)
        return person

    district = region("130105", "新华区", "district")
    tree = Tree(district, [], [], [])
    for s in range(streets):
        street = region(f"130105{s + 1:03d}", f"第{s + 1}街道", "street", district)
        tree.streets.append(street)
        for c in range(communities_per_street):
            community = region(
                f"{street.code}{c + 1:03d}", f"社区{s + 1}-{c + 1}", "community", street
            )
            tree.communities.append(community)
            tree.window_workers.append(
                user(f"window-{s + 1}-{c + 1}", Role.WINDOW_WORKER, community)
            )
    for u in range(units):
        street = tree.streets[u % streets]
        unit = Unit.objects.create(
            code=f"U{u + 1:03d}", name=f"科室{u + 1}", kind=UnitKind.STREET_OFFICE, region=street
        )
        tree.units.append(unit)
        tree.handlers[unit.pk] = [
            user(f"back-{u + 1}-{h + 1}", Role.BACK_OFFICE, street, unit) for h in range(3)
        ]
        user(f"leader-{u + 1}", Role.COMMUNITY_LEADER, street, unit)
    return tree


def case_row(
    pk: int,
    *,
    region_id: int,
    unit_id: int,
    handler_id: int | None,
    responder_id: int,
    clock: str,
    due: dt.date | None,
    state: str,
    now: dt.datetime,
    data: Any,
) -> tuple[Any, ...]:
    """One row in CASE_FIELDS order."""
    started = (due - dt.timedelta(days=14)) if due else None
    return (
        pk, "application", state, f"B{pk:012d}", f"申请 {pk}", region_id, unit_id, handler_id,
        responder_id, "张三", "", "", "", data, 10, "working_days", clock, started, due, False,
        0, "", now, now,
    )  # fmt: skip


def json_value() -> Any:
    """An empty JSON object as the backend's driver wants it for a JSON column."""
    from django.db import connection

    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb({})
    return "{}"


def insert_cases(rows: Iterable[tuple[Any, ...]], progress: Callable[[int], None]) -> int:
    """INSERT the rows into the case table in batches, in one transaction; returns the count."""
    from django.db import connection, transaction

    from shequ.cases.models import Case
    from shequ.demo.bulk import bulk_load, insert_sql, reset_sequences

    sql = insert_sql(Case, CASE_FIELDS)
    count = 0
    with transaction.atomic(), bulk_load(connection), connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
                if count % 100_000 == 0:
                    progress(count)
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    reset_sequences([Case])
    analyze()
    return count


def analyze() -> None:
    """Refresh the planner's statistics after a load, as a deployment's maintenance would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def sample(
    action: Callable[[], Any], runs: int, before: Callable[[], Any] | None = None
) -> list[float]:
    """Wall-clock seconds of `runs` calls of `action`; `before` runs untimed before each."""
    seconds = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def ms(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, 95th percentile, best) in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[0] * 1000


def plan(sql: str, params: Sequence[Any]) -> list[str]:
    """The database's query plan for a statement, one line per step."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return [str(row[-1]) for row in rows]


def chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def start(
    name: str, description: str, runs: int, runs_help: str
) -> tuple[argparse.Namespace, int, str]:
    """Parse the common options, start Django on a fresh benchmark database, seed the tree.

    Returns the options, the number of cases (scale x 50,000) and the database URL.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--scale", type=float, default=20.0, help="cases in units of 50,000 (20 = 1,000,000)"
    )
    parser.add_argument("--runs", type=int, default=runs, help=runs_help)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    url = setup_django(name)
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    with timed() as migrate:
        fresh_database()
    print(f"fresh database migrated in {migrate.seconds:.1f} s")
    return options, int(options.scale * 50_000), url
