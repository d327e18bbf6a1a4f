"""The incident map's data: the points of a node's incidents, or cells when there are too many.

Every answer is bounded. The incidents come off the index (region, reported_at) for the
period, like the indicators; a first grouped query counts them and finds their extent, then
either the points themselves are read (at most `MAX_POINTS`) or only the cells of a grid laid
over the extent, counted in the database (the markers are then drawn per cell). The density
layer is always those cells: `DENSITY_CELLS` across the wider side of the node's boundary (of
the points when the node has none), so the squares stay put as the filters change.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, F, Max, Min, QuerySet
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.registry import get_type
from shequ.incidents.casetype import KEY, OPEN_STATES
from shequ.incidents.indicators import subtree
from shequ.incidents.models import IncidentCategory, Tier
from shequ.incidents.models_loop import Incident
from shequ.incidents.periods import Period, custom_period, parse_period
from shequ.regions.models import Region
from shequ.regions.permissions import has_role
from shequ.regions.roles import Role

MAX_POINTS = 2000
DENSITY_CELLS = 16
# Who opens the map: those who report, dispatch, handle or oversee incidents.
MAP_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.BUILDING_CHIEF,
        Role.COMMUNITY_LEADER,
        Role.STREET_MANAGER,
        Role.DISTRICT_ADMIN,
        Role.BACK_OFFICE,
        Role.SUPERVISOR,
    }
)
# States a filter may ask for besides the type's own: all open ones, all finished ones.
OPEN_FILTER = "open"
FINISHED_FILTER = "finished"
# Open states past the handler's report, still open until closed.
_STILL_OPEN = (*OPEN_STATES, "handled", "checked")


def can_view_map(user: Any) -> bool:
    return has_role(user, MAP_ROLES)


def default_period(today: dt.date | None = None) -> Period:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return custom_period(today - dt.timedelta(days=29), today)


@dataclass(frozen=True)
class MapFilters:
    period: Period
    category: IncidentCategory | None = None
    state: str = ""
    tier: str = ""

    def query(self) -> dict[str, str]:
        """The filters as query-string values (for the points URL and the form)."""
        return {
            "period": self.period.key,
            "category": str(self.category.pk) if self.category else "",
            "state": self.state,
            "tier": self.tier,
        }


def state_choices() -> list[tuple[str, str]]:
    kind = get_type(KEY)
    return [
        (OPEN_FILTER, _("All open")),
        (FINISHED_FILTER, _("All finished")),
        *[(key, str(label)) for key, label in kind.states.items()],
    ]


def parse_filters(params: Any, today: dt.date | None = None) -> MapFilters:
    """Filters from a query string; a value that is not understood raises ValidationError."""
    raw_period = str(params.get("period", "") or "").strip()
    period = parse_period(raw_period) if raw_period else default_period(today)
    category = None
    raw_category = str(params.get("category", "") or "").strip()
    if raw_category:
        category = (
            IncidentCategory.objects.select_related("incident_class")
            .filter(pk=int(raw_category))
            .first()
            if raw_category.isdigit()
            else None
        )
        if category is None:
            raise ValidationError({"category": [_("No such category")]})
    state = str(params.get("state", "") or "").strip()
    if state and state not in dict(state_choices()):
        raise ValidationError({"state": [_("No such state")]})
    tier = str(params.get("tier", "") or "").strip()
    if tier and tier not in Tier.values:
        raise ValidationError({"tier": [_("No such tier")]})
    return MapFilters(period, category, state, tier)


def incidents_at(user: Any, node: Region, filters: MapFilters) -> QuerySet[Incident]:
    """The incidents of the node's subtree (within the user's scope) that pass the filters."""
    ids = [pk for pk, _path in subtree(user, node)]
    found = Incident.objects.filter(
        region_id__in=ids,
        reported_at__gte=filters.period.start,
        reported_at__lt=filters.period.end,
    )
    if filters.category is not None:
        found = found.filter(category=filters.category)
    if filters.tier:
        found = found.filter(tier=filters.tier)
    if filters.state == OPEN_FILTER:
        found = found.filter(case__state__in=_STILL_OPEN)
    elif filters.state == FINISHED_FILTER:
        found = found.exclude(case__state__in=_STILL_OPEN)
    elif filters.state:
        found = found.filter(case__state=filters.state)
    return found


def _corners(geometry: Any) -> list[tuple[float, float]]:
    """Every (lng, lat) of a GeoJSON Polygon or MultiPolygon, at any depth of nesting."""
    if isinstance(geometry, dict):
        return _corners(geometry.get("coordinates", []))
    if isinstance(geometry, list | tuple):
        if len(geometry) >= 2 and all(isinstance(v, int | float) for v in geometry[:2]):
            return [(float(geometry[0]), float(geometry[1]))]
        return [corner for part in geometry for corner in _corners(part)]
    return []


def _span(node: Region, extent: dict[str, Any]) -> float:
    """The wider side, in degrees, of the node's boundary, or of the points without one."""
    corners = _corners(node.boundary) if node.boundary else []
    if corners:
        lngs, lats = [c[0] for c in corners], [c[1] for c in corners]
        return max(max(lngs) - min(lngs), max(lats) - min(lats))
    return max(
        (extent["max_lat"] or 0) - (extent["min_lat"] or 0),
        (extent["max_lng"] or 0) - (extent["min_lng"] or 0),
    )


