"""Data of the incident indicators benchmark: the district's tree and its incidents.

`make_tree` builds the district (five streets of 2, 6, 12, 30 and 50 % of the incidents, each
of 8 communities of 10 grids) with its users; `timeline` draws one incident's steps; `load`
writes the incidents with their whole timeline straight into the real tables. The measuring
is in incident_indicators_bench.py, which describes the whole run.
"""

from __future__ import annotations

import datetime as dt
import heapq
import importlib
import random
import sys
import zoneinfo
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_common import analyze

SHARES = (0.02, 0.06, 0.12, 0.30, 0.50)
COMMUNITIES = 8
GRIDS = 10
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2024, 11, 1, tzinfo=LOCAL)
END = dt.datetime(2026, 11, 1, tzinfo=LOCAL)  # the moment of counting
BATCH = 5_000
LIMIT_HOURS = (2, 4, 8, 24, 72, 120)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
# The incident's columns of the steps the indicators read: column, action, first or last.
STEPS = (
    ("filed_at", "file", "first"),
    ("not_filed_at", "not_file", "last"),
    ("dispatched_at", "dispatch", "first"),
    ("handled_at", "feedback", "last"),
    ("check_failed_at", "check_fail", "last"),
    ("postponed_at", "approve_postpone", "last"),
    ("closed_at", "close", "last"),
)


def make_tree() -> tuple[Any, list[Any], list[list[Any]], Any]:
    """The district, its streets, each street's grids, and the district administrator."""
    from shequ.accounts.models import User
    from shequ.regions.models import Level, Region, RoleAssignment
    from shequ.regions.roles import Role

    levels = {level.key: level for level in Level.objects.all()}

    def region(code: str, name: str, key: str, parent: Any = None) -> Any:
        node = Region.objects.create(
            code=code,
            name=name,
            level=levels[key],
            parent=parent,
            path="",
            depth=(parent.depth + 1) if parent else 0,
        )
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        return node

    district = region("130105", "新华区", "district")
    streets, grids = [], []
    for s, share in enumerate(SHARES, start=1):
        street = region(f"130105{s:03d}", f"第{s}街道（{share:.0%}）", "street", district)
        streets.append(street)
        street_grids = []
        for c in range(1, COMMUNITIES + 1):
            community = region(f"{street.code}{c:03d}", f"社区{s}-{c}", "community", street)
            for g in range(1, GRIDS + 1):
                street_grids.append(
                    region(f"{community.code}{g:03d}", f"网格{s}-{c}-{g}", "grid", community)
                )
        grids.append(street_grids)
        manager = User.objects.create(username=f"street-{s}", name=f"街道{s}")
        RoleAssignment.objects.create(user=manager, role=Role.STREET_MANAGER, region=street)
    admin = User.objects.create(username="admin", name="区管理员")
    RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, region=district)
    return district, streets, grids, admin


class Rows:
    """One table's rows in its columns' order, from a template of defaults."""

    def __init__(self, model: Any, given: Sequence[str]) -> None:
        from django.db import connection

        from shequ.demo.bulk import insert_sql

        fields = [f for f in model._meta.concrete_fields]
        names = [f.attname for f in fields]
        missing = [n for n in given if n not in names]
        if missing:
            raise SystemExit(f"{model.__name__} has no columns {missing}")
        self.template: list[Any] = []
        for field in fields:
            self.template.append(field.get_db_prep_save(field.get_default(), connection))
        self.positions = [names.index(n) for n in given]
        self.sql = insert_sql(model, [f.name for f in fields])

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        out = list(self.template)
        for position, value in zip(self.positions, values, strict=True):
            out[position] = value
        return tuple(out)


