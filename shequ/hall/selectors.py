"""The hall's figures: workload, timeliness and ratings of applications, computed from the records.

Nothing here is a stored counter: every figure is an aggregate query over cases, their ratings
and their dates, for the part of the tree the leader oversees and one period (a month or a
year). The definitions, for a period:

- accepted: applications whose clock started in the period (refusals at the window are not
  acceptances);
- finished: accepted applications finished (approved or rejected) in the period; "on time"
  and "finished late" split them by the deadline;
- open past due: applications still running whose deadline passed in the period, up to today;
  "overdue" is open past due plus finished late;
- average handling time: working days from acceptance to finish, of those finished;
- ratings given in the period, by level; the satisfaction rate is the share of the three upper
  levels (非常满意, 满意, 基本满意) among them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.models import User
from shequ.cases.models import Case, Clock, RatingLevel
from shequ.regions.models import Region, Unit, scope_filter
from shequ.regions.permissions import role_paths
from shequ.regions.roles import Role
from shequ.workdays import calendar

APPLICATION = "application"
FIGURE_ROLES = frozenset({Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN})
# Highest level first, as the rating forms list them.
LEVELS = sorted(RatingLevel.values, reverse=True)
GOOD_LEVELS = frozenset(
    {RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.BASICALLY_SATISFIED}
)
BY_CHOICES: dict[str, str | Promise] = {
    "worker": gettext_lazy("Worker"),
    "unit": gettext_lazy("Unit"),
    "community": gettext_lazy("Community"),
}
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2}))?$")


def can_view_figures(user: Any) -> bool:
    """Leaders see the figures of the nodes they lead: community, street, district."""
    return bool(figure_paths(user))


def figure_paths(user: Any) -> list[str]:
    """The region paths where the user holds a leader role."""
    return sorted({path for role, path in role_paths(user) if role in FIGURE_ROLES})


@dataclass(frozen=True)
class Period:
    """A calendar month or year, in Asia/Shanghai."""

    key: str
    first: dt.date
    last: dt.date

    @property
    def is_year(self) -> bool:
        return len(self.key) == 4

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        following = self.last + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


def month_period(day: dt.date) -> Period:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(f"{day:%Y-%m}", first, following - dt.timedelta(days=1))


def parse_period(value: str) -> Period | None:
    """ "2026-11" is November 2026, "2026" the whole year; anything else is None."""
    match = _PERIOD.match(value.strip())
    if match is None:
        return None
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        return None
    if match["month"] is None:
        return Period(f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))
    month = int(match["month"])
    if not 1 <= month <= 12:
        return None
    return month_period(dt.date(year, month, 1))


@dataclass
class Row:
    """The figures of one worker, unit or community (or of everything: the total)."""

    key: int | None
    name: str
    accepted: int = 0
    finished: int = 0
    on_time: int = 0
    finished_late: int = 0
    open_overdue: int = 0
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    days_total: int = 0
    days_count: int = 0

    @property
    def overdue(self) -> int:
        return self.open_overdue + self.finished_late

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating_counts(self) -> list[int]:
        """Counts per level, 非常满意 first."""
        return [self.ratings[level] for level in LEVELS]

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.finished, 1) if self.finished else None

    @property
    def satisfaction(self) -> float | None:
        good = sum(n for level, n in self.ratings.items() if level in GOOD_LEVELS)
        return round(100 * good / self.rated, 1) if self.rated else None

    @property
    def average_days(self) -> float | None:
        return round(self.days_total / self.days_count, 1) if self.days_count else None

    def add(self, other: Row) -> None:
        for name in ("accepted", "finished", "on_time", "finished_late", "open_overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for level, n in other.ratings.items():
            self.ratings[level] += n
        self.days_total += other.days_total
        self.days_count += other.days_count


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]


@dataclass
class Report:
    period: Period
    by: str
    total: Row
    tables: list[Table]

    def chart_data(self) -> dict[str, Any]:
        """What figures.js draws: per table, the bars per row and the stacked ratings."""
        return {
            "labels": {
                "accepted": _("Accepted"),
                "finished": _("Finished"),
                "on_time": _("On time"),
                "overdue": _("Overdue"),
                "levels": [str(RatingLevel(level).label) for level in LEVELS],
            },
            "tables": [
                {
                    "names": [row.name for row in table.rows],
                    "accepted": [row.accepted for row in table.rows],
                    "finished": [row.finished for row in table.rows],
                    "on_time": [row.on_time for row in table.rows],
                    "overdue": [row.overdue for row in table.rows],
                    "ratings": [[row.ratings[level] for row in table.rows] for level in LEVELS],
                }
                for table in self.tables
            ],
        }


def _cases(user: Any) -> QuerySet[Case]:
    """Applications under the nodes the user leads (within the scope, by construction)."""
    return (
        Case.objects.of_type(APPLICATION)
        .visible_to(user)
        .filter(scope_filter(figure_paths(user), "region__path"))
    )


def _conditions(period: Period, today: dt.date) -> dict[str, Q]:
    accepted = Q(started_on__gte=period.first, started_on__lte=period.last)
    finished = Q(
        finished_at__gte=period.start, finished_at__lt=period.end, started_on__isnull=False
    )
    until = min(today, period.last + dt.timedelta(days=1))
    open_overdue = Q(clock=Clock.RUNNING, due_date__gte=period.first, due_date__lt=until)
    rated = Q(rating__at__gte=period.start, rating__at__lt=period.end)
    return {
        "accepted": accepted,
        "finished": finished,
        "on_time": finished & Q(finished_on_time=True),
        "finished_late": finished & Q(finished_on_time=False),
        "open_overdue": open_overdue,
        "rated": rated,
    }


def _annotations(conditions: dict[str, Q]) -> dict[str, Count]:
    counts = {
        name: Count("id", filter=condition)
        for name, condition in conditions.items()
        if name != "rated"
    }
    for level in LEVELS:
        counts[f"r{level}"] = Count("rating", filter=conditions["rated"] & Q(rating__level=level))
    return counts


def _row(key: int | None, name: str, values: dict[str, Any]) -> Row:
    return Row(
        key=key,
        name=name,
        accepted=values["accepted"],
        finished=values["finished"],
        on_time=values["on_time"],
        finished_late=values["finished_late"],
        open_overdue=values["open_overdue"],
        ratings={level: values[f"r{level}"] for level in LEVELS},
    )


def _handling_days(cases: QuerySet[Case], group: str | None, finished: Q) -> dict[Any, list[int]]:
    """(total working days, count) of the finished cases per group key.

    Cases are grouped by (start, finish day) in the query, so the working-day arithmetic runs
    once per distinct pair of days, not once per case.
    """
    fields = [group] if group else []
    pairs = (
        cases.filter(finished)
        .annotate(finished_on=TruncDate("finished_at", tzinfo=timezone.get_current_timezone()))
        .values(*fields, "started_on", "finished_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for pair in pairs:
        days = calendar.working_days_between(pair["started_on"], pair["finished_on"]).value
        assert isinstance(days, int)
        entry = result[pair[group] if group else None]
        entry[0] += days * pair["n"]
        entry[1] += pair["n"]
    return result


def _grouped(
    cases: QuerySet[Case], conditions: dict[str, Q], group: str
) -> list[tuple[int | None, dict[str, Any], list[int]]]:
    rows = cases.values(group).annotate(**_annotations(conditions)).order_by()
    days = _handling_days(cases, group, conditions["finished"])
    return [(row[group], row, days.get(row[group], [0, 0])) for row in rows]


def _with_days(row: Row, days: list[int]) -> Row:
    row.days_total, row.days_count = days
    return row


def _sorted(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.accepted, -r.finished, r.name))


def _user_table(
    key: str, title: str, cases: QuerySet[Case], conditions: dict[str, Q], group: str
) -> Table:
    grouped = _grouped(cases, conditions, group)
    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in=[k for k, _v, _d in grouped if k is not None])
    }
    rows = [
        _with_days(_row(k, names.get(k, "") if k is not None else _("Not taken yet"), v), d)
        for k, v, d in grouped
    ]
    return Table(key, title, _sorted(rows))


def _unit_table(cases: QuerySet[Case], conditions: dict[str, Q]) -> Table:
    grouped = _grouped(cases, conditions, "owner_unit")
    names = dict(
        Unit.objects.filter(pk__in=[k for k, _v, _d in grouped if k is not None]).values_list(
            "pk", "name"
        )
    )
    rows = [
        _with_days(_row(k, names.get(k, "") if k is not None else _("No unit"), v), d)
        for k, v, d in grouped
    ]
    return Table("unit", _("By owning unit"), _sorted(rows))


def _community_table(cases: QuerySet[Case], conditions: dict[str, Q]) -> Table:
    """Cases sit at the accepting hall's node; each is counted for the community above it
    (a street's own hall counts for the street)."""
    grouped = _grouped(cases, conditions, "region")
    paths = dict(
        Region.objects.filter(pk__in=[k for k, _v, _d in grouped]).values_list("pk", "path")
    )
    ancestor_ids = {int(part) for path in paths.values() for part in path.strip("/").split("/")}
    nodes = {
        pk: (name, level)
        for pk, name, level in Region.objects.filter(pk__in=ancestor_ids).values_list(
            "pk", "name", "level__key"
        )
    }
    merged: dict[int, Row] = {}
    for key, values, days in grouped:
        assert key is not None  # every case has a region
        ids = [int(part) for part in paths[key].strip("/").split("/")]
        home = next((pk for pk in ids if nodes[pk][1] == "community"), ids[-1])
        row = _with_days(_row(home, nodes[home][0], values), days)
        if home in merged:
            merged[home].add(row)
        else:
            merged[home] = row
    return Table("community", _("By community"), _sorted(list(merged.values())))


def hall_figures(user: Any, *, period: Period, by: str, today: dt.date | None = None) -> Report:
    """The figures of the applications under the user's leadership for one period."""
    today = today or calendar.today()
    conditions = _conditions(period, today)
    active = Q(pk__in=[])
    for name in ("accepted", "finished", "open_overdue", "rated"):
        active |= conditions[name]
    cases = _cases(user).filter(active)
    totals = cases.aggregate(**_annotations(conditions))
    total = _with_days(
        _row(None, _("Total"), totals),
        _handling_days(cases, None, conditions["finished"]).get(None, [0, 0]),
    )
    if by == "unit":
        tables = [_unit_table(cases, conditions)]
    elif by == "community":
        tables = [_community_table(cases, conditions)]
    else:
        tables = [
            _user_table(
                "front", _("Front office: window workers (first responders)"),
                cases, conditions, "first_responder",
            ),
            _user_table(
                "back", _("Back office: handlers"), cases, conditions, "handler"
            ),
        ]  # fmt: skip
    # Only rows with something to show in the period.
    for table in tables:
        table.rows = [
            row
            for row in table.rows
            if row.accepted or row.finished or row.open_overdue or row.rated
        ]
    return Report(period, by, total, tables)


def export_rows(report: Report) -> list[list[Any]]:
    """The rows of the Excel export: one line per table row, the total last."""
    rows: list[list[Any]] = []
    for table in report.tables:
        for row in table.rows:
            rows.append([table.title, *_export_cells(row)])
    rows.append([_("All"), *_export_cells(report.total)])
    return rows


def _export_cells(row: Row) -> list[Any]:
    return [
        row.name,
        row.accepted,
        row.finished,
        row.on_time,
        row.overdue,
        row.open_overdue,
        row.finished_late,
        row.average_days if row.average_days is not None else "",
        *row.rating_counts,
        row.rated,
        row.satisfaction if row.satisfaction is not None else "",
    ]


def export_headers() -> list[str]:
    return [
        _("Table"),
        _("Name"),
        _("Accepted"),
        _("Finished"),
        _("On time"),
        _("Overdue"),
        _("Open past due"),
        _("Finished late"),
        _("Average working days"),
        *[str(RatingLevel(level).label) for level in LEVELS],
        _("Ratings"),
        _("Satisfaction rate (%)"),
    ]
