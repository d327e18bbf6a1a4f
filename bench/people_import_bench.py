"""How fast the register import is, against the floor of inserting its rows and a common library.

    python bench/people_import_bench.py --rows 1000000

1. Migrates a fresh benchmark database (var/bench/people_import.sqlite3, or $DATABASE_URL when it
   names a PostgreSQL database whose name contains "bench") with a district, a street, a
   community and 20 grids.
2. Writes --rows valid person rows (households of a head, a spouse and a child) to a CSV file
   and an .xlsx workbook, streamed, in var/bench/.
3. Imports each file through the real import path (`register_import`, what the task and the
   command run) in a child process of its own, so that each run's peak memory (VmHWM) is
   its own (and its worker processes' largest peak, reported apart); also a 100,000-row slice
   of each, to show that peak memory does not grow with the file.
4. Times a bare `executemany` INSERT of the very same final rows (read back from the person
   table) into an empty copy of the table with the same indexes, in the same database.
5. Imports a --baseline-rows slice of the CSV with django-import-export (the `bench`
   dependency group: `uv sync --group bench`) into the same model, doing the same per-row work
   (identity and phone checked and sealed, pinyin, grid by code), and the same slice through
   our import, for the ratio of rows/s.
6. Prints a table; writes bench/results/people_import-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_DB_DIR,
    fresh_database,
    print_table,
    rate,
    setup_django,
    timed,
    write_result,
)

HEADER = ["户号", "与户主关系", "姓名", "身份证号", "联系电话", "居住状态", "户籍地", "网格"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华玉红建国志文"
GRIDS = 20
SLICE = 100_000


def person_rows(count: int) -> Any:
    """Valid rows: unique identity numbers (birth date + sequence), unique phones."""
    from shequ.lib.idnumbers import check_char

    start = dt.date(1940, 1, 1)
    for i in range(count):
        birth = start + dt.timedelta(days=i // 500)
        first17 = f"110105{birth:%Y%m%d}{(i % 500) * 2 + (i % 2):03d}"
        household, member = divmod(i, 3)
        name = (
            SURNAMES[household % len(SURNAMES)]
            + GIVEN[i % len(GIVEN)]
            + GIVEN[(i // 7) % len(GIVEN)]
        )
        yield [
            f"H{household:07d}", ("户主", "配偶", "子女")[member], name, first17 + check_char(first17),
            f"138{i:08d}", ("户籍", "常住", "流动")[household % 3], "北京市朝阳区",
            f"130105001001{household % GRIDS + 1:03d}",
        ]  # fmt: skip


def write_files(count: int) -> tuple[Path, Path]:
    from openpyxl import Workbook

    BENCH_DB_DIR.mkdir(parents=True, exist_ok=True)
    csv_path = BENCH_DB_DIR / f"people-{count}.csv"
    xlsx_path = BENCH_DB_DIR / f"people-{count}.xlsx"
    if not csv_path.exists():
        with csv_path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(HEADER)
            writer.writerows(person_rows(count))
    if not xlsx_path.exists():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("人员")
        sheet.append(HEADER)
        for row in person_rows(count):
            sheet.append(row)
        book.save(xlsx_path)
    return csv_path, xlsx_path


def child(path: str, rows: int) -> None:
    """One import in this process; prints a JSON line with its figures."""
    setup_django("people_import")
    # The modules are imported before the clock starts, as the baseline's are (a task worker
    # has them loaded): importing pypinyin alone takes about two seconds.
    import shequ.people.importing.persons  # noqa: F401
    from shequ.people.importing.engine import register_import
    from shequ.regions.models import Region

    node = Region.objects.get(code="130105001001")
    with open(path, "rb") as file, timed() as run:
        outcome = register_import(
            actor=None, kind="persons", node=node, file=file, filename=Path(path).name
        )
    assert outcome.ok, outcome.first_errors[:5]
    peak = peak_memory()
    # The import's worker processes (see shequ/people/importing/workers.py), forked from this
    # one: the largest one's peak, which counts the pages it shares with this process.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": run.seconds,
                "rows": outcome.counts.rows,
                "created": outcome.counts.created,
                "peak": peak,
                "workers_peak": workers,
            }
        )
    )


def baseline_child(path: str, rows: int) -> None:
    """django-import-export importing the first `rows` rows of the CSV into Person."""
    setup_django("people_import")
    import tablib
    from import_export import fields, resources

    from shequ.lib.idnumbers import parse_identity
    from shequ.lib.phones import parse_phone
    from shequ.lib.pinyin import name_keys
    from shequ.people.models import Household, Person, Relation, ResidenceStatus
    from shequ.people.services import seal_identity, seal_phone
    from shequ.regions.models import Region

    grids = dict(Region.objects.values_list("code", "pk"))
    statuses = {
        "户籍": ResidenceStatus.REGISTERED,
        "常住": ResidenceStatus.RESIDENT,
        "流动": ResidenceStatus.FLOATING,
    }
    relations = {"户主": Relation.HEAD, "配偶": Relation.SPOUSE, "子女": Relation.CHILD}

    class PersonResource(resources.ModelResource):
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="id_number_hash")

        class Meta:
            model = Person
            import_id_fields = ("id_number_hash",)
            fields = ("id_number_hash",)

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            identity = parse_identity(row["身份证号"])
            row["id_number_hash"] = seal_identity(identity.number).hash
            row["_identity"] = identity

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            super().import_instance(instance, row, **kwargs)
            identity = row["_identity"]
            sealed = seal_identity(identity.number)
            phone = seal_phone(parse_phone(row["联系电话"]))
            instance.region_id = grids[row["网格"]]
            instance.household, _ = Household.objects.get_or_create(
                number=row["户号"], defaults={"region_id": instance.region_id}
            )
            instance.relation = relations[row["与户主关系"]]
            instance.name = row["姓名"]
            instance.name_pinyin, instance.name_initials = name_keys(row["姓名"])
            instance.gender, instance.birth_date = identity.gender, identity.birth_date
            instance.id_number_enc, instance.id_number_masked = sealed.enc, sealed.masked
            instance.id_last4 = identity.number[-4:]
            instance.phone_enc, instance.phone_hash, instance.phone_masked = (
                phone.enc,
                phone.hash,
                phone.masked,
            )
            instance.residence_status = statuses[row["居住状态"]]
            instance.registration_place = row["户籍地"]

    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        data = tablib.Dataset(headers=[*header, "id_number_hash", "_identity"])
        for index, row in enumerate(reader):
            if index >= rows:
                break
            data.append([*row, "", None])
    with timed() as run:
        result = PersonResource().import_data(
            data, dry_run=False, raise_errors=True, use_transactions=True
        )
    assert not result.has_errors()
    peak = peak_memory()
    print(
        json.dumps(
            {"seconds": run.seconds, "rows": rows, "created": result.totals["new"], "peak": peak}
        )
    )


def peak_memory() -> int:
    """This process's peak resident memory in bytes.

    VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a child would report its
    parent's size at the fork when that was larger than anything the child did.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_child(function: str, path: Path, rows: int) -> dict[str, Any]:
    # Production-like: with DEBUG on, Django keeps the last 9,000 statements with their
    # parameters (a lookup of 1,000 identity hashes is 70 kB of text), which the peak memory
    # would count.
    env = {**os.environ, "DEBUG": "false", "SHEQU_ALLOW_DEV_SECRETS": "true"}
    output = subprocess.run(
        [sys.executable, __file__, "--child", function, str(path), str(rows)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    return json.loads(output.stdout.strip().splitlines()[-1])


def clear_register() -> None:
    from django.db import connection

    from shequ.people.models import Household, Person

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Person._meta.db_table}")
        cursor.execute(f"DELETE FROM {Household._meta.db_table}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def slice_file(path: Path, rows: int) -> Path:
    """The first `rows` rows of a file, in the same format."""
    target = path.with_name(f"{path.stem}-first{rows}{path.suffix}")
    if target.exists():
        return target
    if path.suffix == ".csv":
        with (
            path.open(encoding="utf-8-sig") as source,
            target.open("w", encoding="utf-8-sig") as out,
        ):
            for index, line in enumerate(source):
                if index > rows:
                    break
                out.write(line)
        return target
    from openpyxl import Workbook, load_workbook

    source = load_workbook(path, read_only=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人员")
    for index, row in enumerate(source.worksheets[0].iter_rows(values_only=True)):
        if index > rows:
            break
        sheet.append(list(row))
    book.save(target)
    source.close()
    return target


def raw_insert(model: Any, copy: Any, names: list[str]) -> tuple[float, int, float]:
    """executemany of the rows of `model` into `copy`, an empty copy of its table with the same
    indexes, 2,000 a batch in one transaction: (seconds of the INSERTs, rows, seconds of the
    COMMIT). Reading the rows back is not timed."""
    from django.db import connection, transaction

    with connection.schema_editor() as editor:
        editor.create_model(copy)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(copy._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    select = (
        f"SELECT id, {', '.join(quote(n) for n in names)} FROM {quote(model._meta.db_table)}"
        " WHERE id > %s ORDER BY id LIMIT 2000"
    )
    seconds, count, last = 0.0, 0, 0
    try:
        with transaction.atomic():
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(select, [last])
                    batch = cursor.fetchall()
                if not batch:
                    break
                last = batch[-1][0]
                rows = [row[1:] for row in batch]
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.executemany(sql, rows)
                seconds += time.perf_counter() - started
                count += len(rows)
            committing = time.perf_counter()
        commit = time.perf_counter() - committing
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(copy)
    return seconds, count, commit


def raw_inserts() -> dict[str, tuple[float, int, float]]:
    """The bare INSERTs of the final rows of the import: persons, then households."""
    from people_import_copy import household_copy_model, person_copy_model

    from shequ.people.importing.persons import COLUMNS
    from shequ.people.models import Household, Person

    return {
        "persons": raw_insert(
            Person, person_copy_model(), [*COLUMNS, "left_on", "created_at", "updated_at"]
        ),
        "households": raw_insert(
            Household, household_copy_model(), ["number", "region_id", "dwelling_id"]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        function, path, rows = options.child
        {"import": child, "baseline": baseline_child}[function](path, int(rows))
        return

    url = setup_django("people_import")
    from django.db import connection

    from shequ.regions.models import Region
    from shequ.regions.tests.factories import make_region

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fresh_database()
    district = make_region("130105", "新华区", "district")
    street = make_region("130105001", "古楼街道", "street", district)
    community = make_region("130105001001", "湖北社区", "community", street)
    for number in range(1, GRIDS + 1):
        make_region(f"130105001001{number:03d}", f"湖北{number}网格", "grid", community)
    assert Region.objects.count() == GRIDS + 3

    with timed() as writing:
        csv_path, xlsx_path = write_files(options.rows)
    print(f"files written in {writing.seconds:.0f} s: {csv_path.name} {xlsx_path.name}")
    small = min(SLICE, options.rows)
    table: list[tuple[Any, ...]] = []
    result: dict[str, Any] = {"rows": options.rows, "database_url_scheme": url.split(":", 1)[0]}

    def ours(label: str, path: Path, rows: int) -> dict[str, Any]:
        clear_register()
        figures = in_child("import", path, rows)
        assert figures["created"] == rows, figures
        print(f"{label}: {figures['seconds']:.1f} s", flush=True)
        table.append(
            (
                label,
                rows,
                figures["seconds"],
                rate(rows, figures["seconds"]),
                figures["peak"] // 2**20,
                figures.get("workers_peak", 0) // 2**20,
            )
        )
        result[label] = figures
        return figures

    csv_small = ours("CSV, first 100k", slice_file(csv_path, small), small)
    csv_full = ours("CSV", csv_path, options.rows)
    bare = raw_inserts()
    raw_seconds, raw_rows, raw_commit = bare["persons"]
    household_seconds, households, household_commit = bare["households"]
    assert raw_rows == options.rows
    table.append(
        ("bare executemany, the same person rows", raw_rows, raw_seconds,
         rate(raw_rows, raw_seconds), "", "")
    )  # fmt: skip
    table.append(
        ("bare executemany, the same household rows", households, household_seconds,
         rate(households, household_seconds), "", "")
    )  # fmt: skip
    result["raw_seconds"] = raw_seconds
    result["raw_commit_seconds"] = raw_commit
    result["raw_household_seconds"] = household_seconds
    result["raw_household_commit_seconds"] = household_commit
    result["households"] = households
    # Strict: the person INSERTs alone, as in earlier rounds. Whole: every final row of the
    # import (persons and households), each table's INSERTs with their COMMIT, as the
    # import's own time includes its writes of both and its commit.
    whole = raw_seconds + raw_commit + household_seconds + household_commit
    result["raw_whole_seconds"] = whole
    ratios = {
        "csv_to_raw": raw_seconds / csv_full["seconds"],
        "csv_to_raw_whole": whole / csv_full["seconds"],
        "csv_peak_full_to_100k": csv_full["peak"] / csv_small["peak"],
    }
    if not options.skip_xlsx:
        ours("xlsx, first 100k", slice_file(xlsx_path, small), small)
        xlsx_full = ours("xlsx", xlsx_path, options.rows)
        ratios["xlsx_to_raw"] = raw_seconds / xlsx_full["seconds"]
        ratios["xlsx_to_raw_whole"] = whole / xlsx_full["seconds"]
    baseline_rows = min(options.baseline_rows, options.rows)
    sliced = slice_file(csv_path, baseline_rows)
    ours_slice = ours(f"CSV, first {baseline_rows:,}", sliced, baseline_rows)
    try:
        clear_register()
        baseline = in_child("baseline", sliced, baseline_rows)
    except subprocess.CalledProcessError as exc:
        print(
            f"django-import-export baseline skipped (install the bench group): {exc.stderr[-300:]}"
        )
    else:
        table.append(
            (
                "django-import-export, same slice",
                baseline_rows,
                baseline["seconds"],
                rate(baseline_rows, baseline["seconds"]),
                baseline["peak"] // 2**20,
                "",
            )
        )
        result["django_import_export"] = baseline
        ratios["ours_to_import_export"] = baseline["seconds"] / ours_slice["seconds"]
    clear_register()
    print_table(
        f"Register import, {options.rows:,} persons ({connection.vendor})",
        ("run", "rows", "seconds", "rows/s", "peak MB", "workers' peak MB"),
        table,
    )
    for name, value in ratios.items():
        print(f"{name}: {value:.2f}")
    result["ratios"] = ratios
    path = write_result("people_import", result)
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
