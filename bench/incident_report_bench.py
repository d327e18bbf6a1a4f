"""How fast the API takes incident reports under load, against a bare Django insert view.

    python bench/incident_report_bench.py [--workers 4] [--seconds 5] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_incident_report_bench \\
        python bench/incident_report_bench.py

1. Migrates a fresh benchmark database (var/bench/incident_report.sqlite3, or $DATABASE_URL
   when it names a PostgreSQL database whose name contains "bench") and seeds, through the
   services, a district with a street, a community and a grid whose boundary is drawn, the
   starting category table and a grid worker of that grid with an API token.
2. Starts gunicorn (sync workers) through bench/http_load.py, as bench/api_bench.py does: the
   project's settings with DEBUG=false and the bare views of bench/bare_views.py under /bench/.
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
import random
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import print_table, write_result
from http_load import FLOOR_PATHS, Run, alternate, floor_request, prepare, seed_district, serve

# The grid: a square of about 1 km a side in the demo district.
WEST, SOUTH, SIDE = 114.48, 38.03, 0.01


def seed() -> dict[str, Any]:
    """A district with one drawn grid, the category table and a grid worker's token."""
    from shequ.accounts.models import User
    from shequ.accounts.services import api_token_create
    from shequ.incidents.category_seed import incident_categories_seed
    from shequ.incidents.models import IncidentCategory
    from shequ.regions.models import RoleAssignment
    from shequ.regions.roles import Role

    tree = seed_district()
    admin, district, grid = tree.admin, tree.district, tree.grid
    square = [
        [WEST, SOUTH],
        [WEST + SIDE, SOUTH],
        [WEST + SIDE, SOUTH + SIDE],
        [WEST, SOUTH + SIDE],
        [WEST, SOUTH],
    ]
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
    kind: str, data: dict[str, Any], tag: str, serial: int
) -> tuple[str, bytes, dict[str, str], tuple[int, ...]]:
    """(path, body, headers, expected statuses) of one request; `data["photo"]`, when not
    empty, is sent with each report."""
    if kind in FLOOR_PATHS:
        return floor_request(kind, data["token"], tag, serial)
    fields = {
        "category_id": str(random.choice(data["categories"])),
        "description": "楼下垃圾堆放三天未清运，影响通行",
        "lng": f"{WEST + random.uniform(0.0005, SIDE - 0.0005):.6f}",
        "lat": f"{SOUTH + random.uniform(0.0005, SIDE - 0.0005):.6f}",
        "address": "湖北路12号",
        "client_id": f"{tag}-{serial}",
    }
    headers = {"Authorization": f"Bearer {data['token']}"}
    if data["photo"]:
        body, content_type = _multipart(fields, data["photo"])
    else:
        body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
    headers["Content-Type"] = content_type
    return "/api/v1/incidents/reports", body, headers, (201,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=3, help="bare and API runs alternate")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2, help="load generator processes")
    parser.add_argument("--photo-kb", type=int, default=0, help="a JPEG of this size per report")
    options = parser.parse_args()

    url, data = prepare("incident_report", seed)
    from django.db import connection

    from shequ.incidents.models_loop import Incident

    vendor = connection.vendor
    # One JPEG-like photo of the size asked for, sent with every report.
    size = options.photo_kb * 1024
    data["photo"] = b"\xff\xd8\xff\xe0" + random.randbytes(size) if size else b""

    runs = {
        kind: Run(kind, options.connections, 0, 0, 0.0, [])
        for kind in ("bare_insert", "ninja_insert", "report")
    }

    def each(number: int, one: Run) -> None:
        print(f"{one.name:12} round {number}: {one.rps:8.1f} req/s, {one.errors} errors")

    with serve(options.workers, url) as port, ProcessPoolExecutor(options.clients) as pool:
        alternate(
            pool,
            list(runs.values()),
            rounds=options.rounds,
            request=_request,
            port=port,
            data=data,
            seconds=options.seconds,
            processes=options.clients,
            each=each,
        )

    stored = Incident.objects.count()
    bare, report = runs["bare_insert"], runs["report"]
    ratio = report.rps / bare.rps if bare.rps else 0.0
    floor = runs["ninja_insert"].rps / bare.rps if bare.rps else 0.0
    print_table(
        f"incident reports against the bare INSERT ({vendor}, {options.workers} sync workers, "
        f"{options.clients} client processes, {options.connections} connections, "
        f"{options.rounds} x {options.seconds:g} s each"
        + (f", a {options.photo_kb} KiB photo per report" if options.photo_kb else "")
        + ")",
        ("run", "requests", "errors", "req/s", "p50 ms", "p99 ms"),
        [(r.name, *r.row()) for r in runs.values()],
    )
    print(f"\nreports ÷ bare INSERT, requests/s: {ratio:.2f} (goal >= 0.5)")
    print(
        "django-ninja + token INSERT ÷ bare INSERT, requests/s: "
        f"{floor:.2f} (the framework's floor, no goal)"
    )
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
            "runs": [{"run": r.name, **r.figures()} for r in runs.values()],
            "report_rps_ratio": round(ratio, 3),
            "ninja_insert_rps_ratio": round(floor, 3),
        },
    )
    print(f"result: {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