def timeline(
    t: dt.datetime, rng: random.Random, limit: dt.timedelta
) -> tuple[list[tuple[str, str, str, dt.datetime]], dict[str, Any]]:
    """The steps of one incident reported at `t`, cut at the moment of counting, and the
    case's final fields (state, clock, deadline, finish)."""
    steps: list[tuple[str, str, str, dt.datetime]] = [("open", "", "reported", t)]
    steps.append(("verify", "reported", "verified", t + 10 * MINUTE))
    filed = t + 30 * MINUTE
    if rng.random() < 0.04:
        steps.append(("not_file", "verified", "not_filed", filed))
        return steps, {"due_at": None, "finished_at": filed, "on_time": None, "started": None}
    steps.append(("file", "verified", "filed", filed))
    due = filed + limit
    steps.append(("dispatch", "filed", "dispatched", t + 40 * MINUTE))
    take = t + 60 * MINUTE
    steps.append(("take", "dispatched", "handling", take))
    at = take
    if rng.random() < 0.05:
        steps.append(("request_postpone", "handling", "postpone_pending", take + HOUR))
        steps.append(("approve_postpone", "postpone_pending", "handling", take + 2 * HOUR))
        steps.append(("extend", "handling", "handling", take + 2 * HOUR))
        due += dt.timedelta(hours=24)
        at = take + 2 * HOUR
    # Most are handled well within the limit, some late.
    span = limit.total_seconds() * (rng.uniform(0.2, 0.8) if rng.random() < 0.8 else 1.4)
    at += dt.timedelta(seconds=span)
    steps.append(("feedback", "handling", "handled", at))
    if rng.random() < 0.08:
        at += HOUR
        steps.append(("check_fail", "handled", "handling", at))
        at += dt.timedelta(seconds=limit.total_seconds() * rng.uniform(0.1, 0.4))
        steps.append(("feedback", "handling", "handled", at))
    at += HOUR
    steps.append(("check_pass", "handled", "checked", at))
    at += 30 * MINUTE
    steps.append(("close", "checked", "closed", at))
    return steps, {"due_at": due, "finished_at": at, "on_time": at <= due, "started": filed}


