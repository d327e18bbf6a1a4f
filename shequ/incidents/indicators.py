"""Indicators of the incident loop, computed from the timeline, never stored as counters.

The definitions are in docs/incidents.md ("Indicators"). In short: the incidents reported in
the period at the node (its whole subtree, within the user's scope) make the period's cohort,
and every figure describes that cohort as its timeline stands at the moment of counting.
"Due to close" (应结案) are the filed incidents of the cohort that are closed or whose deadline
has passed; close and handling rates divide by them; the rework rate divides the incidents
sent back by a failed check by those handled.

One statement reads the cohort: the incidents off the index (region, reported_at), one seek
per node of the subtree, each with the moments of its steps on its own row (the first filing
and dispatch, the last handling, failed check, postponement, closing: copied from the
timeline by the database, migration 0005) and joined to its case row by key, classified and
summed per node, unit and tier in the database; Python adds those few groups up per child
node or handling unit. The timeline is not read. The cost follows the incidents the node
reported in the period, not the district's total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.incidents.models import Tier
from shequ.incidents.models_loop import Incident
from shequ.incidents.periods import Period
from shequ.lib.tabular import write_xlsx
from shequ.regions.models import Region, Unit
from shequ.regions.permissions import LEADER_ROLES, can_export, has_role
from shequ.regions.roles import Role

# Who reads the indicators: the leaders of a node and the supervisors (read-only).
INDICATOR_ROLES = LEADER_ROLES | {Role.SUPERVISOR}
BY_CHOICES = ("region", "unit")


def can_view_indicators(user: Any) -> bool:
    return has_role(user, INDICATOR_ROLES)


def exclude_postponed_default() -> bool:
    """Whether postponed incidents leave the on-time close rate (settings, docs/configuration.md)."""
    return bool(settings.INCIDENT_EXCLUDE_POSTPONED)


# --- Figures ------------------------------------------------------------------------------


# The counts the grouped query returns for each group, in its column order.
COUNTS = (
    "reported", "filed", "not_filed", "due", "closed", "closed_on_time", "postponed",
    "postponed_closed_on_time", "handled", "handled_on_time", "reworked", "timed",
)  # fmt: skip


@dataclass
class CohortGroup:
    """The incidents of the cohort that share a node, a unit, a tier and whether they were
    dispatched: their counts (`COUNTS`) and the seconds of handling of the timed ones."""

    region_id: int
    owner_unit_id: int | None
    tier: str
    dispatched: bool
    counts: dict[str, int]
    handling_seconds: float


def _rate(part: int, whole: int) -> float | None:
    """A percentage with two decimals, as the bulletins print them; None without a base."""
    return round(100 * part / whole, 2) if whole else None


@dataclass
class IndicatorRow:
    """The indicators of one group (a child node, a handling unit) or of the whole node."""

    key: str
    name: str
    region_id: int | None = None
    exclude_postponed: bool = False
    reported: int = 0
    filed: int = 0
    not_filed: int = 0
    due: int = 0  # 应结案数: filed, and closed or past the deadline
    closed: int = 0
    closed_on_time: int = 0
    postponed: int = 0  # of the due incidents, those with an approved postponement
    postponed_closed_on_time: int = 0
    handled: int = 0  # of the due incidents, reported as handled at least once
    handled_on_time: int = 0
    reworked: int = 0  # of the due incidents, sent back by a failed check at least once
    handling_seconds: float = 0.0
    timed: int = 0  # handled incidents whose handling time is known (dispatched and handled)

    def add_group(self, group: CohortGroup) -> None:
        for name, value in group.counts.items():
            setattr(self, name, getattr(self, name) + value)
        self.handling_seconds += group.handling_seconds

    def add(self, other: IndicatorRow) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.handling_seconds += other.handling_seconds

    @property
    def filing_rate(self) -> float | None:
        return _rate(self.filed, self.reported)

    @property
    def close_rate(self) -> float | None:
        return _rate(self.closed, self.due)

    @property
    def on_time_base(self) -> int:
        """The denominator of the on-time close rate: postponed incidents out when so set."""
        return self.due - self.postponed if self.exclude_postponed else self.due

    @property
    def on_time_closed(self) -> int:
        """The numerator of the on-time close rate, matching `on_time_base`."""
        if self.exclude_postponed:
            return self.closed_on_time - self.postponed_closed_on_time
        return self.closed_on_time

    @property
    def on_time_close_rate(self) -> float | None:
        return _rate(self.on_time_closed, self.on_time_base)

    @property
    def handling_rate(self) -> float | None:
        return _rate(self.handled, self.due)

    @property
    def on_time_handling_rate(self) -> float | None:
        return _rate(self.handled_on_time, self.due)

    @property
    def rework_rate(self) -> float | None:
        return _rate(self.reworked, self.handled)

    @property
    def overdue_open(self) -> int:
        """Due and not closed: open past the deadline."""
        return self.due - self.closed

    @property
    def average_handling_hours(self) -> float | None:
        return round(self.handling_seconds / self.timed / 3600, 1) if self.timed else None


@dataclass
class Indicators:
    node: Region
    period: Period
    by: str
    exclude_postponed: bool
    now: dt.datetime
    rows: list[IndicatorRow]
    total: IndicatorRow
    groups: list[CohortGroup] = field(repr=False, default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (json_script): names, counts and rates per group."""
        rows = self.rows
        return {
            "names": [row.name for row in rows],
            "counts": {
                "labels": [
                    _("Reported"), _("Filed"), _("Due to close"), _("Closed"),
                    _("Closed on time"), _("Handled"), _("Reworked"),
                ],
                "series": [
                    [r.reported for r in rows], [r.filed for r in rows], [r.due for r in rows],
                    [r.closed for r in rows], [r.on_time_closed for r in rows],
                    [r.handled for r in rows], [r.reworked for r in rows],
                ],
            },
            "rates": {
                "labels": [
                    _("Filing rate"), _("Close rate"), _("On-time close rate"),
                    _("Handling rate"), _("On-time handling rate"), _("Rework rate"),
                ],
                "series": [
                    [r.filing_rate for r in rows], [r.close_rate for r in rows],
                    [r.on_time_close_rate for r in rows], [r.handling_rate for r in rows],
                    [r.on_time_handling_rate for r in rows], [r.rework_rate for r in rows],
                ],
            },
        }  # fmt: skip


