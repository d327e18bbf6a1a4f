"""How fast the API takes incident reports under load, against a bare Django insert view.

    python bench/incident_report_bench.py [--workers 4] [--seconds 5] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_incident_report_bench \\
        python bench/incident_report_bench.py

1. Migrates a fresh benchmark database (var/bench/incident_report.sqlite3, or $DATABASE_URL
   when it names a PostgreSQL database whose name contains "bench") and seeds, through the
   services, a district with a street, a community and a grid whose boundary is drawn, the
   starting category table and a grid worker of that grid with an API token.
2. Starts gunicorn (sync workers) as bench/api_bench.py does: the project's settings with
   DEBUG=false and the bare views of bench/bare_views.py under /bench/.
3. Drives load from client processes, each with threads holding an HTTP connection:
   `POST /api/v1/incidents/reports` (a form: category, description, a point inside the grid,
   an address, a new client id each time; bearer token) against `POST /bench/insert` (one
   INSERT of one row). The grid worker's report is located in the grid by its point and
   verified on the spot, as from the phone. Bare and API runs alternate `--rounds` times.
   `--photo-kb N` adds a JPEG of N KiB to every report (stored with the incident).
4. Prints requests/s, p50 and p99 latency and the ratio; writes
   bench/results/incident_report-<time>.json.

Goal: reports ÷ bare INSERT >= 0.5 in requests/s, same server, same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api_bench import Run, free_port, start_server
from common import fresh_database, print_table, setup_django, write_result

# The grid: a square of about 1 km a side in the demo district.
WEST, SOUTH, SIDE = 114.48, 38.03, 0.01


def seed() -> dict[str, Any]:
    """A district with one drawn grid, the category table and a grid worker's token."""
    from django.db import connection

    from bench.bare_views import TABLE_SQL
    from shequ.accounts.models import User
    from shequ.accounts.services import api_token_create
    from shequ.incidents.category_seed import incident_categories_seed
    from shequ.incidents.models import IncidentCategory
    from shequ.regions.models import Level, RoleAssignment
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
    square = [
        [WEST, SOUTH],
        [WEST + SIDE, SOUTH],
        [WEST + SIDE, SOUTH + SIDE],
        [WEST, SOUTH + SIDE],
        [WEST, SOUTH],
    ]
    grid = region_create(
        actor=admin,
        code="130105001001001",
        name="湖北一网格",
        level=level["grid"],
        parent=community,
    )
    type(grid).objects.filter(pk=grid.pk).update(
        boundary={"type": "Polygon", "coordinates": [square]}
    )
    incident_categories_seed(district=district, actor=admin)
    worker = User.objects.create_user(username="bench-grid", password="Bench-only-2026")
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
    _token, raw = api_token_create(actor=worker, name="benchmark")
    categories = list(
        IncidentCategory.objects.active().filter(default_tier="grid").values_list("pk", flat=True)
    )
    if not categories:
        categories = list(IncidentCategory.objects.active().values_list("pk", flat=True)[:20])
    return {"token": raw, "categories": categories}


def _multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = "".join(parts).encode()
    file_head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
        f'filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    body = head + file_head + photo + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _request(
    kind: str, data: dict[str, Any], tag: str, serial: int, photo: bytes
) -> tuple[str, bytes, dict[str, str], tuple[int, ...]]:
    """(path, body, headers, expected statuses) of one request."""
    if kind == "bare_insert":
        body = json.dumps({"code": f"{tag}-{serial}", "note": "x"}).encode()
        return "/bench/insert", body, {"Content-Type": "application/json"}, (201,)
    fields = {
        "category_id": str(random.choice(data["categories"])),
        "description": "楼下垃圾堆放三天未清运，影响通行",
        "lng": f"{WEST + random.uniform(0.0005, SIDE - 0.0005):.6f}",
        "lat": f"{SOUTH + random.uniform(0.0005, SIDE - 0.0005):.6f}",
        "address": "湖北路12号",
        "client_id": f"{tag}-{serial}",
    }
    headers = {"Authorization": f"Bearer {data['token']}"}
    if photo:
        body, content_type = _multipart(fields, photo)
    else:
        body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
    headers["Content-Type"] = content_type
    return "/api/v1/incidents/reports", body, headers, (201,)


