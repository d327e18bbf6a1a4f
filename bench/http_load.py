"""Load against the project under gunicorn, shared by the benchmarks that drive it over HTTP.

`prepare` migrates and seeds a fresh benchmark database; `seed_district` makes the bare
views' table and a district down to one grid, which the benchmarks' seeds start from. `serve`
starts gunicorn (sync workers) on a free port of 127.0.0.1 with DEBUG=false and the bench
settings (the project's settings, the bare views of bench/bare_views.py under /bench/, the
lookup limit lifted), and stops it afterwards. `alternate` and `drive` load the server from
client processes, each with threads holding an HTTP connection and sending requests back to
back, every run after a warm-up second; a `Run` adds up requests, errors and latencies
(requests/s, p50, p99).

What a request is belongs to the benchmark: a module-level function (so that the client
processes can find it) that makes the path, the body, the headers and the expected statuses
of one request of a kind.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from common import ROOT, fresh_database, rate, setup_django

START_SECONDS = 180

# (kind, the seeded data, a tag unique to the connection, the request's serial number)
#   -> (path, body, headers, expected statuses)
RequestMaker = Callable[
    [str, dict[str, Any], str, int], tuple[str, bytes, dict[str, str], tuple[int, ...]]
]


def prepare(name: str, seed: Callable[[], dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """Start Django on the benchmark database `name`, wipe and migrate it, and seed it.

    Returns the database URL and what `seed` returned; closes the connections, so that the
    server's workers and the client processes start without one.
    """
    url = setup_django(name)
    from django.db import connection, connections

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fresh_database()
    started = time.perf_counter()
    data = seed()
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    connections.close_all()
    return url, data


@dataclass
class District:
    """What `seed_district` made: the admin and the region chain down to one grid."""

    admin: Any
    district: Any
    street: Any
    community: Any
    grid: Any


def seed_district() -> District:
    """The bare views' table, and through the services a district admin and one chain of
    regions: 新华区, 古楼街道, 湖北社区, 湖北一网格."""
    from django.db import connection

    from bench.bare_views import TABLE_SQL
    from shequ.accounts.models import User
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
    grid = region_create(
        actor=admin,
        code="130105001001001",
        name="湖北一网格",
        level=level["grid"],
        parent=community,
    )
    return District(admin, district, street, community, grid)


# The floors of a write: one INSERT through a bare view, and the same INSERT through
# django-ninja behind the project's token (bench/bare_views.py).
FLOOR_PATHS = {"bare_insert": "/bench/insert", "ninja_insert": "/bench/api/insert"}


def floor_request(
    kind: str, token: str, tag: str, serial: int
) -> tuple[str, bytes, dict[str, str], tuple[int, ...]]:
    """(path, body, headers, expected statuses) of one request to a floor view."""
    headers = {"Content-Type": "application/json"}
    if kind == "ninja_insert":
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"code": f"{tag}-{serial}", "note": "x"}).encode()
    return FLOOR_PATHS[kind], body, headers, (201,)


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


@contextmanager
def serve(workers: int, database_url: str) -> Iterator[int]:
    """`with serve(workers, url) as port:` gunicorn on that port, stopped when the block ends."""
    port = free_port()
    server = start_server(port, workers, database_url)
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


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

    def add(self, other: Run) -> None:
        """Add another run of the same kind (a round) to this one."""
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies += other.latencies

    def row(self) -> tuple[int, int, float, float, float]:
        """The run's figures as the tables print them: requests, errors, req/s, p50 and p99 ms."""
        return self.requests, self.errors, self.rps, self.percentile(0.5), self.percentile(0.99)

    def figures(self) -> dict[str, Any]:
        """The run's figures as the JSON results hold them."""
        return {
            "requests": self.requests,
            "errors": self.errors,
            "requests_per_second": round(self.rps, 1),
            "p50_ms": round(self.percentile(0.5), 2),
            "p99_ms": round(self.percentile(0.99), 2),
        }


def _client(job: dict[str, Any]) -> tuple[int, int, list[float]]:
    """One client process: `threads` connections, each sending requests back to back."""
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0}
    latencies: list[float] = []
    stop_at = job["stop_at"]
    make: RequestMaker = job["request"]

    def loop(thread: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", job["port"], timeout=60)
        mine: list[float] = []
        errors = 0
        serial = 0
        tag = f"{job['tag']}-{job['index']}-{thread}"
        while time.time() < stop_at and serial < job["max_requests"]:
            path, body, headers, expected = make(job["kind"], job["data"], tag, serial)
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
    request: RequestMaker,
    kind: str,
    port: int,
    data: dict[str, Any],
    connections: int,
    seconds: float,
    processes: int,
    max_requests: int | None = None,
) -> Run:
    """Load one kind of request with `connections` connections for `seconds` (after a warm-up
    second), from `processes` client processes; with `max_requests`, stop at about that many."""
    per_thread = sys.maxsize if max_requests is None else max_requests // connections + 1
    runs = []
    for phase, length in (("warm", 1.0), ("run", seconds)):
        tag = f"{kind}-{connections}-{phase}-{time.time_ns()}"
        started = time.time()
        jobs = [
            {
                "request": request,
                "kind": kind,
                "port": port,
                "data": data,
                "tag": tag,
                "index": index,
                "threads": connections // processes + (index < connections % processes),
                "stop_at": started + length,
                "max_requests": per_thread,
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


def alternate(
    pool: ProcessPoolExecutor,
    runs: Sequence[Run],
    *,
    rounds: int,
    request: RequestMaker,
    port: int,
    data: dict[str, Any],
    seconds: float,
    processes: int,
    max_requests: int | None = None,
    each: Callable[[int, Run], None] | None = None,
) -> None:
    """Drive each of `runs` (its kind, its connections) in turn, `rounds` times, adding every
    round into its run; `each(round, one)` is called after each round of each run.

    The runs alternate (a bare view, then the API) so that a change in the machine's load (it
    may be shared) falls on all of them alike.
    """
    for number in range(1, rounds + 1):
        for run in runs:
            one = drive(
                pool,
                request=request,
                kind=run.name,
                port=port,
                data=data,
                connections=run.connections,
                seconds=seconds,
                processes=processes,
                max_requests=max_requests,
            )
            run.add(one)
            if each is not None:
                each(number, one)
