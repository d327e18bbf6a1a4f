"""How fast the API takes applications and answers status lookups, against bare Django views.

    python bench/api_bench.py [--workers 4] [--seconds 10]

1. Migrates a fresh benchmark database (var/bench/api.sqlite3, or $DATABASE_URL when it names
   a PostgreSQL database whose name contains "bench") and seeds a small district: a street, a
   community with its window worker, a department, a service item with materials, persons in
   the register, and applications to look up. The window worker gets an API token.
2. Starts gunicorn (sync workers) on a free port of 127.0.0.1 with DEBUG=false and the bench
   settings (the project's settings, the bare views added under /bench/, the lookup limit
   lifted).
3. Drives load from a few client processes, each with threads holding an HTTP connection:
   (a) intake: POST /api/v1/hall/applications with a new Idempotency-Key each time, against
       POST /bench/insert (one INSERT of one row); and, to tell the framework's cost from the
       intake's own, POST /bench/api/insert: the same INSERT through django-ninja behind the
       project's token authentication;
   (b) status lookup at 16 and 64 connections: POST /api/v1/hall/lookup, against
       POST /bench/read (one SELECT of one case by its tracking code).
   Each run lasts --seconds after a one-second warm-up, or stops at --max-requests.
4. Prints requests/s, p50 and p99 latency and the ratios; writes bench/results/api-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import print_table, write_result
from http_load import FLOOR_PATHS, Run, alternate, floor_request, prepare, seed_district, serve

PERSONS = 50
CASES = 300
PHONE = "13912340000"


def seed() -> dict[str, Any]:
    """A small district through the services; returns what the load generator needs."""
    from shequ.accounts.models import User
    from shequ.accounts.services import api_token_create
    from shequ.hall.models import ItemKind
    from shequ.hall.services import item_save, window_accept
    from shequ.lib.idnumbers import check_char
    from shequ.people.services import person_create
    from shequ.regions.models import RoleAssignment, Unit, UnitKind
    from shequ.regions.roles import Role

    tree = seed_district()
    admin, district, community, grid = tree.admin, tree.district, tree.community, tree.grid
    unit = Unit.objects.create(
        code="U-CIVIL", name="民政局", kind=UnitKind.DEPARTMENT, region=district
    )
    window = User.objects.create_user(username="bench-window", password="Bench-only-2026")
    RoleAssignment.objects.create(user=window, role=Role.WINDOW_WORKER, region=community)
    item = item_save(
        actor=admin,
        code="BENCH-001",
        values={
            "name": "老年人优待证办理",
            "kind": ItemKind.CERTIFICATE,
            "department_id": unit.pk,
            "promised_days": 5,
            "statutory_days": 20,
        },
        materials=[
            {"name": "居民身份证", "form": "original"},
            {"name": "一寸照片", "form": "original", "count": 2},
        ],
    )
    materials = [m.pk for m in item.materials.all()]
    numbers = []
    persons = []
    for index in range(PERSONS):
        body = f"11010519500101{index:03d}"
        number = body + check_char(body)
        phone = PHONE[:-4] + f"{1000 + index:04d}"
        persons.append(
            person_create(
                actor=admin, region=grid, name=f"居民{index}", id_number=number, phone=phone
            )
        )
        numbers.append(number)
    lookups = []
    for index in range(CASES):
        person = persons[index % PERSONS]
        case = window_accept(
            actor=window, item=item, applicant=person, region=community, materials=materials
        )
        lookups.append((case.tracking_code, case.requester_phone_tail))
    _token, raw = api_token_create(actor=window, name="benchmark")
    return {
        "token": raw,
        "item_id": item.pk,
        "region_id": community.pk,
        "materials": materials,
        "id_numbers": numbers,
        "lookups": lookups,
    }


def _request(
    kind: str, data: dict[str, Any], tag: str, serial: int
) -> tuple[str, bytes, dict[str, str], tuple[int, ...]]:
    """(path, body, headers, expected statuses) of one request of a scenario."""
    headers = {"Content-Type": "application/json"}
    if kind == "intake":
        headers["Authorization"] = f"Bearer {data['token']}"
        headers["Idempotency-Key"] = f"{tag}-{serial}"
        body = {
            "item_id": data["item_id"],
            "applicant_id_number": random.choice(data["id_numbers"]),
            "region_id": data["region_id"],
            "materials": data["materials"],
        }
        return "/api/v1/hall/applications", json.dumps(body).encode(), headers, (201,)
    if kind in FLOOR_PATHS:
        return floor_request(kind, data["token"], tag, serial)
    code, tail = random.choice(data["lookups"])
    if kind == "lookup":
        body = {"code": code, "phone_tail": tail}
        return "/api/v1/hall/lookup", json.dumps(body).encode(), headers, (200,)
    return "/bench/read", json.dumps({"code": code}).encode(), headers, (200,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (2 or 4)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare and API runs alternate this many times"
    )
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap of each run")
    parser.add_argument("--intake-connections", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    options = parser.parse_args()

    url, data = prepare("api", seed)
    from django.db import connection

    vendor = connection.vendor
    environment_db = url.split(":", 1)[0]

    runs: list[Run] = []
    with serve(options.workers, url) as port, ProcessPoolExecutor(options.clients) as pool:
        groups = [
            (("bare_insert", "ninja_insert", "intake"), options.intake_connections),
            (("bare_read", "lookup"), 16),
            (("bare_read", "lookup"), 64),
        ]
        for kinds, count in groups:
            pair = [Run(kind, count, 0, 0, 0.0, []) for kind in kinds]
            alternate(
                pool,
                pair,
                rounds=options.rounds,
                request=_request,
                port=port,
                data=data,
                seconds=options.seconds,
                processes=options.clients,
                max_requests=options.max_requests,
            )
            for run in pair:
                print(
                    f"{run.name:12} {count:3} connections: {run.rps:8.1f} req/s, "
                    f"{run.errors} errors"
                )
            runs += pair

    print_table(
        f"API against bare views ({vendor}, {options.workers} sync workers, "
        f"{options.clients} client processes, {options.rounds} x {options.seconds:g} s each)",
        ("run", "connections", "requests", "errors", "req/s", "p50 ms", "p99 ms"),
        [(r.name, r.connections, *r.row()) for r in runs],
    )
    by = {(r.name, r.connections): r for r in runs}
    ratios: dict[str, float] = {}
    intake, bare = (
        by[("intake", options.intake_connections)],
        by[("bare_insert", options.intake_connections)],
    )
    ratios["intake_rps_ratio"] = intake.rps / bare.rps if bare.rps else 0.0
    floor = by[("ninja_insert", options.intake_connections)]
    ratios["ninja_insert_rps_ratio"] = floor.rps / bare.rps if bare.rps else 0.0
    for count in (16, 64):
        api, floor = by[("lookup", count)], by[("bare_read", count)]
        ratios[f"lookup{count}_rps_ratio"] = api.rps / floor.rps if floor.rps else 0.0
        ratios[f"lookup{count}_p99_ratio"] = (
            api.percentile(0.99) / floor.percentile(0.99) if floor.percentile(0.99) else 0.0
        )
    print()
    print(f"intake ÷ bare INSERT, requests/s: {ratios['intake_rps_ratio']:.2f} (goal >= 0.5)")
    print(
        "django-ninja + token INSERT ÷ bare INSERT, requests/s: "
        f"{ratios['ninja_insert_rps_ratio']:.2f} (the framework's floor, no goal)"
    )
    for count in (16, 64):
        print(
            f"lookup ÷ bare read at {count} connections: requests/s "
            f"{ratios[f'lookup{count}_rps_ratio']:.2f} (goal >= 0.6), p99 "
            f"{ratios[f'lookup{count}_p99_ratio']:.2f} (goal <= 1.5)"
        )
    setup_path = write_result(
        "api",
        {
            "database_url_scheme": environment_db,
            "workers": options.workers,
            "clients": options.clients,
            "seconds": options.seconds,
            "rounds": options.rounds,
            "runs": [{"run": r.name, "connections": r.connections, **r.figures()} for r in runs],
            **{key: round(value, 3) for key, value in ratios.items()},
        },
    )
    print(f"result: {setup_path.relative_to(setup_path.parents[2])}")


if __name__ == "__main__":
    main()