def _client(job: dict[str, Any]) -> tuple[int, int, list[float]]:
    """One client process: `threads` connections, each sending requests back to back."""
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0}
    latencies: list[float] = []
    photo = b"\xff\xd8\xff\xe0" + bytes(random.getrandbits(8) for _ in range(job["photo"]))

    def loop(thread: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=60)
        mine: list[float] = []
        errors = 0
        serial = 0
        tag = f"{job['tag']}-{job['index']}-{thread}"
        while time.time() < job["stop_at"]:
            path, body, headers, expected = _request(
                job["kind"], job["data"], tag, serial, photo if job["photo"] else b""
            )
            serial += 1
            started = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status in expected
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
    processes: int,
    photo: int,
) -> Run:
    """Load one URL with `connections` connections for `seconds`, after a warm-up second."""
    result = Run(kind, connections, 0, 0, 0.0, [])
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
                "photo": photo,
            }
            for index in range(processes)
        ]
        results = list(pool.map(_client, jobs))
        if phase == "run":
            result = Run(
                kind,
                connections,
                sum(r[0] for r in results),
                sum(r[1] for r in results),
                time.time() - started,
                [lat for r in results for lat in r[2]],
            )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3, help="bare and API runs alternate")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--photo-kb", type=int, default=0, help="a JPEG of this size per report")
    options = parser.parse_args()

    url = setup_django("incident_report")
    from django.db import connection, connections

    from shequ.incidents.models_loop import Incident

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fresh_database()
    started = time.perf_counter()
    data = seed()
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    vendor = connection.vendor
    connections.close_all()

    port = free_port()
    server = start_server(port, options.workers, url)
    runs = {
        "bare_insert": Run("bare_insert", options.connections, 0, 0, 0.0, []),
        "report": Run("report", options.connections, 0, 0, 0.0, []),
    }
    try:
        with ProcessPoolExecutor(max_workers=options.clients) as pool:
            # Bare and API runs alternate, so that a change in the machine's load falls on
            # both alike; the rounds of each are added up.
            for _round in range(options.rounds):
                for kind, run in runs.items():
                    one = drive(
                        pool,
                        kind=kind,
                        port=port,
                        data=data,
                        connections=options.connections,
                        seconds=options.seconds,
                        processes=options.clients,
                        photo=options.photo_kb * 1024,
                    )
                    run.requests += one.requests
                    run.errors += one.errors
                    run.seconds += one.seconds
                    run.latencies += one.latencies
                    print(
                        f"{kind:12} round {_round + 1}: {one.rps:8.1f} req/s, {one.errors} errors"
                    )
    finally:
        server.terminate()
        server.wait(timeout=30)

    stored = Incident.objects.count()
    bare, report = runs["bare_insert"], runs["report"]
    ratio = report.rps / bare.rps if bare.rps else 0.0
    print_table(
        f"incident reports against the bare INSERT ({vendor}, {options.workers} sync workers, "
        f"{options.clients} client processes, {options.connections} connections, "
        f"{options.rounds} x {options.seconds:g} s each"
        + (f", a {options.photo_kb} KiB photo per report" if options.photo_kb else "")
        + ")",
        ("run", "requests", "errors", "req/s", "p50 ms", "p99 ms"),
        [
            (r.name, r.requests, r.errors, r.rps, r.percentile(0.5), r.percentile(0.99))
            for r in runs.values()
        ],
    )
    print(f"\nreports ÷ bare INSERT, requests/s: {ratio:.2f} (goal >= 0.5)")
    print(f"incidents stored: {stored:,}")
    path = write_result(
        "incident_report",
        {
            "database_url_scheme": url.split(":", 1)[0],
            "workers": options.workers,
            "clients": options.clients,
            "connections": options.connections,
            "seconds": options.seconds,
            "rounds": options.rounds,
            "photo_kb": options.photo_kb,
            "incidents_stored": stored,
            "runs": [
                {
                    "run": r.name,
                    "requests": r.requests,
                    "errors": r.errors,
                    "requests_per_second": round(r.rps, 1),
                    "p50_ms": round(r.percentile(0.5), 2),
                    "p99_ms": round(r.percentile(0.99), 2),
                }
                for r in runs.values()
            ],
            "report_rps_ratio": round(ratio, 3),
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
