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
       POST /bench/insert (one INSERT of one row);
   (b) status lookup at 16 and 64 connections: POST /api/v1/hall/lookup, against
       POST /bench/read (one SELECT of one case by its tracking code).
   Each run lasts --seconds after a one-second warm-up, or stops at --max-requests.
4. Prints requests/s, p50 and p99 latency and the ratios; writes bench/results/api-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, fresh_database, print_table, rate, setup_django, write_result

PERSONS = 50
CASES = 300
PHONE = "13912340000"
START_SECONDS = 180


def seed() -> dict[str, Any]:
    """A small district through the services; returns what the load generator needs."""
    from django.db import connection

    from bench.bare_views import TABLE_SQL
    from shequ.accounts.models import User
    from shequ.accounts.services import api_token_create
    from shequ.hall.models import ItemKind
    from shequ.hall.services import item_save, window_accept
    from shequ.lib.idnumbers import check_char
    from shequ.people.services import person_create
    from shequ.regions.models import Level, RoleAssignment, Unit, UnitKind
    from shequ.regions.roles import Role
    from shequ.regions.services import region_create

    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL[connection.vendor])
    admin = User.objects.create_user(username="bench-admin", password="Bench-only-2026")
    level = {lv.key: lv for lv in Level.objects.all()}
    district = region_create(
        actor=admin, code="130105", name="新华区", level=level["district"], parent=None
    )
    RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, region=district)
    street = region_create(
        actor=admin, code="130105001", name="古楼街道", level=level["street"], parent=district
    )
    community = region_create(
        actor=admin, code="130105001001", name="湖北社区", level=level["community"], parent=street
    )
    grid = region_create(
        actor=admin,
        code="130105001001001",
        name="湖北一网格",
        level=level["grid"],
        parent=community,
    )
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "DEBUG": "false",
        "SHEQU_ALLOW_DEV_SECRETS": "true",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--chdir", str(ROOT), "--backlog", "2048", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env)
    # On a loaded machine four workers may take a minute to import Django.
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server did not start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/ping")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    server.wait(timeout=60)
    raise SystemExit(f"the server did not answer within {START_SECONDS} s")


@dataclass
class Run:
    name: str
    connections: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return rate(self.requests, self.seconds)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def _request(
    kind: str, data: dict[str, Any], tag: str, serial: int
) -> tuple[str, bytes, dict[str, str], int]:
    """(path, body, headers, expected status) of one request of a scenario."""
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
        return "/api/v1/hall/applications", json.dumps(body).encode(), headers, 201
    if kind == "bare_insert":
        body = {"code": f"{tag}-{serial}", "note": "x"}
        return "/bench/insert", json.dumps(body).encode(), headers, 201
    code, tail = random.choice(data["lookups"])
    if kind == "lookup":
        body = {"code": code, "phone_tail": tail}
        return "/api/v1/hall/lookup", json.dumps(body).encode(), headers, 200
    return "/bench/read", json.dumps({"code": code}).encode(), headers, 200


