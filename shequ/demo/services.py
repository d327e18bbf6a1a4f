"""Loading the demo district into an empty database, in one transaction, with one audit event."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.utils import timezone

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.cases.models import Notification
from shequ.core import sms
from shequ.demo.bulk import BatchHook, BulkInserter, bulk_load, next_id, reset_sequences
from shequ.demo.care import demo_care_seed
from shequ.demo.cases import demo_cases_seed
from shequ.demo.generator import (
    BUILDING_FIELDS,
    DWELLING_FIELDS,
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    PERSONS_PER_SCALE,
    Node,
    PeopleMaker,
    grid_targets,
    plan_tree,
)
from shequ.demo.hall import demo_hall_seed
from shequ.demo.hotline import demo_hotline_seed, demo_opinions_seed
from shequ.demo.incidents import demo_incidents_seed
from shequ.demo.logins import demo_resident_create, demo_staff_create
from shequ.demo.places import polygon
from shequ.incidents.category_seed import incident_categories_seed
from shequ.people.models import Building, Dwelling, Household, Person
from shequ.regions.models import Level, Region
from shequ.regions.services import child_path

DEFAULT_SEED = 2026


class DemoError(Exception):
    """The demo cannot be loaded here; the message says why."""


@dataclass
class SeedReport:
    """What `demo_seed` made and how long it took.

    `db_seconds` is the time spent inside the INSERTs of the register, `commit_seconds` the
    final commit (where PostgreSQL checks the deferred foreign keys).
    """

    seed: int
    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    db_seconds: float = 0.0
    commit_seconds: float = 0.0
    logins_created: list[str] = field(default_factory=list)
    logins_skipped: list[str] = field(default_factory=list)


def _regions_create(nodes: list[Node]) -> dict[int, Region]:
    """Insert the planned tree with its keys; paths follow `child_path` from the keys."""
    levels = {level.key: level for level in Level.objects.all()}
    missing = {node.level for node in nodes} - set(levels)
    if missing:
        raise DemoError(f"the region levels {', '.join(sorted(missing))} are missing")
    regions: dict[int, Region] = {}
    for node in nodes:
        parent = regions[node.parent_id] if node.parent_id is not None else None
        regions[node.id] = Region(
            pk=node.id,
            code=node.code,
            name=node.name,
            level=levels[node.level],
            parent=parent,
            path=child_path(parent, node.id),
            depth=parent.depth + 1 if parent else 0,
            boundary=polygon(node.box),
            community_type=node.community_type if node.level == "community" else "",
        )
    Region.objects.bulk_create(regions.values(), batch_size=500)
    return regions


def _streets_of_grids(nodes: list[Node]) -> dict[int, Node]:
    by_id = {node.id: node for node in nodes}
    return {
        node.id: by_id[by_id[node.parent_id].parent_id or 0]
        for node in nodes
        if node.level == "grid" and node.parent_id is not None
    }


# Applications the demo runs through the hall (fewer below scale 1, none added above it).
DEMO_CASES_PER_SCALE = 240
DEMO_INCIDENTS_PER_SCALE = 120
# Hotline calls the demo takes (fewer below scale 1, none added above it).
DEMO_HOTLINE_PER_SCALE = 80


def demo_seed(
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    persons: int | None = None,
    on_batch: BatchHook | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Build the demo district in an empty database: the tree, the register, the logins.

    About PERSONS_PER_SCALE persons per unit of `scale` (or exactly `persons` when given,
    at least one household per grid). Everything lands in one transaction or not at all;
    one audit event records the counts. Raises DemoError when a region tree exists.
    """
    if Region.objects.exists():
        raise DemoError("the database already holds a region tree: use an empty database")
    target = persons if persons is not None else round(PERSONS_PER_SCALE * scale)
    if target < 1:
        raise DemoError("the scale gives no persons: use a larger --scale")
    started = time.perf_counter()
    report = SeedReport(seed=seed, scale=scale)
    rng = random.Random(seed)
    connection = connections["default"]
    # The demo's history texts nobody: the requesters' messages are held until its commit.
    with sms.held(), transaction.atomic():
        nodes = plan_tree(rng, first_id=next_id(Region))
        regions = _regions_create(nodes)
        ids = {
            "building": next_id(Building),
            "dwelling": next_id(Dwelling),
            "household": next_id(Household),
            "person": next_id(Person),
        }
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        maker = PeopleMaker(rng, ids=ids, stamp=stamp)
        writers = [
            BulkInserter(Building, BUILDING_FIELDS, on_batch=on_batch),
            BulkInserter(Dwelling, DWELLING_FIELDS, on_batch=on_batch),
            BulkInserter(Household, HOUSEHOLD_FIELDS, on_batch=on_batch),
            BulkInserter(Person, PERSON_FIELDS, on_batch=on_batch),
        ]
        grids = [node for node in nodes if node.level == "grid"]
        street_of = _streets_of_grids(nodes)
        work = list(zip(grids, grid_targets(grids, target), strict=True))
        with bulk_load(connection):
            for index, (grid, count) in enumerate(work):
                rows = maker.grid_rows(grid, count)
                writers[0].add(rows.buildings)
                writers[1].add(rows.dwellings)
                writers[2].add(rows.households)
                writers[3].add(rows.persons)
                street = street_of[grid.id]
                last = index + 1 == len(grids) or street_of[grids[index + 1].id] != street
                if progress is not None and last:
                    made = writers[3].count + len(writers[3].pending)
                    progress(f"{street.name} done: {made:,} persons so far")
            for writer in writers:
                writer.flush()
        reset_sequences([Region, Building, Dwelling, Household, Person])
        report.logins_created, report.logins_skipped = demo_staff_create()
        resident = demo_resident_create(maker.resident_name)
        district = regions[nodes[0].id]
        hall = demo_hall_seed(district=district, logins_created=report.logins_created)
        hall["incident_categories"] = incident_categories_seed(district=district)["created"]
        # The departments' demo handlers, now that the departments exist.
        report.logins_created += demo_staff_create()[0]
        hall["cases"] = demo_cases_seed(
            seed=seed, count=round(DEMO_CASES_PER_SCALE * min(target / PERSONS_PER_SCALE, 1))
        )
        hall.update(demo_care_seed(seed=seed, stamp=stamp))
        hall.update(
            demo_incidents_seed(
                seed=seed,
                count=round(DEMO_INCIDENTS_PER_SCALE * min(target / PERSONS_PER_SCALE, 1)),
            )
        )
        hall.update(
            demo_hotline_seed(
                district=district,
                seed=seed,
                count=round(DEMO_HOTLINE_PER_SCALE * min(target / PERSONS_PER_SCALE, 1)),
            )
        )
        hall["opinions"] = demo_opinions_seed(seed=seed)
        # The inbox messages of the history's steps are read: the logins open on what is
        # new (the deadline scan's warnings), not on hundreds of past steps.
        Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())
        report.counts = {
            "regions": len(regions),
            "streets": sum(1 for node in nodes if node.level == "street"),
            "communities": sum(1 for node in nodes if node.level == "community"),
            "grids": len(grids),
            "buildings": writers[0].count,
            "dwellings": writers[1].count,
            "households": writers[2].count,
            "persons": writers[3].count,
            "staff": len(report.logins_created),
            "residents": 1 if resident else 0,
            **hall,
        }
        audit_record(
            actor=None,
            action=Action.IMPORT,
            obj=Target(
                "demo.seed", str(seed), f"{district.name} demo, scale {scale:g}", district.path
            ),
            changes={"seed": seed, "scale": scale, **report.counts},
        )
        committing = time.perf_counter()
    report.commit_seconds = time.perf_counter() - committing
    report.db_seconds = sum(writer.seconds for writer in writers)
    report.seconds = time.perf_counter() - started
    return report
