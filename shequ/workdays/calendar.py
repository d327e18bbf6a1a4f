"""Working-day arithmetic on the Chinese calendar (行政许可法 art. 82).

A deadline of N working days starts the day after acceptance and ends at the end of the N-th
working day. Statutory holidays are off; make-up weekend days (调休) are working days. For a
year with no official schedule in the table the rule falls back to Monday-Friday and the answer
is marked provisional; nothing raises.

The table is read once per process and cached; `reload()` is called after every edit in this
process, and other processes pick edits up within CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.utils import timezone

CACHE_SECONDS = 60
MAX_DAYS = 3660  # a safety bound: no deadline runs ten years


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    years: frozenset[int]
    names: dict[dt.date, str]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years


@dataclass(frozen=True)
class WorkdayResult:
    """A date or a count, and whether an uncovered year made it provisional."""

    value: dt.date | int
    provisional: bool
    uncovered_years: tuple[int, ...] = ()


_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None


def load() -> Calendar:
    from shequ.workdays.models import CalendarYear, DayKind, SpecialDay

    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    for day, kind, name in SpecialDay.objects.values_list("date", "kind", "name"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
        if name:
            names[day] = name
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return Calendar(frozenset(holidays), frozenset(workdays), years, names)


def current() -> Calendar:
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached is None or now - _cached[0] > CACHE_SECONDS:
            _cached = (now, load())
        return _cached[1]


def reload() -> None:
    global _cached
    with _lock:
        _cached = None


def today() -> dt.date:
    return timezone.localdate()


def add_working_days(start: dt.date, days: int, calendar: Calendar | None = None) -> WorkdayResult:
    """The end date of a period of `days` working days that starts the day after `start`."""
    cal = calendar or current()
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    uncovered: set[int] = set()
    steps = 0
    while counted < days:
        day += dt.timedelta(days=1)
        steps += 1
        if steps > MAX_DAYS:
            raise ValueError("the period runs past the safety bound of ten years")
        if not cal.covers(day):
            uncovered.add(day.year)
        if cal.is_working_day(day):
            counted += 1
    return WorkdayResult(day, bool(uncovered), tuple(sorted(uncovered)))


def working_days_between(
    start: dt.date, end: dt.date, calendar: Calendar | None = None
) -> WorkdayResult:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    cal = calendar or current()
    if end <= start:
        return WorkdayResult(0, False)
    if (end - start).days > MAX_DAYS:
        raise ValueError("the period runs past the safety bound of ten years")
    count = 0
    uncovered: set[int] = set()
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if not cal.covers(day):
            uncovered.add(day.year)
        if cal.is_working_day(day):
            count += 1
    return WorkdayResult(count, bool(uncovered), tuple(sorted(uncovered)))


def next_year_missing(on: dt.date | None = None, calendar: Calendar | None = None) -> int | None:
    """Next year when its schedule is missing (the State Council publishes it each November)."""
    cal = calendar or current()
    year = (on or today()).year + 1
    return None if year in cal.years else year
