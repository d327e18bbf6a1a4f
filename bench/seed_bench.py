"""How fast the demo district loads, against the floor of writing the same rows.

    python bench/seed_bench.py --scale 20

1. Migrates a fresh benchmark database (var/bench/seed.sqlite3, or $DATABASE_URL when it
   names a PostgreSQL database whose name contains "bench").
2. Times `demo_seed`: the whole load (tree, register, logins, audit event), generation and
   encryption of every row included; reports persons/s and all rows/s.
3. Times a bare `executemany` INSERT of the very same person rows (same columns, same values,
   already computed) into an empty copy of the person table with the same indexes and keys,
   in the same database, in one transaction.
4. Prints both rates and their ratio; writes bench/results/seed-<time>.json.

The person rows are kept in memory for step 3: about 1.5 GB at scale 20.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    fresh_database,
    print_table,
    rate,
    setup_django,
    timed,
    write_result,
)


def person_copy_model() -> Any:
    """A model for an empty copy of the person table: same columns, indexes and key types."""
    from django.db import models

    from shequ.people.models import Person

    attrs: dict[str, Any] = {"__module__": __name__}
    for field in Person._meta.local_fields:
        _name, _path, args, kwargs = field.deconstruct()
        if isinstance(field, models.ForeignKey):
            kwargs["related_name"] = "+"
        attrs[field.name] = type(field)(*args, **kwargs)
    attrs["Meta"] = type("Meta", (), {"app_label": "people", "db_table": "bench_person_copy"})
    return type("BenchPersonCopy", (models.Model,), attrs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo scale (1 = 50,000 persons)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    url = setup_django("seed")
    from django.db import connection, transaction

    from shequ.demo.bulk import bulk_load, insert_sql
    from shequ.demo.generator import PERSON_FIELDS
    from shequ.demo.services import demo_seed
    from shequ.people.models import Person

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    with timed() as migrate:
        fresh_database()
    print(f"fresh database migrated in {migrate.seconds:.1f} s")

    # Keep every person batch as it is written: the rows of step 3.
    person_batches: list[list[tuple[Any, ...]]] = []

    def keep(model: Any, batch: Any) -> None:
        if model is Person:
            person_batches.append(batch)

    with timed() as seeding:
        report = demo_seed(scale=options.scale, seed=options.seed, on_batch=keep, progress=print)
    persons = report.counts["persons"]
    all_rows = sum(report.counts[k] for k in ("regions", "buildings", "dwellings", "households"))
    all_rows += persons

    copy = person_copy_model()
    with connection.schema_editor() as editor:
        editor.create_model(copy)
    try:
        sql = insert_sql(copy, PERSON_FIELDS)
        with (
            timed() as raw,
            transaction.atomic(),
            bulk_load(connection),
            connection.cursor() as cursor,
        ):
            for batch in person_batches:
                cursor.executemany(sql, batch)
        copied = copy._default_manager.count()
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(copy)
    assert copied == persons, (copied, persons)

    seed_rate = rate(persons, seeding.seconds)
    raw_rate = rate(persons, raw.seconds)
    generation = report.seconds - report.db_seconds - report.commit_seconds
    print_table(
        f"Demo district, scale {options.scale:g}, seed {options.seed} ({connection.vendor}): "
        f"{persons:,} persons, {all_rows:,} rows in all",
        ("phase", "seconds", "persons/s", "rows/s"),
        [
            ("seed_demo, whole run", seeding.seconds, seed_rate, rate(all_rows, seeding.seconds)),
            ("  INSERTs of the register", report.db_seconds, "", rate(all_rows, report.db_seconds)),
            ("  commit", report.commit_seconds, "", ""),
            ("  making and sealing rows, tree, logins", generation, "", ""),
            ("bare executemany of the person rows", raw.seconds, raw_rate, ""),
        ],
    )
    ratio = raw_rate / seed_rate if seed_rate else 0.0
    print(f"\nThe bare INSERT of the person rows runs at {ratio:.1f}x the persons/s of the seed.")
    path = write_result(
        "seed",
        {
            "scale": options.scale,
            "seed": options.seed,
            "database_url_scheme": url.split(":", 1)[0],
            "counts": report.counts,
            "seed_seconds": round(seeding.seconds, 3),
            "seed_generation_seconds": round(generation, 3),
            "seed_insert_seconds": round(report.db_seconds, 3),
            "seed_commit_seconds": round(report.commit_seconds, 3),
            "seed_persons_per_second": round(seed_rate),
            "seed_rows_per_second": round(rate(all_rows, seeding.seconds)),
            "raw_insert_seconds": round(raw.seconds, 3),
            "raw_persons_per_second": round(raw_rate),
            "ratio_raw_to_seed": round(ratio, 2),
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
