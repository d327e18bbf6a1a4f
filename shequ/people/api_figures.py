"""The register's figures through the API: the same numbers as the figures page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shequ.people.figures import FigureRow, people_figures
from shequ.regions.scoping import get_region_for_user, home_region

router = Router(tags=["people"])


class FigureRowOut(Schema):
    region_id: int | None
    name: str
    code: str
    persons: int
    by_status: dict[str, int]
    by_age_band: dict[str, int]
    by_care_group: dict[str, int]
    floating_permits_expiring: int
    households: int
    average_household_size: float | None
    dwellings_by_use: dict[str, int]
    current_tenancies: int


class FiguresOut(Schema):
    region_id: int
    day: dt.date
    permit_days: int
    sensitive_included: bool
    children: list[FigureRowOut]
    total: FigureRowOut


def _row(row: FigureRow) -> dict[str, Any]:
    return {
        "region_id": row.region_id,
        "name": row.name,
        "code": row.code,
        "persons": row.persons,
        "by_status": row.status,
        "by_age_band": row.bands,
        "by_care_group": row.care,
        "floating_permits_expiring": row.permits_expiring,
        "households": row.households,
        "average_household_size": row.household_size,
        "dwellings_by_use": row.dwellings,
        "current_tenancies": row.tenancies,
    }


@router.get(
    "/figures",
    response=FiguresOut,
    summary="Register figures of a region node and each of its children (computed)",
)
def figures(request: HttpRequest, region_id: int | None = None) -> Any:
    """Sensitive care groups are included only for roles that may see them at the node."""
    if region_id is None:
        node = home_region(request.user)
    else:
        node = get_region_for_user(request.user, region_id)
    report = people_figures(request.user, node)
    return {
        "region_id": node.pk,
        "day": report.day,
        "permit_days": report.days,
        "sensitive_included": report.sensitive,
        "children": [_row(row) for row in report.rows],
        "total": _row(report.total),
    }
