"""Which polygon holds a point: GeoJSON polygons in pure Python, indexed for many lookups.

A fresh machine has only Python (no GEOS, no GDAL), and a district's grid boundaries are a few
thousand polygons of a few dozen vertices, so a plain cell index is enough:

- The bounding box of all polygons is cut into a uniform raster of cells, about
  `CELLS_PER_EDGE` cells per polygon edge. Every edge marks the cells it passes through as
  *partial* for its polygon; a scan line through the middle of each row of cells marks the
  cells wholly inside a polygon as *full*.
- A cell keeps its candidates in priority order and stops at the first full one. Most cells
  lie inside one polygon and hold just that answer, so most lookups are two divisions and a
  list access; a point in a cell that an edge crosses is tested against the candidate
  polygons' edges (even-odd ray casting over all rings, so holes and MultiPolygons need no
  special case).

Points on an edge belong to the polygon: a polygon is a closed set here, with a tolerance of
`EDGE_TOLERANCE` degrees (about 0.1 mm). A point on the edge two polygons share is in both, and
the one of higher priority (lower `rank`) wins, so the answer never depends on the order in
which the polygons were given, and a point on the outline of the whole area is still found.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# How close to an edge a point counts as on it, in coordinate units (degrees: about 0.1 mm).
EDGE_TOLERANCE = 1e-9
# Raster size: cells per polygon edge, within these bounds. More cells means fewer lookups that
# need a polygon test, and more memory and build time.
CELLS_PER_EDGE = 4
MIN_CELLS = 256
MAX_CELLS = 1 << 21

Position = tuple[float, float]


class GeometryError(ValueError):
    """A geometry that is not a usable GeoJSON Polygon or MultiPolygon."""


def geometry_rings(geometry: Mapping[str, Any]) -> list[list[Position]]:
    """Every ring of a GeoJSON Polygon or MultiPolygon (outer rings and holes alike).

    Even-odd counting over all rings makes a hole subtract and a second part add, as long as
    the geometry is valid (holes inside their outer ring, parts apart). Raises GeometryError.
    """
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    if kind == "Feature":
        return geometry_rings(geometry.get("geometry") or {})
    coordinates = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else []
    else:
        raise GeometryError(f"not a Polygon or MultiPolygon: {kind!r}")
    rings: list[list[Position]] = []
    for polygon in polygons:
        if not isinstance(polygon, list):
            raise GeometryError("a polygon is not a list of rings")
        for ring in polygon:
            try:
                points = [(float(p[0]), float(p[1])) for p in ring]
            except (TypeError, ValueError, IndexError) as exc:
                raise GeometryError("a ring holds a position that is not two numbers") from exc
            if len(points) >= 3:
                rings.append(points)
    if not rings:
        raise GeometryError("the geometry has no ring of three or more positions")
    return rings


class Shape:
    """One polygon of an index: its key, its priority and its edges ready for testing.

    `crossings` holds per edge (low y, high y, x at low y, dx/dy) for the ray test;
    `edges` holds (x1, y1, x2, y2) for the on-edge test.
    """

    __slots__ = ("bbox", "crossings", "edges", "key", "rank")

    def __init__(self, key: Hashable, rank: Any, rings: Sequence[Sequence[Position]]) -> None:
        self.key = key
        self.rank = rank
        edges: list[tuple[float, float, float, float]] = []
        crossings: list[tuple[float, float, float, float]] = []
        for ring in rings:
            closed = list(ring) if ring[0] == ring[-1] else [*ring, ring[0]]
            for (x1, y1), (x2, y2) in pairwise(closed):
                if x1 == x2 and y1 == y2:
                    continue
                edges.append((x1, y1, x2, y2))
                if y1 != y2:
                    if y1 > y2:
                        x1, y1, x2, y2 = x2, y2, x1, y1
                    crossings.append((y1, y2, x1, (x2 - x1) / (y2 - y1)))
        if not edges:
            raise GeometryError("the geometry has no edge")
        self.edges = edges
        self.crossings = crossings
        xs = [c for edge in edges for c in (edge[0], edge[2])]
        ys = [c for edge in edges for c in (edge[1], edge[3])]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def contains(self, x: float, y: float) -> bool:
        """Whether the point is inside the polygon or on its boundary."""
        min_x, min_y, max_x, max_y = self.bbox
        tolerance = EDGE_TOLERANCE
        if (
            x < min_x - tolerance
            or x > max_x + tolerance
            or y < min_y - tolerance
            or y > max_y + tolerance
        ):
            return False
        inside = False
        # Half-open in y (low <= y < high): a ray through a vertex counts it once.
        for low, high, x_low, slope in self.crossings:
            if low <= y < high and x < x_low + (y - low) * slope:
                inside = not inside
        return inside or self.touches(x, y)

    def touches(self, x: float, y: float) -> bool:
        """Whether the point lies on an edge, within EDGE_TOLERANCE."""
        tolerance = EDGE_TOLERANCE
        for x1, y1, x2, y2 in self.edges:
            if x < (x1 if x1 < x2 else x2) - tolerance or x > (x2 if x1 < x2 else x1) + tolerance:
                continue
            if y < (y1 if y1 < y2 else y2) - tolerance or y > (y2 if y1 < y2 else y1) + tolerance:
                continue
            dx, dy = x2 - x1, y2 - y1
            cross = dx * (y - y1) - dy * (x - x1)
            if cross * cross <= tolerance * tolerance * (dx * dx + dy * dy):
                return True
        return False


@dataclass(frozen=True)
class _Raster:
    x0: float
    y0: float
    columns: int
    rows: int
    width: float  # of a cell
    height: float

    def column(self, x: float) -> int:
        return min(self.columns - 1, max(0, int((x - self.x0) / self.width)))

    def row(self, y: float) -> int:
        return min(self.rows - 1, max(0, int((y - self.y0) / self.height)))


class PointIndex:
    """Polygons indexed for `locate(x, y)`: the key of the best polygon that holds the point.

    `shapes` are (key, rank, GeoJSON geometry); among the polygons that hold a point, the
    lowest rank wins (ties: the order given). The index never changes after it is built: build
    a new one when the polygons change. Raises GeometryError for an unreadable geometry;
    `skip_invalid=True` leaves such polygons out instead and lists their keys in `skipped`.
    """

    def __init__(
        self,
        shapes: Iterable[tuple[Hashable, Any, Mapping[str, Any]]],
        *,
        cells_per_edge: float = CELLS_PER_EDGE,
        skip_invalid: bool = False,
    ) -> None:
        self.skipped: list[Hashable] = []
        built: list[Shape] = []
        for key, rank, geometry in shapes:
            try:
                built.append(Shape(key, rank, geometry_rings(geometry)))
            except GeometryError:
                if not skip_invalid:
                    raise
                self.skipped.append(key)
        # A stable sort: equal ranks keep the order given.
        built.sort(key=lambda shape: shape.rank)
        self.shapes = built
        self.edge_count = sum(len(shape.edges) for shape in built)
        self._cells: list[Any] = []
        self._raster: _Raster | None = None
        if built:
            self._build(cells_per_edge)

    def __len__(self) -> int:
        return len(self.shapes)

    @property
    def cell_count(self) -> int:
        return len(self._cells)

    def _build(self, cells_per_edge: float) -> None:
        margin = 4 * EDGE_TOLERANCE
        x0 = min(s.bbox[0] for s in self.shapes) - margin
        y0 = min(s.bbox[1] for s in self.shapes) - margin
        x1 = max(s.bbox[2] for s in self.shapes) + margin
        y1 = max(s.bbox[3] for s in self.shapes) + margin
        wanted = min(MAX_CELLS, max(MIN_CELLS, int(cells_per_edge * self.edge_count)))
        aspect = (x1 - x0) / (y1 - y0)
        columns = max(1, min(wanted, round(math.sqrt(wanted * aspect))))
        rows = max(1, wanted // columns)
        raster = _Raster(x0, y0, columns, rows, (x1 - x0) / columns, (y1 - y0) / rows)
        self._raster = raster
        self._bounds = (x0, y0, x1, y1)
        candidates: dict[int, list[tuple[int, bool]]] = {}
        for order, shape in enumerate(self.shapes):
            partial = _edge_cells(shape, raster, margin)
            for cell in partial:
                candidates.setdefault(cell, []).append((order, False))
            for cell in _inside_cells(shape, raster, partial):
                candidates.setdefault(cell, []).append((order, True))
        cells: list[Any] = [None] * (columns * rows)
        for cell, found in candidates.items():
            found.sort()
            kept: list[tuple[Shape, bool]] = []
            for order, full in found:
                kept.append((self.shapes[order], full))
                if full:
                    break
            # A cell wholly inside its best polygon keeps just that polygon: no test.
            cells[cell] = kept[0][0] if kept[0][1] else tuple(kept)
        self._cells = cells

    def locate(self, x: float, y: float) -> Hashable | None:
        """The key of the best polygon holding the point (edges included), or None."""
        raster = self._raster
        if raster is None:
            return None
        x0, y0, x1, y1 = self._bounds
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return None
        column = int((x - x0) / raster.width)
        row = int((y - y0) / raster.height)
        if column >= raster.columns:
            column = raster.columns - 1
        if row >= raster.rows:
            row = raster.rows - 1
        entry = self._cells[row * raster.columns + column]
        if entry is None:
            return None
        if entry.__class__ is Shape:
            return entry.key  # the polygon covers the whole cell
        for shape, full in entry:
            if full or shape.contains(x, y):
                return shape.key
        return None

    def locate_brute_force(self, x: float, y: float) -> Hashable | None:
        """The same answer as `locate`, by testing every polygon: the reference for tests."""
        for shape in self.shapes:
            if shape.contains(x, y):
                return shape.key
        return None


def _edge_cells(shape: Shape, raster: _Raster, margin: float) -> set[int]:
    """Cells that an edge of the shape passes through or comes within `margin` of."""
    cells: set[int] = set()
    columns = raster.columns
    for x1, y1, x2, y2 in shape.edges:
        low, high = (y1, y2) if y1 <= y2 else (y2, y1)
        for row in range(raster.row(low - margin), raster.row(high + margin) + 1):
            band_low = raster.y0 + row * raster.height
            band_high = band_low + raster.height
            # The part of the edge within this row's band (its nearest point when it only
            # comes within the margin of the band).
            y_a = min(max(low, band_low), high)
            y_b = max(min(high, band_high), low)
            if y1 == y2:
                x_a, x_b = x1, x2
            else:
                step = (x2 - x1) / (y2 - y1)
                x_a, x_b = x1 + (y_a - y1) * step, x1 + (y_b - y1) * step
            first = raster.column(min(x_a, x_b) - margin)
            last = raster.column(max(x_a, x_b) + margin)
            start = row * columns
            cells.update(range(start + first, start + last + 1))
    return cells


def _inside_cells(shape: Shape, raster: _Raster, partial: set[int]) -> list[int]:
    """Cells no edge touches whose centre the shape holds: the shape covers them whole."""
    crossings: dict[int, list[float]] = {}
    for low, high, x_low, slope in shape.crossings:
        first = max(0, math.ceil((low - raster.y0) / raster.height - 0.5) - 1)
        last = min(raster.rows - 1, int((high - raster.y0) / raster.height - 0.5) + 1)
        for row in range(first, last + 1):
            centre = raster.y0 + (row + 0.5) * raster.height
            if low <= centre < high:
                crossings.setdefault(row, []).append(x_low + (centre - low) * slope)
    inside: list[int] = []
    for row, xs in crossings.items():
        xs.sort()
        start = row * raster.columns
        for enter, leave in zip(xs[::2], xs[1::2], strict=False):
            first = max(0, math.ceil((enter - raster.x0) / raster.width - 0.5))
            last = min(raster.columns - 1, math.floor((leave - raster.x0) / raster.width - 0.5))
            for column in range(first, last + 1):
                cell = start + column
                if cell not in partial:
                    inside.append(cell)
    return inside