def _client(job: dict[str, Any]) -> tuple[int, int, list[float]]:
    """One client process: `threads` connections, each sending requests back to back."""
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0}
    latencies: list[float] = []
    stop_at = job["stop_at"]

    def loop(thread: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=60)
        mine: list[float] = []
        errors = 0
        serial = 0
        tag = f"{job['tag']}-{job['index']}-{thread}"
        while time.time() < stop_at and serial < job["max_requests"]:
            path, body, headers, expected = _request(job["kind"], job["data"], tag, serial)
            serial += 1
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expected
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            mine.append(time.perf_counter() - started)
            errors += not ok
        conn.close()
        with lock:
            totals["requests"] += len(mine)
            totals["errors"] += errors
            latencies.extend(mine)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(job["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return totals["requests"], totals["errors"], latencies


def drive(
    pool: ProcessPoolExecutor,
    *,
    kind: str,
    port: int,
    data: dict[str, Any],
    connections: int,
    seconds: float,
    max_requests: int,
    processes: int,
) -> Run:
    """Load one URL with `connections` connections for `seconds` (after a warm-up second)."""
    runs = []
    for phase, length in (("warm", 1.0), ("run", seconds)):
        tag = f"{kind}-{connections}-{phase}-{time.time_ns()}"
        started = time.time()
        jobs = [
            {
                "kind": kind,
                "port": port,
                "data": data,
                "tag": tag,
                "index": index,
                "threads": connections // processes + (index < connections % processes),
                "stop_at": started + length,
                "max_requests": max_requests // connections + 1,
            }
            for index in range(processes)
        ]
        results = list(pool.map(_client, jobs))
        elapsed = time.time() - started
        runs.append(
            Run(
                kind,
                connections,
                sum(r[0] for r in results),
                sum(r[1] for r in results),
                elapsed,
                [lat for r in results for lat in r[2]],
            )
        )
    return runs[-1]


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

    url = setup_django("api")
    from django.db import connection, connections

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fresh_database()
    started = time.perf_counter()
    data = seed()
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    vendor = connection.vendor
    environment_db = url.split(":", 1)[0]
    connections.close_all()

    port = free_port()
    server = start_server(port, options.workers, url)
    runs: list[Run] = []
    try:
        with ProcessPoolExecutor(max_workers=options.clients) as pool:
            pairs = [
                ("bare_insert", "intake", options.intake_connections),
                ("bare_read", "lookup", 16),
                ("bare_read", "lookup", 64),
            ]
            # Bare and API runs alternate, so that a change in the machine's load (it may be
            # shared) falls on both alike; the rounds of each are added up.
            for bare_kind, api_kind, count in pairs:
                for kind in (bare_kind, api_kind):
                    runs.append(Run(kind, count, 0, 0, 0.0, []))
                for _round in range(options.rounds):
                    for run in runs[-2:]:
                        one = drive(
                            pool,
                            kind=run.name,
                            port=port,
                            data=data,
                            connections=count,
                            seconds=options.seconds,
                            max_requests=options.max_requests,
                            processes=options.clients,
                        )
                        run.requests += one.requests
                        run.errors += one.errors
                        run.seconds += one.seconds
                        run.latencies += one.latencies
                for run in runs[-2:]:
                    print(
                        f"{run.name:12} {count:3} connections: {run.rps:8.1f} req/s, "
                        f"{run.errors} errors"
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)

    print_table(
        f"API against bare views ({vendor}, {options.workers} sync workers, "
        f"{options.clients} client processes, {options.rounds} x {options.seconds:g} s each)",
        ("run", "connections", "requests", "errors", "req/s", "p50 ms", "p99 ms"),
        [
            (
                r.name,
                r.connections,
                r.requests,
                r.errors,
                r.rps,
                r.percentile(0.5),
                r.percentile(0.99),
            )
            for r in runs
        ],
    )
    by = {(r.name, r.connections): r for r in runs}
    ratios: dict[str, float] = {}
    intake, bare = (
        by[("intake", options.intake_connections)],
        by[("bare_insert", options.intake_connections)],
    )
    ratios["intake_rps_ratio"] = intake.rps / bare.rps if bare.rps else 0.0
    for count in (16, 64):
        api, floor = by[("lookup", count)], by[("bare_read", count)]
        ratios[f"lookup{count}_rps_ratio"] = api.rps / floor.rps if floor.rps else 0.0
        ratios[f"lookup{count}_p99_ratio"] = (
            api.percentile(0.99) / floor.percentile(0.99) if floor.percentile(0.99) else 0.0
        )
    print()
    print(f"intake ÷ bare INSERT, requests/s: {ratios['intake_rps_ratio']:.2f} (goal >= 0.5)")
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
            "runs": [
                {
                    "run": r.name,
                    "connections": r.connections,
                    "requests": r.requests,
                    "errors": r.errors,
                    "requests_per_second": round(r.rps, 1),
                    "p50_ms": round(r.percentile(0.5), 2),
                    "p99_ms": round(r.percentile(0.99), 2),
                }
                for r in runs
            ],
            **{key: round(value, 3) for key, value in ratios.items()},
        },
    )
    print(f"result: {setup_path.relative_to(setup_path.parents[2])}")


if __name__ == "__main__":
    main()
