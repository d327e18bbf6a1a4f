"""Time limits of every kind a case type counts in, on the working-day calendar.

Service items count working days (行政许可法 art. 82); incident subclasses count urgent hours
(around the clock), working hours (the office hours of working days), working days or calendar
days. A case stores its limit as an amount and a kind; the engine turns it into a deadline:
`due_at`, the moment it ends, and `due_date`, the local day it falls on (the index the
deadline scan and the work queues read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.workdays import calendar


class LimitKind(models.TextChoices):
    URGENT_HOURS = "urgent_hours", _("Urgent hours")  # 紧急时: around the clock
    WORKING_HOURS = "working_hours", _("Working hours")  # 工作时: office hours of working days
    WORKING_DAYS = "working_days", _("Working days")  # 工作日
    NATURAL_DAYS = "natural_days", _("Calendar days")  # 自然日


HOUR_KINDS = frozenset({LimitKind.URGENT_HOURS, LimitKind.WORKING_HOURS})


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    kind: str = LimitKind.WORKING_DAYS


@dataclass(frozen=True)
class Deadline:
    due_at: dt.datetime
    due_date: dt.date
    provisional: bool


@lru_cache(maxsize=8)
def _periods(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """Office hours from "08:30-12:00,13:30-17:30" (settings.WORKING_HOURS)."""
    periods = []
    for part in spec.split(","):
        start, end = (dt.time.fromisoformat(t.strip()) for t in part.split("-"))
        if end <= start:
            raise ValueError(f"WORKING_HOURS: {part!r} ends before it starts")
        periods.append((start, end))
    return tuple(sorted(periods))


def office_hours() -> tuple[tuple[dt.time, dt.time], ...]:
    return _periods(getattr(settings, "WORKING_HOURS", "08:30-12:00,13:30-17:30"))


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (a deadline "on day D" ends at midnight after D)."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _working_slots(start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime, bool]]:
    """The office-hour intervals from `start` on, in order, with whether the day was covered."""
    cal = calendar.current()
    tz = timezone.get_current_timezone()
    day = start.date()
    for _step in range(calendar.MAX_DAYS):
        if cal.is_working_day(day):
            for begin, end in office_hours():
                lo = max(dt.datetime.combine(day, begin, tzinfo=tz), start)
                hi = dt.datetime.combine(day, end, tzinfo=tz)
                if lo < hi:
                    yield lo, hi, cal.covers(day)
        day += dt.timedelta(days=1)
    raise ValueError("the period runs past the safety bound of ten years")


def add_working_hours(start: dt.datetime, hours: float) -> tuple[dt.datetime, bool]:
    """The moment `hours` office hours after `start`, and whether it is provisional."""
    remaining = dt.timedelta(hours=hours)
    provisional = False
    at = _local(start)
    if remaining <= dt.timedelta():
        return at, False
    for lo, hi, covered in _working_slots(at):
        provisional = provisional or not covered
        if hi - lo >= remaining:
            return lo + remaining, provisional
        remaining -= hi - lo
    raise AssertionError("unreachable")  # pragma: no cover


def working_hours_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Office time between two moments (zero when end <= start)."""
    total = dt.timedelta()
    end = _local(end)
    if end <= start:
        return total
    for lo, hi, _covered in _working_slots(_local(start)):
        if lo >= end:
            break
        total += min(hi, end) - lo
    return total


def deadline(limit: TimeLimit, start: dt.datetime) -> Deadline:
    """When a limit that starts at `start` ends."""
    start = _local(start)
    if limit.kind == LimitKind.URGENT_HOURS:
        due_at = start + dt.timedelta(hours=limit.amount)
        return Deadline(due_at, _local(due_at).date(), False)
    if limit.kind == LimitKind.WORKING_HOURS:
        due_at, provisional = add_working_hours(start, limit.amount)
        return Deadline(due_at, due_at.date(), provisional)
    if limit.kind == LimitKind.NATURAL_DAYS:
        day = start.date() + dt.timedelta(days=limit.amount)
        return Deadline(_end_of(day), day, False)
    result = calendar.add_working_days(start.date(), limit.amount)
    assert isinstance(result.value, dt.date)
    return Deadline(_end_of(result.value), result.value, result.provisional)


def extended(kind: str, due_at: dt.datetime, amount: int) -> Deadline:
    """The deadline moved on by `amount` units of its own kind (an approved extension)."""
    if kind in HOUR_KINDS:
        return deadline(TimeLimit(amount, kind), due_at)
    last_day = _local(due_at - dt.timedelta(microseconds=1)).date()
    start = dt.datetime.combine(last_day, dt.time(), tzinfo=timezone.get_current_timezone())
    return deadline(TimeLimit(amount, kind), start)


def paused_amount(kind: str, since: dt.datetime, until: dt.datetime) -> dt.timedelta | int:
    """How much of the limit a pause took: office time, wall time, or whole days."""
    if kind == LimitKind.URGENT_HOURS:
        return max(until - since, dt.timedelta())
    if kind == LimitKind.WORKING_HOURS:
        return working_hours_between(since, until)
    if kind == LimitKind.NATURAL_DAYS:
        return max((_local(until).date() - _local(since).date()).days, 0)
    value = calendar.working_days_between(_local(since).date(), _local(until).date()).value
    assert isinstance(value, int)
    return value


def after_pause(kind: str, due_at: dt.datetime, since: dt.datetime, until: dt.datetime) -> Deadline:
    """The deadline once a pause from `since` to `until` is added back."""
    taken = paused_amount(kind, since, until)
    if isinstance(taken, dt.timedelta):
        if kind == LimitKind.URGENT_HOURS:
            moved = due_at + taken
            return Deadline(moved, _local(moved).date(), False)
        moved, provisional = add_working_hours(due_at, taken.total_seconds() / 3600)
        return Deadline(moved, moved.date(), provisional)
    return extended(kind, due_at, taken)
