"""One street's incident indicators when the district holds 1,000,000 incidents.

    python bench/incident_indicators_bench.py                # 1,000,000 incidents, SQLite
    python bench/incident_indicators_bench.py --scale 1      # 50,000
    python bench/incident_indicators_bench.py --reuse        # measure a loaded database again
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_incident_bench \\
        python bench/incident_indicators_bench.py

1. Migrates a fresh benchmark database (var/bench/incident_indicators.sqlite3, or
   $DATABASE_URL when it names a PostgreSQL database whose name contains "bench") with a
   district of five streets of very different sizes (2, 6, 12, 30 and 50 % of the incidents),
   each of 8 communities of 10 grids, and the starting category table with its units.
2. Writes the incidents with their whole timeline straight into the real tables (case,
   incident, timeline events) with one prepared INSERT per table and `executemany`: two years
   of reports, about nine events each (report, verification, filing, dispatch, taking,
   handling, check, closing; some not filed, postponed, sent back for rework or still open).
   The incident row carries the moments of its steps that the indicators read (`filed_at` …
   `closed_at`, which the timeline's triggers keep, migration 0005 of the incidents): the
   loader knows them when it draws the incident and writes them itself. The timeline's
   triggers are dropped for the load and created again at its end, in the same transaction,
   by the migration's own functions: left in place they would change nothing (each event
   finds its moment on the incident row already) but add half to the load's time on SQLite
   (37 → 57 s of CPU for 200,000 incidents).
3. Checks that those columns equal what the timeline gives (the MIN and MAX of each step,
   as the backfill of migration 0006 counts them) for the district's first period.
4. Times `incident_indicators` (what the page, the export and the API run, the scope read
   afresh each time) for the smallest street (2 %), a middle one (12 %), the largest (50 %)
   and the whole district, for a month and a quarter, and prints the cohort's query plan.

`--reuse` measures a database loaded earlier with the same number of incidents; a database
loaded before the step columns existed is migrated first (the migration adds the columns and
the triggers and fills them from the timeline; on PostgreSQL a VACUUM follows, since every
incident row was rewritten). The rows so rewritten lie less tidily than a fresh load's: take
the figures to publish from a fresh load.

Goal: under 300 ms for one street, and a time that follows the street's share of the
incidents, not the district's total.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_common import analyze, ms, plan, sample
from common import fresh_database, print_table, setup_django, timed, write_result
from incident_indicators_load import END, SHARES, STEPS, checkpoint, load, make_tree

PERIODS = ("2026-06", "2026-Q2")


def migrate_loaded() -> None:
    """Bring a database loaded by an earlier version of this benchmark up to the schema: its
    pending migrations (for one loaded before the step columns, migrations 0005-0006 of the
    incidents add them with their triggers and fill them from the timeline)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending)
    print(f"migrating the loaded database: {names}", flush=True)
    with timed() as migrating:
        call_command("migrate", verbosity=0, skip_checks=True)
        if connection.vendor == "postgresql":
            # The backfill wrote a new version of every incident row: clear the old ones.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            analyze()
    print(f"migrated in {migrating.seconds:.1f} s (a fresh load gives tidier figures)")


