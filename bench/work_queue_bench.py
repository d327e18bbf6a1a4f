"""How fast a back-office handler's work queue opens among a million cases, against bare SQL.

    python bench/work_queue_bench.py                 # 1,000,000 cases
    python bench/work_queue_bench.py --scale 1       # 50,000

1. Migrates a fresh benchmark database (var/bench/work_queue.sqlite3, or $DATABASE_URL when
   it names a PostgreSQL database whose name contains "bench") with a district of 5 streets
   and 40 communities, 10 units at the streets, and inserts the cases with `executemany`:
   each owned by one of the units and accepted anywhere in the district (全区通办); about
   three in four finished, the rest running, paused or not started.
2. The work queue is the first page of 25 open cases of the handler's unit within the
   handler's scope, by due date, with what the page shows (region, unit, handler):
       Case.objects.visible_to(user).for_units(unit_ids(user)).open()
           .select_related("region", "owner_unit", "handler").order_by("due_date", "id")[:25]
   timed for a handler assigned at one street (his unit's cases in that street only) and for
   one assigned at the district (all of them), each request with a freshly loaded user, so
   the two small lookups of his scope and units are counted.
3. In the same run, times a hand-written SQL query of the same 25 rows: the floor.
4. Prints median and 95th percentile and the query plans; writes
   bench/results/work_queue-<time>.json.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_common import case_row, insert_cases, json_value, make_tree, ms, plan, sample, start
from common import print_table, timed, write_result

TODAY = dt.date(2026, 3, 10)
PAGE = 25
# Share of cases by clock: most cases of a running district are finished.
CLOCKS: dict[str, float] = {"stopped": 0.75, "running": 0.20, "paused": 0.03, "idle": 0.02}
STATES = {"stopped": "delivered", "running": "handling", "paused": "correction", "idle": "accepted"}
# The open-case condition is written as `open()` writes it: SQLite uses a partial index only
# when the query repeats the index's condition term for term (`<>` would not match).
RAW_SQL = """
SELECT c.*, r.*, u.*, h.*
FROM cases_case c
JOIN regions_region r ON r.id = c.region_id
LEFT JOIN regions_unit u ON u.id = c.owner_unit_id
LEFT JOIN accounts_user h ON h.id = c.handler_id
WHERE c.owner_unit_id = %s AND NOT (c.clock = 'stopped') AND r.path LIKE %s
ORDER BY c.due_date, c.id
LIMIT 25
"""


def main() -> None:
    options, total, url = start(
        "work_queue", __doc__.split("\n\n")[0], 50, "timed requests per figure"
    )
    from django.db import connection
    from django.db.models import QuerySet
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shequ.accounts.models import User
    from shequ.cases.models import Case
    from shequ.regions.models import RoleAssignment
    from shequ.regions.permissions import unit_ids
    from shequ.regions.roles import Role

    rng = random.Random(options.seed)
    tree = make_tree(streets=5, communities_per_street=8, units=10)
    now = timezone.now()
    data = json_value()
    kinds, weights = list(CLOCKS), list(CLOCKS.values())

    def rows() -> Any:
        for pk in range(1, total + 1):
            unit = tree.units[rng.randrange(len(tree.units))]
            clock = rng.choices(kinds, weights)[0]
            handlers = tree.handlers[unit.pk]
            due = (
                None
                if clock == "idle"
                else TODAY + dt.timedelta(days=rng.randint(-200, -20))
                if clock == "stopped"
                else TODAY + dt.timedelta(days=rng.randint(-10, 60))
            )
            yield case_row(
                pk,
                region_id=tree.communities[rng.randrange(len(tree.communities))].pk,
                unit_id=unit.pk,
                handler_id=None if clock == "idle" else handlers[pk % len(handlers)].pk,
                responder_id=tree.window_workers[pk % len(tree.window_workers)].pk,
                clock=clock,
                due=due,
                state=STATES[clock],
                now=now,
                data=data,
            )

    with timed() as load:
        inserted = insert_cases(rows(), lambda n: print(f"  {n:,} cases", flush=True))
    print(f"{inserted:,} cases inserted in {load.seconds:.1f} s")

    unit = tree.units[0]
    street_handler = tree.handlers[unit.pk][0]  # assigned at the unit's street
    district_handler = User.objects.create(username="back-district", name="back-district")
    RoleAssignment.objects.create(
        user=district_handler, role=Role.BACK_OFFICE, region=tree.district, unit=unit
    )

    def queue(user: User) -> QuerySet[Case]:
        return (
            Case.objects.visible_to(user)
            .for_units(unit_ids(user))
            .open()
            .select_related("region", "owner_unit", "handler")
            .order_by("due_date", "id")[:PAGE]
        )

    def page(user_id: int) -> list[Case]:
        return list(queue(User.objects.get(pk=user_id)))  # as each request loads its user

    def raw(prefix: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [unit.pk, prefix + "%"])
            return cursor.fetchall()

    figures: list[dict[str, Any]] = []
    plans: dict[str, list[str]] = {}
    for label, user, prefix in (
        ("handler at a street", street_handler, tree.streets[0].path),
        ("handler at the district", district_handler, tree.district.path),
    ):
        cases = page(user.pk)
        rows_raw = raw(prefix)
        assert [c.pk for c in cases] == [row[0] for row in rows_raw], label
        assert len(cases) == PAGE, label
        with CaptureQueriesContext(connection) as captured:
            for case in page(user.pk):  # what the page shows needs no further query
                assert case.region.name and case.owner_unit is not None
                assert case.handler is None or case.handler.name
        plans[f"ORM, {label}"] = plan(*queue(user).query.sql_with_params())
        plans[f"bare SQL, {label}"] = plan(RAW_SQL, [unit.pk, prefix + "%"])
        orm_times = sample(partial(page, user.pk), options.runs)
        raw_times = sample(partial(raw, prefix), options.runs)
        in_scope = Case.objects.visible_to(user).for_units(unit_ids(user)).open().count()
        figures.append(
            {
                "label": label,
                "queries": len(captured.captured_queries),
                "open_in_scope": in_scope,
                "orm_ms": ms(orm_times),
                "raw_ms": ms(raw_times),
            }
        )

    print_table(
        f"Work queue, first page of {PAGE} among {total:,} cases ({connection.vendor}), "
        f"{options.runs} requests each",
        (
            "who",
            "open cases in queue",
            "queries",
            "ORM median ms",
            "p95",
            "bare SQL median ms",
            "p95",
        ),
        [
            (
                f["label"],
                f["open_in_scope"],
                f["queries"],
                f["orm_ms"][0],
                f["orm_ms"][1],
                f["raw_ms"][0],
                f["raw_ms"][1],
            )
            for f in figures
        ],
    )
    for title, lines in plans.items():
        print(f"\n{title}:")
        for line in lines:
            print(f"  {line}")
    path = write_result(
        "work_queue",
        {
            "cases": total,
            "runs": options.runs,
            "database_url_scheme": url.split(":", 1)[0],
            "load_seconds": round(load.seconds, 1),
            "figures": [
                {
                    "who": f["label"],
                    "open_in_scope": f["open_in_scope"],
                    "queries": f["queries"],
                    "orm_median_ms": round(f["orm_ms"][0], 2),
                    "orm_p95_ms": round(f["orm_ms"][1], 2),
                    "raw_median_ms": round(f["raw_ms"][0], 2),
                    "raw_p95_ms": round(f["raw_ms"][1], 2),
                }
                for f in figures
            ],
            "plans": plans,
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
