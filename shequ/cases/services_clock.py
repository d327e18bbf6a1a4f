"""The engine's deadline clock: start, pause, resume and stop it, and route a case.

`apply_clock` moves a case's clock by a transition's effect; `apply_route` moves the case to
another node or unit, restarting the clock with a fresh limit (`Route`). Nothing here
writes: the services of `cases.services` save what changed and record it on the timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shequ.cases import deadlines
from shequ.cases.deadlines import TimeLimit
from shequ.cases.models import Alert, Case, Clock
from shequ.cases.registry import ClockEffect
from shequ.regions.models import Region, Unit


@dataclass(frozen=True)
class Route:
    """Where a transition sends the case besides its new state (dispatch, escalation).

    `region` and `owner_unit` move it (`clear_owner` takes the unit off); `clear_handler`
    leaves it for whoever takes it next; `limit` restarts the clock with a fresh time limit.
    """

    region: Region | None = None
    owner_unit: Unit | None = None
    clear_owner: bool = False
    clear_handler: bool = False
    limit: TimeLimit | None = None


def clock_start(case: Case, now: dt.datetime, limit: TimeLimit | None = None) -> None:
    """Start (or restart, with a new `limit`) the case's deadline clock at `now`."""
    if limit is not None:
        case.promised_days = limit.amount
        case.limit_kind = limit.kind
    end = deadlines.deadline(TimeLimit(case.promised_days, case.limit_kind), now)
    case.clock = Clock.RUNNING
    case.started_on = timezone.localdate(now)
    case.due_at = end.due_at
    case.due_date = end.due_date
    case.due_provisional = end.provisional
    case.paused_on = case.paused_at = None
    case.alert = Alert.NONE


def apply_clock(case: Case, effect: ClockEffect, now: dt.datetime) -> dict[str, Any]:
    """Move the clock; returns what changed, for the timeline."""
    today = timezone.localdate(now)
    if effect == ClockEffect.START and case.clock == Clock.IDLE:
        clock_start(case, now)
        return _due_changes(case)
    if effect == ClockEffect.PAUSE and case.clock == Clock.RUNNING:
        case.clock = Clock.PAUSED
        case.paused_on = today
        case.paused_at = now
        return {"paused_on": str(today)}
    if effect == ClockEffect.RESUME and case.clock == Clock.PAUSED:
        assert case.paused_on is not None and case.due_date is not None
        since = case.paused_at or midnight(case.paused_on)
        due_at = case.due_at or midnight(case.due_date + dt.timedelta(days=1))
        taken = deadlines.paused_amount(case.limit_kind, since, now)
        end = deadlines.after_pause(case.limit_kind, due_at, since, now)
        case.due_at, case.due_date = end.due_at, end.due_date
        case.due_provisional = case.due_provisional or end.provisional
        case.clock = Clock.RUNNING
        case.paused_on = case.paused_at = None
        case.alert = Alert.NONE
        paused = {"paused_working_days": taken} if isinstance(taken, int) else {}
        return {**paused, **_due_changes(case)}
    if effect == ClockEffect.STOP and case.clock != Clock.STOPPED:
        on_time = _on_time(case, now)
        case.clock = Clock.STOPPED
        case.finished_at = now
        case.finished_on_time = on_time
        return {"on_time": on_time}
    return {}


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def _on_time(case: Case, now: dt.datetime) -> bool:
    if case.due_at is not None:
        return now <= case.due_at
    return case.due_date is None or timezone.localdate(now) <= case.due_date


def _due_changes(case: Case) -> dict[str, Any]:
    """The timeline's record of a new deadline: the day, and the moment for hour limits."""
    changes: dict[str, Any] = {"due_date": str(case.due_date)}
    if case.limit_kind in deadlines.HOUR_KINDS and case.due_at is not None:
        changes["due_at"] = timezone.localtime(case.due_at).isoformat(timespec="minutes")
    return changes


def apply_route(case: Case, route: Route, now: dt.datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if route.region is not None and route.region.pk != case.region_id:
        changes["region"] = route.region.name
        case.region = route.region
    if route.owner_unit is not None or route.clear_owner:
        unit = route.owner_unit
        changes["owner_unit"] = unit.name if unit is not None else ""
        case.owner_unit = unit
    if route.clear_handler:
        case.handler = None
    if route.limit is not None and case.clock != Clock.STOPPED:
        clock_start(case, now, route.limit)
        changes.update(_due_changes(case))
    return changes


def extension_words(case: Case, days: int, before: Any, due_at: dt.datetime) -> dict[str, Any]:
    """The timeline's record of an extension: days, or hours with the moments."""
    if case.limit_kind in deadlines.HOUR_KINDS and case.due_at is not None:
        old = timezone.localtime(due_at).isoformat(timespec="minutes")
        new = timezone.localtime(case.due_at).isoformat(timespec="minutes")
        return {"days": days, "from": old, "to": new, "kind": case.limit_kind}
    return {"days": days, "from": str(before), "to": str(case.due_date)}