def subtree(user: Any, node: Region) -> list[tuple[int, str]]:
    """(id, path) of the nodes of `node`'s subtree that the user reaches (scoping)."""
    return list(
        Region.objects.visible_to(user)
        .filter(path__startswith=node.path)
        .values_list("pk", "path")
        .order_by()
    )


def _per_incident(ids: list[int], period: Period) -> tuple[str, list[Any]]:
    """SQL of one row per incident of the cohort with the moments of its steps.

    The incidents off the index (region, reported_at), and nothing else: the moments are the
    incident row's own columns, which the database keeps from the timeline (the first filing
    and dispatch, the last of the other steps: migration 0005), and so are the case's owning
    unit, deadline and on-time verdict (migration 0007). Neither the timeline nor the case rows
    are read: the time follows the number of the cohort's incidents, each read off the rows the
    index points to (the case rows by key cost a random read each: 530 ms on PostgreSQL for
    the quarter of a street with 62,000 incidents among a million).
    """
    incident = connection.ops.quote_name(Incident._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT i.region_id, i.tier, i.owner_unit_id, i.due_at, i.finished_on_time,
            i.filed_at, i.not_filed_at, i.dispatched_at, i.handled_at, i.check_failed_at,
            i.postponed_at, i.closed_at
        FROM {incident} i
        WHERE i.region_id IN ({marks}) AND i.reported_at >= %s AND i.reported_at < %s
    """
    adapt = connection.ops.adapt_datetimefield_value
    return sql, [*ids, adapt(period.start), adapt(period.end)]


def _seconds(later: str, earlier: str) -> str:
    """SQL of the seconds between two moments."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"(julianday({later}) - julianday({earlier})) * 86400.0"


def cohort(region_ids: Iterable[int], period: Period, now: dt.datetime) -> list[CohortGroup]:
    """The cohort's counts per node, unit, tier and dispatch, counted at `now`.

    One statement: the per-incident rows of `_per_incident`, each classified (filed, due,
    closed on time, handled on time ...) and summed per group in the database, so that only
    a few hundred rows come back whatever the number of incidents.
    """
    ids = list(region_ids)
    if not ids:
        return []
    inner, params = _per_incident(ids, period)
    feedback, fail, dispatch = "m.handled_at", "m.check_failed_at", "m.dispatched_at"
    handled = f"m.due = 1 AND {feedback} IS NOT NULL"
    closed = "m.due = 1 AND m.closed_at IS NOT NULL"
    timed = f"{handled} AND {dispatch} IS NOT NULL"
    sql = f"""
        SELECT m.region_id, m.owner_unit_id, m.tier, m.dispatched,
            COUNT(*), SUM(m.filed), SUM(m.not_filed), SUM(m.due),
            SUM(CASE WHEN {closed} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {closed} AND m.finished_on_time THEN 1 ELSE 0 END),
            SUM(CASE WHEN m.due = 1 AND m.postponed_at IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN {closed} AND m.finished_on_time AND m.postponed_at IS NOT NULL
                THEN 1 ELSE 0 END),
            SUM(CASE WHEN {handled} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {handled} AND {feedback} <= m.due_at
                AND ({fail} IS NULL OR {fail} < {feedback}) THEN 1 ELSE 0 END),
            SUM(CASE WHEN m.due = 1 AND {fail} IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN {timed} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {timed} THEN {_seconds(feedback, dispatch)} ELSE 0 END)
        FROM (
            SELECT f.region_id, f.owner_unit_id, f.tier,
                CASE WHEN f.dispatched_at IS NULL THEN 0 ELSE 1 END AS dispatched,
                CASE WHEN f.filed_at IS NULL THEN 0 ELSE 1 END AS filed,
                CASE WHEN f.not_filed_at IS NULL THEN 0 ELSE 1 END AS not_filed,
                CASE WHEN f.filed_at IS NOT NULL
                    AND (f.closed_at IS NOT NULL OR f.due_at < %s) THEN 1 ELSE 0 END AS due,
                f.due_at, f.finished_on_time, f.closed_at, f.postponed_at, f.dispatched_at,
                f.handled_at, f.check_failed_at
            FROM ({inner}) f
        ) m
        GROUP BY m.region_id, m.owner_unit_id, m.tier, m.dispatched
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *params])
        found = cursor.fetchall()
    return [
        CohortGroup(
            region_id=row[0],
            owner_unit_id=row[1],
            tier=row[2],
            dispatched=bool(row[3]),
            counts={name: int(value or 0) for name, value in zip(COUNTS, row[4:16], strict=True)},
            handling_seconds=float(row[16] or 0),
        )
        for row in found
    ]


def _child_of(node: Region, nodes: list[tuple[int, str]]) -> dict[int, int]:
    """Each node of the subtree -> the child of `node` it lies under (or `node` itself)."""
    depth = len(node.path.strip("/").split("/"))
    owner = {}
    for pk, path in nodes:
        parts = path.strip("/").split("/")
        owner[pk] = int(parts[depth]) if len(parts) > depth else node.pk
    return owner


def _tier_name(tier: str) -> str:
    names = {
        Tier.GRID: _("The grid itself"),
        Tier.COMMUNITY: _("The community itself"),
        Tier.STREET: _("The street itself"),
        Tier.DISTRICT: _("The district itself"),
    }
    return str(names.get(Tier(tier), tier)) if tier in Tier.values else tier


def incident_indicators(
    user: Any,
    node: Region,
    *,
    period: Period,
    by: str = "region",
    exclude_postponed: bool | None = None,
    now: dt.datetime | None = None,
) -> Indicators:
    """The indicators of `node` (fetched within the user's scope) for the period.

    `by` is "region" (a row per child node, and one for the node itself when incidents sit on
    it directly) or "unit" (a row per handling unit; incidents a tier handles itself, without
    a unit, get a row per tier). The subtree is read through the scoping queryset, so a node
    outside the scope yields nothing.
    """
    now = now or timezone.now()
    if exclude_postponed is None:
        exclude_postponed = exclude_postponed_default()
    if by not in BY_CHOICES:
        raise ValidationError({"by": [_("Break down by region or by unit")]})
    nodes = subtree(user, node)
    groups = cohort([pk for pk, _path in nodes], period, now)
    rows: dict[str, IndicatorRow] = {}

    def row(key: str, name: str, region_id: int | None = None) -> IndicatorRow:
        if key not in rows:
            rows[key] = IndicatorRow(key, name, region_id, exclude_postponed)
        return rows[key]

    if by == "region":
        owner = _child_of(node, nodes)
        children = dict(
            Region.objects.filter(parent=node, pk__in=set(owner.values()))
            .order_by("code")
            .values_list("pk", "name")
        )
        for pk, name in children.items():
            row(str(pk), name, pk)  # every child has its row, in code order, zero or not
        for group in groups:
            child = owner.get(group.region_id, node.pk)
            if child in children:
                target = row(str(child), children[child], child)
            else:
                target = row(str(node.pk), _("%(name)s itself") % {"name": node.name}, node.pk)
            target.add_group(group)
        if not rows:
            row(str(node.pk), node.name, node.pk)  # a node without children is its own row
    else:
        unit_ids = {g.owner_unit_id for g in groups if g.owner_unit_id is not None}
        names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        for group in groups:
            if group.owner_unit_id is not None:
                key, name = f"unit:{group.owner_unit_id}", names.get(group.owner_unit_id, "")
            elif group.dispatched:
                key, name = f"tier:{group.tier}", _tier_name(group.tier)
            else:
                key, name = "none", _("Not dispatched yet")
            row(key, name).add_group(group)
    ordered = list(rows.values())
    if by == "unit":
        # Units first, then the tiers that handle matters themselves, then the undispatched.
        ordered.sort(key=lambda r: (r.key.split(":")[0] != "unit", r.key == "none", r.name))
    total = IndicatorRow("total", _("Total"), node.pk, exclude_postponed)
    for part in ordered:
        total.add(part)
    return Indicators(node, period, by, exclude_postponed, now, ordered, total, groups)


# --- Export -------------------------------------------------------------------------------


def export_headers() -> list[str]:
    return [
        pgettext("thing", "Name"),
        _("Reported"),
        _("Filed"),
        _("Not filed"),
        _("Filing rate (%)"),
        _("Due to close"),
        _("Closed"),
        _("Close rate (%)"),
        _("Closed on time"),
        _("On-time close rate (%)"),
        _("Postponed"),
        _("Handled"),
        _("Handling rate (%)"),
        _("Handled on time"),
        _("On-time handling rate (%)"),
        _("Reworked"),
        _("Rework rate (%)"),
        _("Open past the deadline"),
        _("Average handling time (hours)"),
    ]


def _cell(value: float | None) -> Any:
    return "" if value is None else value


def export_rows(report: Indicators) -> list[list[Any]]:
    return [
        [
            row.name, row.reported, row.filed, row.not_filed, _cell(row.filing_rate), row.due,
            row.closed, _cell(row.close_rate), row.on_time_closed,
            _cell(row.on_time_close_rate), row.postponed, row.handled,
            _cell(row.handling_rate), row.handled_on_time, _cell(row.on_time_handling_rate),
            row.reworked, _cell(row.rework_rate), row.overdue_open,
            _cell(row.average_handling_hours),
        ]
        for row in [*report.rows, report.total]
    ]  # fmt: skip


def indicators_workbook(
    *,
    actor: Any,
    node: Region,
    period: Period,
    by: str = "region",
    exclude_postponed: bool | None = None,
    request: HttpRequest | None = None,
) -> tuple[Indicators, bytes]:
    """The indicators as an xlsx workbook, for leaders only; every export is audited."""
    if not can_export(actor, node):
        raise PermissionDenied(_("Exports are for community, street and district leaders"))
    report = incident_indicators(
        actor, node, period=period, by=by, exclude_postponed=exclude_postponed
    )
    rows = export_rows(report)
    content = write_xlsx(rows, export_headers(), title=f"{node.code} {period.key}"[:31])
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=Target(
            "incidents.indicators",
            str(node.pk),
            _("Incident indicators of %(name)s, %(period)s")
            % {"name": node.name, "period": period.label},
            region_path=node.path,
        ),
        changes={
            "region": node.code,
            "period": period.key,
            "by": report.by,
            "exclude_postponed": report.exclude_postponed,
            "rows": len(rows),
        },
        request=request,
    )
    return report, content
