"""A handful of incidents taken through the real loop at known moments, for the indicators
and the map: the figures the tests expect are counted by hand from the story below.

All in March 2026 unless said (Shanghai time; garbage 0102 has 4 working hours and the
sanitation unit, the street vendor 0501 2 working hours; office hours 08:30-12:00, 13:30-17:30):

- A  grid, garbage: filed Mon 10:00 (due 15:30), to the unit, handled 11:00, closed 11:30.
- B  grid, garbage: filed Mon 10:00, to the unit, handled 11:00, check failed 11:30, handled
     again 16:00 (late), closed 16:10 (late).
- C  grid, vendor: filed Mon 10:00 (due 12:00), to the grid, postponement of 2 working hours
     approved 11:30 (due 15:30), handled 15:00, closed 15:10 (on time against the new deadline).
- D  grid, garbage: filed Mon 10:00, to the unit, never handled: past due on Tuesday.
- E  grid, garbage: reported Mon 10:00, not filed.
- F  grid, garbage: reported and filed Tue 09:00 (due Tue 14:30): not due at Tue 10:00.
- G  sibling grid, vendor: reported by its grid worker Mon 10:00, filed, to the grid, handled
     10:30, closed 10:45.
- H  grid, garbage: reported Fri 27 February (outside March).
- I  the other community's grid, garbage: reported by the street manager Mon 10:00, filed,
     never handled: past due on Tuesday.

Counted at Tuesday 3 March 10:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from freezegun import freeze_time

from shequ.cases.services import case_transition
from shequ.incidents.models import Tier
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import (
    incident_dispatch,
    incident_feedback,
    incident_postpone_approve,
)
from shequ.incidents.tests.loop import department_staff, fresh, report
from shequ.incidents.tests.table import Table
from shequ.regions.locate import invalidate
from shequ.regions.models import Region
from shequ.regions.tests.factories import World

# Where each was seen: A-D, F and H in the grid (116.0-116.1 / 39.0-39.1), G in the sibling grid
# east of it, I in the other community's grid further east.
POINTS: dict[str, dict[str, Any]] = {
    "a": {"lng": 116.01, "lat": 39.01},
    "b": {"lng": 116.02, "lat": 39.02},
    "c": {"lng": 116.03, "lat": 39.03},
    "d": {"lng": 116.04, "lat": 39.04},
    "e": {"lng": None, "lat": None},  # reported without a location
    "f": {"lng": 116.06, "lat": 39.06},
    "h": {"lng": 116.07, "lat": 39.07},
    "g": {"lng": 116.15, "lat": 39.05},
    "i": {"lng": 116.25, "lat": 39.05},
}
# Moments in UTC (Shanghai is UTC+8).
MON = "2026-03-02"
NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Shanghai


def at(day: str, hhmm: str) -> str:
    """A Shanghai wall-clock moment as the UTC string freeze_time takes."""
    local = dt.datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")
    return local.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Story:
    a: Incident
    b: Incident
    c: Incident
    d: Incident
    e: Incident
    f: Incident
    g: Incident
    h: Incident
    i: Incident
    far_grid: Region


def _step(incident: Incident, name: str, actor: object, note: str = "") -> None:
    case_transition(case=fresh(incident), name=name, actor=actor, note=note)


def build(world: World, table: Table) -> Story:
    worker = world.users["gridworker"]
    director = world.users["director"]
    sanitation = department_staff(table)
    far_grid = Region.objects.get(code="130105001002001")
    # No boundaries are drawn: every report lands in the grid it names, at its own point.
    invalidate()
    with freeze_time(at("2026-02-27", "10:00")):
        h = report(world, table, client_id="h", **POINTS["h"])
    with freeze_time(at(MON, "10:00")):
        a, b, d, e = (report(world, table, client_id=k, **POINTS[k]) for k in "abde")
        c = report(world, table, category=table.vendor, client_id="c", **POINTS["c"])
        g = report(
            world,
            table,
            actor=world.users["stranger"],
            grid=world.sibling,
            category=table.vendor,
            client_id="g",
            **POINTS["g"],
        )
        i = report(
            world, table, actor=world.users["street"], grid=far_grid, client_id="i", **POINTS["i"]
        )
        # The street manager's report is not verified on the spot: he is not its grid worker.
        _step(i, "verify", world.users["street"])
        for incident in (a, b, d):
            _step(incident, "file", director)
            incident_dispatch(
                case=fresh(incident), actor=director, tier=Tier.DISTRICT, unit=table.unit
            )
        for incident in (a, b):
            _step(incident, "take", sanitation)
        for incident in (c, g):
            _step(incident, "file", director)
            incident_dispatch(case=fresh(incident), actor=director, tier=Tier.GRID)
        _step(c, "take", worker)
        _step(g, "take", world.users["stranger"])
        _step(e, "not_file", director, "不属于城市管理问题")
        _step(i, "file", world.users["street"])
        incident_dispatch(case=fresh(i), actor=world.users["street"], tier=Tier.STREET)
    with freeze_time(at(MON, "10:30")):
        incident_feedback(case=fresh(g), actor=world.users["stranger"], note="已劝离")
        _step(g, "check_pass", world.users["stranger"])
    with freeze_time(at(MON, "10:45")):
        _step(g, "close", director)
    with freeze_time(at(MON, "11:00")):
        for incident in (a, b):
            incident_feedback(case=fresh(incident), actor=sanitation, note="已清运")
        _step(a, "check_pass", worker)
    with freeze_time(at(MON, "11:30")):
        _step(a, "close", director)
        _step(b, "check_fail", worker, "仍有残留")
        _step(c, "request_postpone", worker, "需协调城管")
        incident_postpone_approve(case=fresh(c), actor=director, amount=2)
    with freeze_time(at(MON, "15:00")):
        incident_feedback(case=fresh(c), actor=worker, note="已规范")
        _step(c, "check_pass", worker)
    with freeze_time(at(MON, "15:10")):
        _step(c, "close", director)
    with freeze_time(at(MON, "16:00")):
        incident_feedback(case=fresh(b), actor=sanitation, note="已彻底清理")
        _step(b, "check_pass", worker)
    with freeze_time(at(MON, "16:10")):
        _step(b, "close", director)
    with freeze_time(at("2026-03-03", "09:00")):
        f = report(world, table, client_id="f", **POINTS["f"])
        _step(f, "file", director)
    return Story(a, b, c, d, e, f, g, h, i, far_grid)