class Editor:
    """What a migration's RunPython function uses of a schema editor, inside a transaction
    (SQLite's schema editor refuses to open in one)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


def moments(steps: Sequence[tuple[str, str, str, dt.datetime]]) -> list[dt.datetime | None]:
    """The incident's step columns (`STEPS`) from its timeline: the first or last moment of
    each step, None without one."""
    out: list[dt.datetime | None] = []
    for _column, action, which in STEPS:
        found = [at for name, _before, _after, at in steps if name == action]
        out.append((min(found) if which == "first" else max(found)) if found else None)
    return out


def checkpoint() -> None:
    """Move SQLite's write-ahead log into the database file: after a load of a million rows in
    one transaction, the log holds as much as the file, and every read would look there first
    (a deployment's log is checkpointed every thousand pages)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def load(total: int, seed: int, grids: list[list[Any]]) -> dict[str, int]:
    """Write `total` incidents with their timelines; returns the counts of rows written."""
    from django.db import connection, transaction

    from shequ.cases.models import Case, CaseEvent
    from shequ.demo.bulk import bulk_load, reset_sequences
    from shequ.incidents.models import IncidentCategory
    from shequ.incidents.models_loop import Incident

    rng = random.Random(seed)
    categories = list(
        IncidentCategory.objects.active().values_list("pk", "default_unit_id", "default_tier")
    )
    cases = Rows(
        Case,
        (
            "id", "type_key", "state", "tracking_code", "title", "region_id", "owner_unit_id",
            "requester_name", "address", "lat", "lng", "promised_days", "limit_kind", "clock",
            "started_on", "due_date", "due_at", "created_at", "finished_at", "finished_on_time",
            "updated_at",
        ),
    )  # fmt: skip
    incidents = Rows(
        Incident,
        (
            "case_id", "category_id", "description", "tier", "handling_region_id", "channel",
            "reported_at", "located", "region_id", *(column for column, _a, _w in STEPS),
            "owner_unit_id", "due_at", "finished_on_time",
        ),
    )  # fmt: skip
    events = Rows(
        CaseEvent, ("id", "case_id", "at", "actor_name", "action", "from_state", "to_state")
    )
    when = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    # Streets by share: each incident's street drawn by its weight, then one of its grids.
    weights = [share for share in SHARES]
    span = (END - START) / total
    counts = {"cases": 0, "events": 0}
    event_id = 0

    def rows() -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
        """Batches of cases, incidents and events. Events go out in the order of their time,
        as the timeline fills in production: the steps of one incident lie far apart in the
        table, among other incidents' steps. A heap holds the steps still to come."""
        nonlocal event_id
        batch_cases: list[Any] = []
        batch_incidents: list[Any] = []
        batch_events: list[Any] = []
        pending: list[tuple[dt.datetime, int, int, str, str, str]] = []
        sequence = 0

        def due_events(before: dt.datetime | None) -> None:
            nonlocal event_id
            while pending and (before is None or pending[0][0] < before):
                at, _seq, pk, action, state_before, state_after = heapq.heappop(pending)
                event_id += 1
                batch_events.append(
                    events.row((event_id, pk, when(at), "bench", action, state_before, state_after))
                )

        for pk in range(1, total + 1):
            street = rng.choices(range(len(SHARES)), weights)[0]
            grid = rng.choice(grids[street])
            category, unit, tier = rng.choice(categories)
            t = START + span * (pk - 1) + dt.timedelta(seconds=rng.uniform(0, 30))
            due_events(t)
            limit = dt.timedelta(hours=rng.choice(LIMIT_HOURS))
            steps, final = timeline(t, rng, limit)
            kept = [step for step in steps if step[3] < END]
            state = kept[-1][2]
            finished = final["finished_at"] if state in ("closed", "not_filed") else None
            due_at = final["due_at"] if len(kept) > 2 and kept[2][0] == "file" else None
            running = due_at is not None and finished is None
            clock = "running" if running else ("stopped" if finished else "idle")
            lat = 38.0 + (street * 0.05) + rng.uniform(0, 0.05)
            lng = 114.4 + rng.uniform(0, 0.2)
            owner = unit if state not in ("reported", "verified", "filed", "not_filed") else None
            on_time = final["on_time"] if finished and state == "closed" else None
            batch_cases.append(
                cases.row(
                    (
                        pk, "incident", state, f"I{pk:011d}", f"事件 {pk}", grid.pk, owner,
                        "网格员", "", lat, lng, int(limit.total_seconds() // 3600),
                        "urgent_hours", clock,
                        day(final["started"].astimezone(LOCAL).date()) if due_at else None,
                        day(due_at.astimezone(LOCAL).date()) if due_at else None,
                        when(due_at) if due_at else None, when(t),
                        when(finished) if finished else None, on_time, when(kept[-1][3]),
                    )
                )
            )  # fmt: skip
            steps_at = [when(at) if at else None for at in moments(kept)]
            batch_incidents.append(
                incidents.row(
                    (pk, category, "bench", tier, grid.pk, "grid", when(t), True, grid.pk,
                     *steps_at, owner, when(due_at) if due_at else None, on_time)
                )
            )  # fmt: skip
            for action, before, after, at in kept:
                sequence += 1
                heapq.heappush(pending, (at, sequence, pk, action, before, after))
            if len(batch_cases) == BATCH:
                yield batch_cases, batch_incidents, batch_events
                batch_cases, batch_incidents, batch_events = [], [], []
        due_events(None)
        yield batch_cases, batch_incidents, batch_events

    # The rows carry their step moments and their case's copies: the triggers that keep them
    # (migrations 0005 and 0007) are set aside for the load and created again, by the
    # migrations' own functions, in the same transaction.
    steps = importlib.import_module("shequ.incidents.migrations.0005_incident_steps")
    copies = importlib.import_module("shequ.incidents.migrations.0007_incident_case_copies")
    editor = Editor(connection)
    with transaction.atomic(), bulk_load(connection), connection.cursor() as cursor:
        steps.drop_triggers(None, editor)
        copies.drop_triggers(None, editor)
        for batch_cases, batch_incidents, batch_events in rows():
            for sql, batch in (
                (cases.sql, batch_cases),
                (incidents.sql, batch_incidents),
                (events.sql, batch_events),
            ):
                if batch:
                    cursor.executemany(sql, batch)
            counts["cases"] += len(batch_cases)
            counts["events"] += len(batch_events)
            if counts["cases"] % 100_000 == 0:
                print(f"  {counts['cases']:,} incidents, {counts['events']:,} events", flush=True)
        steps.create_triggers(None, editor)
        copies.create_triggers(None, editor)
    reset_sequences([Case, CaseEvent])
    analyze()
    checkpoint()
    return counts
