"""How fast the one search box answers on a million persons, for each kind of search and role.

    python bench/people_search_bench.py --scale 20            # load, then measure
    python bench/people_search_bench.py --reuse               # measure the loaded file again

1. Loads the demo district at `--scale` (20 = about 1,000,000 persons) into
   var/bench/people_search.sqlite3 (or $DATABASE_URL when it names a PostgreSQL database
   whose name contains "bench"); `--reuse` keeps a database that already holds persons.
2. For each kind of search (name prefix of 1 and of 2-3 characters, full pinyin, initials,
   last 4 and last 6 identity characters, phone, address) draws `--queries` random queries
   from persons within the scope of each role (district administrator, street manager, grid
   worker), so that every query finds something.
3. Times the real path of the list page: `person_search` + `search_page` (the first 25 rows
   with their grid and dwelling, and the bounded count the page shows), the user's scope
   read afresh each time as in a request.
   On PostgreSQL the database is vacuumed and analysed first (as autovacuum would be soon
   after a load).
4. Floor: the very SQL statements that path sends, run bare on a cursor (no ORM, no
   classification, no model instances).
5. Prints p50/p95 per kind and role and the machine's load average at the start and the end
   of the measurement; writes bench/results/people_search-<time>.json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, print_table, setup_django, timed, write_result

KINDS = ("name 1", "name 2-3", "pinyin", "initials", "id last 4", "id last 6", "phone", "address")
ROLES = {"district admin": "admin", "street manager": "street", "grid worker": "grid"}
GOAL_MS = 30.0


def query_for(kind: str, person: Any, rng: random.Random) -> str:
    """A search a worker would type to find this person, of the given kind."""
    from shequ.lib import crypto
    from shequ.regions.models import Region

    if kind == "name 1":
        return person.name[0]
    if kind == "name 2-3":
        return person.name[: rng.choice((2, 3))]
    if kind == "pinyin":
        return person.name_pinyin
    if kind == "initials":
        return person.name_initials
    if kind == "id last 4":
        return person.id_last4
    if kind == "id last 6":
        return crypto.decrypt(person.id_number_enc)[-6:]
    if kind == "phone":
        phone = crypto.decrypt(person.phone_enc)
        return rng.choice((phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"+86 {phone}"))
    dwelling = person.dwelling
    address = dwelling.building.address
    for name in Region.objects.filter(parent=None).values_list("name", flat=True):
        address = address.removeprefix(name)
    road = address[: address.index("号") + 1]
    return rng.choice((road, f"{road}{dwelling.unit}单元{dwelling.number}"))


def sample_persons(user: Any, count: int, rng: random.Random) -> list[Any]:
    """Random persons with a phone and a dwelling within the user's scope."""
    from shequ.people.search import scoped_persons

    persons = scoped_persons(user).filter(left_on__isnull=True).exclude(phone_enc="")
    ids = list(persons.values_list("pk", flat=True)[:200_000])
    chosen = rng.sample(ids, min(count, len(ids)))
    return list(
        persons.filter(pk__in=chosen).exclude(dwelling=None).select_related("dwelling__building")
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(user: Any, queries: list[str]) -> tuple[list[float], list[float], int]:
    """(page times in ms, floor times in ms, queries that found someone)."""
    from django.db import connection

    from shequ.people.search import person_search, search_page
    from shequ.people.selectors import PersonFilters
    from shequ.regions.scoping import forget_scope

    page_ms: list[float] = []
    floor_ms: list[float] = []
    found = 0
    for query in queries:
        forget_scope(user)
        recorder = _Recorder()
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            page = search_page(person_search(user, filters=PersonFilters(q=query)))
        page_ms.append((time.perf_counter() - started) * 1000)
        found += bool(page.rows)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in recorder.statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        floor_ms.append((time.perf_counter() - started) * 1000)
    return page_ms, floor_ms, found


class _Recorder:
    """Keeps each statement the search sends, to run it bare afterwards."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo scale (1 = 50,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--queries", type=int, default=200, help="queries per kind and role")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded benchmark database")
    options = parser.parse_args()

    setup_django("people_search")
    from django.core.management import call_command
    from django.db import connection

    from shequ.accounts.models import User
    from shequ.demo.services import demo_seed
    from shequ.people.models import Person

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if options.reuse and _has_persons():
        call_command("migrate", verbosity=0, skip_checks=True)
        print("reusing the loaded database")
    else:
        if options.reuse:
            print("no loaded database to reuse: loading one")
        with timed() as loading:
            fresh_database()
            demo_seed(scale=options.scale, seed=options.seed)
        print(f"loaded in {loading.seconds:.0f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics for the planner, and the
        # visibility map without which the search indexes cannot answer without the table.
        with timed() as vacuum, connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        print(f"VACUUM (ANALYZE) in {vacuum.seconds:.0f} s")
    total = Person.objects.count()
    load_at_start = os.getloadavg()
    rng = random.Random(options.seed)
    rows: list[tuple[Any, ...]] = []
    results: dict[str, Any] = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        persons = sample_persons(user, options.queries, rng)
        for kind in KINDS:
            queries = [query_for(kind, rng.choice(persons), rng) for _ in range(options.queries)]
            page_ms, floor_ms, found = measure(user, queries)
            p50, p95 = percentile(page_ms, 0.5), percentile(page_ms, 0.95)
            f50, f95 = percentile(floor_ms, 0.5), percentile(floor_ms, 0.95)
            rows.append((role, kind, p50, p95, f50, f95, found, "yes" if p95 < GOAL_MS else "NO"))
            results[f"{role}/{kind}"] = {
                "p50_ms": p50,
                "p95_ms": p95,
                "floor_p50_ms": f50,
                "floor_p95_ms": f95,
                "mean_ms": statistics.fmean(page_ms),
                "found": found,
                "queries": len(queries),
            }
    print_table(
        f"Person search on {total:,} persons ({connection.vendor}), "
        f"{options.queries} queries per kind and role, first page of 25 and the count",
        ("role", "kind", "p50 ms", "p95 ms", "floor p50", "floor p95", "found", "p95<30"),
        rows,
    )
    load_at_end = os.getloadavg()
    print(
        f"\nMachine load average (1, 5, 15 min) at the start {_load(load_at_start)}, "
        f"at the end {_load(load_at_end)}, on {os.cpu_count()} cores"
    )
    path = write_result(
        "people_search",
        {
            "persons": total,
            "results": results,
            "load_average": {"start": load_at_start, "end": load_at_end},
        },
    )
    print(f"\nwritten to {path}")


def _load(average: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in average)


def _has_persons() -> bool:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM (SELECT 1 FROM people_person LIMIT 1) AS loaded")
            return bool(cursor.fetchone()[0])
    except Exception:
        return False


if __name__ == "__main__":
    main()