def check_steps(district: Any, period: Any) -> int:
    """Compare the step columns of the district's incidents of the period with the MIN and MAX
    of their timeline events; returns how many incidents were compared."""
    from django.db import connection

    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    held = ", ".join(f"i.{column} AS held_{n}" for n, (column, _a, _w) in enumerate(STEPS))
    counted = ", ".join(
        f"{'MIN' if which == 'first' else 'MAX'}(CASE WHEN e.action = '{action}' "
        f"THEN e.at END) AS counted_{n}"
        for n, (_column, action, which) in enumerate(STEPS)
    )
    actions = ", ".join(f"'{action}'" for _column, action, _which in STEPS)
    wrong = " OR ".join(f"x.held_{n} {differs} x.counted_{n}" for n in range(len(STEPS)))
    sql = f"""
        SELECT COUNT(*), SUM(CASE WHEN {wrong} THEN 1 ELSE 0 END) FROM (
            SELECT i.case_id, {held}, {counted}
            FROM incidents_incident i
            JOIN regions_region r ON r.id = i.region_id
            LEFT JOIN cases_caseevent e ON e.case_id = i.case_id AND e.action IN ({actions})
            WHERE r.path LIKE %s AND i.reported_at >= %s AND i.reported_at < %s
            GROUP BY i.case_id
        ) x
    """
    when = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{district.path}%", when(period.start), when(period.end)])
        compared, different = cursor.fetchone()
    if different:
        raise SystemExit(f"the step columns of {different:,} incidents differ from the timeline")
    return int(compared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=20.0, help="incidents in 50,000s")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="measure a loaded database")
    options = parser.parse_args()
    total = int(options.scale * 50_000)
    url = setup_django("incident_indicators")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.accounts.models import User
    from shequ.incidents.category_seed import incident_categories_seed
    from shequ.incidents.indicators import incident_indicators
    from shequ.incidents.models_loop import Incident
    from shequ.incidents.periods import parse_period
    from shequ.regions.models import Region
    from shequ.regions.scoping import forget_scope

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    load_seconds = None
    if options.reuse and Incident.objects.count() == total:
        print(f"reusing the loaded database ({total:,} incidents)")
        migrate_loaded()
        checkpoint()
    else:
        with timed() as migrate:
            fresh_database()
        print(f"fresh database migrated in {migrate.seconds:.1f} s")
        district, _streets, grids, _admin = make_tree()
        incident_categories_seed(district=district)
        with timed() as loading:
            counts = load(total, options.seed, grids)
        load_seconds = round(loading.seconds, 1)
        print(
            f"{counts['cases']:,} incidents and {counts['events']:,} timeline events "
            f"in {loading.seconds:.1f} s"
        )
    district = Region.objects.get(code="130105")
    checked = check_steps(district, parse_period(PERIODS[0]))
    print(
        f"step columns equal the timeline's for the district's {checked:,} incidents of {PERIODS[0]}"
    )
    streets = list(Region.objects.filter(parent=district).order_by("code"))
    targets = [
        (f"street {index + 1} ({SHARES[index]:.0%})", streets[index],
         User.objects.get(username=f"street-{index + 1}"))
        for index in (0, 2, 4)
    ] + [("district (100%)", district, User.objects.get(username="admin"))]  # fmt: skip
    figures: list[dict[str, Any]] = []
    plans: dict[str, list[str]] = {}
    for period_key in PERIODS:
        period = parse_period(period_key)
        totals: dict[str, int] = {}
        for label, node, user in targets:

            def run(user: Any = user, node: Any = node, period: Any = period) -> Any:
                forget_scope(user)  # the scope is read afresh, as in a new request
                return incident_indicators(user, node, period=period, now=END)

            report = run()
            totals[label] = report.total.reported
            seconds = sample(run, options.runs)
            median, p95, best = ms(seconds)
            figures.append(
                {
                    "node": label,
                    "period": period_key,
                    "incidents": report.total.reported,
                    "median_ms": round(median, 1),
                    "p95_ms": round(p95, 1),
                    "best_ms": round(best, 1),
                    "close_rate": report.total.close_rate,
                    "on_time_close_rate": report.total.on_time_close_rate,
                    "rework_rate": report.total.rework_rate,
                }
            )
            if period_key == PERIODS[0] and node is streets[0]:
                with CaptureQueriesContext(connection) as captured:
                    run()
                cohort = next(q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"])
                plans["cohort of the smallest street, one month"] = plan(cohort, [])
        # The streets add up to the district.
        by_street = incident_indicators(targets[-1][2], district, period=period, now=END).rows
        assert sum(row.reported for row in by_street) == totals["district (100%)"]

    print_table(
        f"incident_indicators with {Incident.objects.count():,} incidents in the district "
        f"({connection.vendor}), {options.runs} runs each",
        ("node", "period", "incidents", "median ms", "p95 ms", "ms per 1,000", "close %",
         "on time %"),
        [
            (
                f["node"], f["period"], f["incidents"], f["median_ms"], f["p95_ms"],
                f["median_ms"] / max(f["incidents"], 1) * 1000, f["close_rate"] or 0.0,
                f["on_time_close_rate"] or 0.0,
            )
            for f in figures
        ],
    )  # fmt: skip
    for title, lines in plans.items():
        print(f"\n{title}:")
        for line in lines:
            print(f"  {line}")
    path = write_result(
        "incident_indicators",
        {
            "incidents": Incident.objects.count(),
            "runs": options.runs,
            "database_url_scheme": url.split(":", 1)[0],
            "load_seconds": load_seconds,
            "figures": figures,
            "plans": plans,
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
