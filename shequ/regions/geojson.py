"""Boundaries of the region tree: checking GeoJSON geometry from imports and forms."""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext as _


def boundary_parse(value: Any) -> tuple[dict[str, Any] | None, str]:
    """A GeoJSON Polygon or MultiPolygon (also given as a Feature, or as JSON text), checked."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            return None, _("The boundary is not valid GeoJSON: %(error)s") % {"error": exc}
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        shown = kind if isinstance(kind, str) else type(value).__name__
        message = _("The boundary must be a GeoJSON Polygon or MultiPolygon, not %(type)s")
        return None, message % {"type": shown}
    assert isinstance(value, dict)
    coordinates = value.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return None, _("The boundary has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, _("The boundary has no coordinates")
        for ring in polygon:
            if problem := ring_problem(ring):
                return None, problem
    return {"type": kind, "coordinates": coordinates}, ""


def ring_problem(ring: Any) -> str:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("Each ring of a boundary needs at least 4 positions, the last equal to the first")
    for position in ring:
        if not (
            isinstance(position, list)
            and 2 <= len(position) <= 3
            and all(
                isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
                for n in position
            )
        ):
            return _(
                "Each position of a boundary is [longitude, latitude] in numbers, not %(value)s"
            ) % {"value": json.dumps(position, ensure_ascii=False)[:40]}
        longitude, latitude = position[0], position[1]
        if not -180 <= longitude <= 180:
            return _("The longitude %(value)s is outside -180 to 180") % {"value": longitude}
        if not -90 <= latitude <= 90:
            return _(
                "The latitude %(value)s is outside -90 to 90 (GeoJSON puts the longitude first)"
            ) % {"value": latitude}
    if ring[0] != ring[-1]:
        return _("A ring of a boundary must end at the position where it starts")
    return ""


# Checking the rows against each other and against the tree -------------------------------------