def _cell_size(span: float) -> float:
    """Degrees per density cell: the span in about `DENSITY_CELLS` cells."""
    if span <= 0:
        return 0.001
    # A round size (1, 2 or 5 times a power of ten) so that cells stay put as filters change.
    raw = span / DENSITY_CELLS
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def map_points(user: Any, node: Region, filters: MapFilters) -> dict[str, Any]:
    """What the map draws: points or clusters, density cells, counts (JSON-ready)."""
    if not can_view_map(user):
        raise PermissionDenied(_("The incident map is for staff who work on incidents"))
    found = incidents_at(user, node, filters)
    placed = found.filter(case__lat__isnull=False, case__lng__isnull=False)
    extent = placed.aggregate(
        count=Count("pk"),
        min_lat=Min("case__lat"),
        max_lat=Max("case__lat"),
        min_lng=Min("case__lng"),
        max_lng=Max("case__lng"),
    )
    total = found.count()
    size = _cell_size(_span(node, extent))
    cells = []
    if extent["count"]:
        grouped = (
            placed.annotate(
                cell_y=Floor(F("case__lat") / size),
                cell_x=Floor(F("case__lng") / size),
            )
            .values("cell_y", "cell_x")
            .annotate(n=Count("pk"), lat=Avg("case__lat"), lng=Avg("case__lng"))
            .order_by()
        )
        cells = [
            {
                "lat": round(row["cell_y"] * size, 6),
                "lng": round(row["cell_x"] * size, 6),
                "count": row["n"],
                "center": [round(row["lat"], 6), round(row["lng"], 6)],
            }
            for row in grouped
        ]
    aggregated = extent["count"] > MAX_POINTS
    points = [] if aggregated else _points(placed)
    return {
        "region_id": node.pk,
        "period": filters.period.key,
        "count": total,
        "placed": extent["count"],
        "unplaced": total - extent["count"],
        "aggregated": aggregated,
        "max_points": MAX_POINTS,
        "points": points,
        "density": {
            "size": size,
            "cells": cells,
            "max": max((cell["count"] for cell in cells), default=0),
        },
    }


def _points(placed: QuerySet[Incident]) -> list[dict[str, Any]]:
    kind = get_type(KEY)
    detail = reverse("cases:case-detail", args=[0])
    rows = placed.values(
        "case_id",
        "case__lat",
        "case__lng",
        "case__state",
        "case__tracking_code",
        "case__address",
        "category__incident_class__code",
        "category__code",
        "category__name",
        "tier",
        "reported_at",
    ).order_by("-reported_at")[:MAX_POINTS]
    return [
        {
            "id": row["case_id"],
            "lat": row["case__lat"],
            "lng": row["case__lng"],
            "state": row["case__state"],
            "state_label": str(kind.state_label(row["case__state"])),
            "open": row["case__state"] in _STILL_OPEN,
            "code": row["case__tracking_code"],
            "category": f"{row['category__incident_class__code']}{row['category__code']} "
            f"{row['category__name']}",
            "address": row["case__address"],
            "tier": row["tier"],
            "reported_at": timezone.localtime(row["reported_at"]).isoformat(timespec="minutes"),
            "url": detail.replace("/0/", f"/{row['case_id']}/"),
        }
        for row in rows
    ]


def boundaries(user: Any, node: Region) -> dict[str, Any]:
    """GeoJSON of the node's children that have a boundary (or of the node itself), and the
    node's outline: the map's base, drawn without any tile server."""
    children = list(
        Region.objects.visible_to(user)
        .filter(parent=node)
        .exclude(boundary__isnull=True)
        .order_by("code")
        .values("pk", "name", "code", "boundary")
    )
    shapes = children or (
        [{"pk": node.pk, "name": node.name, "code": node.code, "boundary": node.boundary}]
        if node.boundary
        else []
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shape["boundary"],
                "properties": {"id": shape["pk"], "name": shape["name"], "code": shape["code"]},
            }
            for shape in shapes
            if shape["boundary"]
        ],
        "outline": node.boundary,
    }
