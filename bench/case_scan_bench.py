"""How long the deadline scan takes among a million open cases, against a bare SELECT.

    python bench/case_scan_bench.py                  # 1,000,000 open cases
    python bench/case_scan_bench.py --scale 1        # 50,000

1. Migrates a fresh benchmark database (var/bench/cases.sqlite3, or $DATABASE_URL when it
   names a PostgreSQL database whose name contains "bench") and inserts the open cases
   (running clock, no alert yet) with `executemany` into the real case table.
2. Makes 100, then 1,000, then 10,000 of them due (half due within one working day, half
   overdue) and times `deadline_scan` for each: the median of several runs, the alerts of the
   due cases reset and the scan's messages and timeline events deleted between runs.
3. In the same runs, times a bare SELECT of the ids of the same due cases (the scan's own
   WHERE clauses, answered from the same index): the floor of finding them.
4. Prints the figures and the query plans; writes bench/results/case_scan-<time>.json.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_common import (
    case_row,
    chunks,
    insert_cases,
    json_value,
    make_tree,
    ms,
    plan,
    sample,
    start,
)
from common import print_table, timed, write_result

TODAY = dt.date(2026, 3, 10)  # a Tuesday; the next working day is Wednesday 11 March
DUE_COUNTS = (100, 1_000, 10_000)
# Open overdue cases alerted by earlier scans, for the last figure: the overdue query reads
# them too (`alert` is in no index) and skips them on their row.
STALE = 10_000
OVERDUE_SQL = "SELECT id FROM cases_case WHERE clock = %s AND alert IN (0, 1) AND due_date < %s"
SOON_SQL = (
    "SELECT id FROM cases_case WHERE clock = %s AND alert = 0 AND due_date >= %s AND due_date <= %s"
)


def far_due(rng: random.Random) -> dt.date:
    """A deadline well after the scan day: never due in this benchmark."""
    return TODAY + dt.timedelta(days=rng.randint(5, 120))


def main() -> None:
    options, total, url = start("cases", __doc__.split("\n\n")[0], 7, "timed runs per figure")
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shequ.cases.models import Alert, Case, CaseEvent, Clock, Notification
    from shequ.cases.scan import deadline_scan
    from shequ.workdays import calendar

    rng = random.Random(options.seed)
    tree = make_tree(streets=5, communities_per_street=8, units=10)
    now = timezone.now()
    data = json_value()

    def rows() -> Any:
        for pk in range(1, total + 1):
            unit = tree.units[pk % len(tree.units)]
            handlers = tree.handlers[unit.pk]
            yield case_row(
                pk,
                region_id=tree.communities[pk % len(tree.communities)].pk,
                unit_id=unit.pk,
                handler_id=handlers[pk % len(handlers)].pk,
                responder_id=tree.window_workers[pk % len(tree.window_workers)].pk,
                clock=Clock.RUNNING,
                due=far_due(rng),
                state="handling",
                now=now,
                data=data,
            )

    with timed() as load:
        inserted = insert_cases(rows(), lambda n: print(f"  {n:,} cases", flush=True))
    print(f"{inserted:,} open cases inserted in {load.seconds:.1f} s")

    # The cases that become due: spread over the table, not one block of ids.
    step = max(1, total // max(DUE_COUNTS))
    candidates = list(range(step, total + 1, step))[: max(DUE_COUNTS)]
    soon_until = calendar.add_working_days(TODAY, 1).value

    def make_due(count: int) -> list[int]:
        """The first `count` candidates due (half soon, half overdue); the rest not due."""
        due_ids = candidates[:count]
        with transaction.atomic():
            Case.objects.filter(pk__in=candidates).update(
                due_date=TODAY + dt.timedelta(days=30), alert=Alert.NONE
            )
            for index, pk in enumerate(due_ids):
                due = (
                    (TODAY, soon_until)[index % 4 // 2]
                    if index % 2 == 0
                    else TODAY - dt.timedelta(days=1 + index % 8)
                )
                Case.objects.filter(pk=pk).update(due_date=due)
        return due_ids

    def reset(due_ids: list[int]) -> None:
        with transaction.atomic():
            for start in range(0, len(due_ids), 5_000):
                Case.objects.filter(pk__in=due_ids[start : start + 5_000]).update(alert=Alert.NONE)
            CaseEvent.objects.all().delete()
            Notification.objects.all().delete()

    def bare_select() -> int:
        with connection.cursor() as cursor:
            cursor.execute(OVERDUE_SQL, [Clock.RUNNING, TODAY])
            found = len(cursor.fetchall())
            cursor.execute(SOON_SQL, [Clock.RUNNING, TODAY, soon_until])
            return found + len(cursor.fetchall())

    figures: list[dict[str, Any]] = []
    plans: dict[str, list[str]] = {}
    for count in DUE_COUNTS:
        due_ids = make_due(count)
        reset(due_ids)
        assert bare_select() == count, (bare_select(), count)
        result = deadline_scan(TODAY)  # warm-up; also checks the counts
        assert result.due_soon + result.overdue == count, (result, count)
        scan = sample(partial(deadline_scan, TODAY), options.runs, before=partial(reset, due_ids))
        bare = sample(bare_select, options.runs)
        if count == 1_000:
            reset(due_ids)
            with CaptureQueriesContext(connection) as captured:
                deadline_scan(TODAY)
            # The first batch: the UPDATE that picks and alerts it (EXPLAIN does not run it).
            batches = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
            plans["deadline_scan: overdue batch"] = plan(batches[0], [])
            plans["bare SELECT: overdue"] = plan(OVERDUE_SQL, [Clock.RUNNING, TODAY])
            plans["bare SELECT: due soon"] = plan(SOON_SQL, [Clock.RUNNING, TODAY, soon_until])
        reset(due_ids)
        figures.append(
            {
                "due": count,
                "scan_ms": ms(scan),
                "bare_select_ms": ms(bare),
            }
        )

    # The same 1,000 due cases among as many open overdue cases already alerted.
    stale_ids = [pk - step // 2 for pk in candidates[:STALE]]
    with transaction.atomic():
        for chunk in chunks(stale_ids, 5_000):
            Case.objects.filter(pk__in=chunk).update(
                due_date=TODAY - dt.timedelta(days=30), alert=Alert.OVERDUE
            )
    due_ids = make_due(1_000)
    reset(due_ids)
    result = deadline_scan(TODAY)
    assert result.due_soon + result.overdue == 1_000, result
    scan = sample(partial(deadline_scan, TODAY), options.runs, before=partial(reset, due_ids))
    reset(due_ids)
    figures.append(
        {"due": 1_000, "stale": len(stale_ids), "scan_ms": ms(scan), "bare_select_ms": ()}
    )

    print_table(
        f"deadline_scan among {total:,} open running cases ({connection.vendor}), "
        f"median of {options.runs} runs",
        (
            "due cases",
            "open overdue, already alerted",
            "scan ms",
            "p95",
            "per due case ms",
            "bare SELECT ms",
            "p95",
        ),
        [
            (
                f["due"],
                f.get("stale", 0),
                f["scan_ms"][0],
                f["scan_ms"][1],
                f["scan_ms"][0] / f["due"],
                *(f["bare_select_ms"][:2] or ("", "")),
            )
            for f in figures
        ],
    )
    for title, lines in plans.items():
        print(f"\n{title}:")
        for line in lines:
            print(f"  {line}")
    path = write_result(
        "case_scan",
        {
            "open_cases": total,
            "runs": options.runs,
            "database_url_scheme": url.split(":", 1)[0],
            "load_seconds": round(load.seconds, 1),
            "figures": [
                {
                    "due": f["due"],
                    "already_alerted_overdue": f.get("stale", 0),
                    "scan_median_ms": round(f["scan_ms"][0], 2),
                    "scan_p95_ms": round(f["scan_ms"][1], 2),
                    **(
                        {
                            "bare_select_median_ms": round(f["bare_select_ms"][0], 2),
                            "bare_select_p95_ms": round(f["bare_select_ms"][1], 2),
                        }
                        if f["bare_select_ms"]
                        else {}
                    ),
                }
                for f in figures
            ],
            "plans": plans,
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
