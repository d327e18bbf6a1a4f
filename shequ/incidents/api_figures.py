"""The incident indicators and the map's points through the API: the same as the pages.

Mounted under /api/v1/incidents beside the incidents' own router. A node outside the caller's
scope answers 404; the indicators are for leaders and supervisors (403 otherwise), the map for
the staff who work on incidents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shequ.incidents.indicators import IndicatorRow, can_view_indicators, incident_indicators
from shequ.incidents.map_points import map_points, parse_filters
from shequ.incidents.periods import current_period, parse_period
from shequ.regions.scoping import get_region_for_user, home_region

router = Router(tags=["incidents"])


class IncidentIndicatorRowOut(Schema):
    key: str = Field(..., description="region id, unit:<id>, tier:<tier>, none or total")
    name: str
    region_id: int | None
    reported: int
    filed: int
    not_filed: int
    filing_rate: float | None
    due_to_close: int
    closed: int
    close_rate: float | None
    closed_on_time: int = Field(..., description="Matching the on-time close rate's base")
    on_time_base: int
    on_time_close_rate: float | None
    postponed: int
    handled: int
    handling_rate: float | None
    handled_on_time: int
    on_time_handling_rate: float | None
    reworked: int
    rework_rate: float | None
    open_past_deadline: int
    average_handling_hours: float | None


class IncidentIndicatorsOut(Schema):
    region_id: int
    period: str
    period_first: dt.date
    period_last: dt.date
    by: str
    exclude_postponed: bool
    counted_at: dt.datetime
    rows: list[IncidentIndicatorRowOut]
    total: IncidentIndicatorRowOut


class IncidentIndicatorsQuery(Schema):
    region_id: int | None = Field(None, description="A node in scope; default the caller's own")
    period: str = Field(
        "", description="2026-03, 2026-Q1, 2026 or 2026-03-01..2026-03-15; default this month"
    )
    by: str = Field("region", description="region (child nodes) or unit (handling units)")
    exclude_postponed: bool | None = Field(
        None, description="Leave postponed incidents out of the on-time close rate"
    )


class IncidentMapQuery(Schema):
    region_id: int | None = None
    period: str = Field("", description="As for the indicators; default the last 30 days")
    category: str = Field("", description="A category (subclass) id")
    state: str = Field("", description="A state of the loop, open or finished")
    tier: str = ""


class IncidentMapPointOut(Schema):
    id: int
    lat: float
    lng: float
    state: str
    state_label: str
    open: bool
    code: str
    category: str
    address: str
    tier: str
    reported_at: str
    url: str


class IncidentMapCellOut(Schema):
    lat: float = Field(..., description="South-west corner of the square")
    lng: float
    count: int
    center: list[float] = Field(..., description="Mean latitude and longitude of its incidents")


class IncidentMapDensityOut(Schema):
    size: float = Field(..., description="Side of a square in degrees")
    cells: list[IncidentMapCellOut]
    max: int


class IncidentMapOut(Schema):
    region_id: int
    period: str
    count: int
    placed: int
    unplaced: int
    aggregated: bool = Field(..., description="True: too many points, only the squares")
    max_points: int
    points: list[IncidentMapPointOut]
    density: IncidentMapDensityOut


def _row(row: IndicatorRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "region_id": row.region_id,
        "reported": row.reported,
        "filed": row.filed,
        "not_filed": row.not_filed,
        "filing_rate": row.filing_rate,
        "due_to_close": row.due,
        "closed": row.closed,
        "close_rate": row.close_rate,
        "closed_on_time": row.on_time_closed,
        "on_time_base": row.on_time_base,
        "on_time_close_rate": row.on_time_close_rate,
        "postponed": row.postponed,
        "handled": row.handled,
        "handling_rate": row.handling_rate,
        "handled_on_time": row.handled_on_time,
        "on_time_handling_rate": row.on_time_handling_rate,
        "reworked": row.reworked,
        "rework_rate": row.rework_rate,
        "open_past_deadline": row.overdue_open,
        "average_handling_hours": row.average_handling_hours,
    }


def _node(request: HttpRequest, region_id: int | None) -> Any:
    if region_id is None:
        return home_region(request.user)
    return get_region_for_user(request.user, region_id)


@router.get(
    "/indicators",
    response=IncidentIndicatorsOut,
    summary="Incident indicators of a node per child node or handling unit (from the timeline)",
)
def indicators(request: HttpRequest, query: Query[IncidentIndicatorsQuery]) -> Any:
    """Definitions: docs/incidents.md, "Indicators". Rates are percentages, None without base."""
    if not can_view_indicators(request.user):
        raise PermissionDenied(_("The indicators are for community, street and district leaders"))
    node = _node(request, query.region_id)
    period = parse_period(query.period) if query.period.strip() else current_period()
    report = incident_indicators(
        request.user,
        node,
        period=period,
        by=query.by,
        exclude_postponed=query.exclude_postponed,
    )
    return {
        "region_id": node.pk,
        "period": period.key,
        "period_first": period.first,
        "period_last": period.last,
        "by": report.by,
        "exclude_postponed": report.exclude_postponed,
        "counted_at": report.now,
        "rows": [_row(row) for row in report.rows],
        "total": _row(report.total),
    }


@router.get(
    "/map/points",
    response=IncidentMapOut,
    summary="The incident map's points, or counted squares when there are too many",
)
def map_points_api(request: HttpRequest, query: Query[IncidentMapQuery]) -> Any:
    node = _node(request, query.region_id)
    filters = parse_filters(
        {
            "period": query.period,
            "category": query.category,
            "state": query.state,
            "tier": query.tier,
        }
    )
    return map_points(request.user, node, filters)
