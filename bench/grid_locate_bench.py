"""Which grid holds a point: the grid locator among 1,000 irregular grid polygons.

    python bench/grid_locate_bench.py                # 1,000 grids, 100,000 points
    python bench/grid_locate_bench.py --scale 20     # 20,000 grids (a city)

1. Migrates a fresh benchmark database (var/bench/grid_locate.sqlite3, or $DATABASE_URL when
   it names a PostgreSQL database whose name contains "bench") and stores a district whose
   rectangle is tiled by 1,000 grids (5 streets, 50 communities): the cells of a lattice whose
   corners are moved at random, each edge bent into 5 to 14 segments, so the grids are
   irregular, concave polygons of 20 to 56 vertices whose shared edges match exactly.
2. Times the first lookup of `shequ.regions.locate.GridLocator` (it reads the boundaries and
   builds the index), then 100,000 lookups of random points in the district's rectangle and a
   margin around it, through `GridLocator.region_id`, which also checks whether the index is
   due for its freshness check.
3. Times the baseline in the same run: a brute-force loop over all polygons with the same
   point test (bounding box first, then ray casting), on a sample of the points, and checks
   that both give the same grid for every sampled point. With shapely importable, its STRtree
   is timed on the same points as a reference (shapely is not a dependency of Shequ).
4. Prints lookups per second; writes bench/results/grid_locate-<time>.json.

Goal: at least 10,000 lookups per second through the locator for 1,000 grids.
"""

from __future__ import annotations

import argparse
import importlib
import math
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, print_table, rate, setup_django, timed, write_result

# The district's rectangle: around Shijiazhuang, about 35 km by 28 km.
BOX = (114.30, 37.95, 114.70, 38.20)
POINTS = 100_000
BASELINE_POINTS = 5_000
GOAL = 10_000

Point = tuple[float, float]


def _bent(first: Point, last: Point, key: str, straight: bool) -> list[Point]:
    """The points strictly between `first` and `last` of an edge bent into 5 to 14 segments.

    The bends follow from the edge's own key, so the two grids that share the edge get the
    very same points (one of them walks them in reverse). Edges on the district's outline stay
    straight, so the grids tile the rectangle exactly.
    """
    rng = random.Random(key)
    pieces = rng.randint(5, 14)
    dx, dy = last[0] - first[0], last[1] - first[1]
    swing = 0.0 if straight else 0.25 / pieces
    inner = []
    for step in range(1, pieces):
        t = step / pieces
        offset = rng.uniform(-swing, swing)
        inner.append((first[0] + t * dx - offset * dy, first[1] + t * dy + offset * dx))
    return inner


def grid_polygons(
    count: int, seed: int, box: tuple[float, float, float, float]
) -> list[list[Point]]:
    """`count` irregular polygons tiling `box`, like grids drawn along streets.

    A lattice of `count` cells whose inner corners are moved at random by up to 30 % of a
    cell, then every edge bent into 5 to 14 segments: 20 to 56 vertices a grid, concave.
    """
    rng = random.Random(seed)
    x0, y0, x1, y1 = box
    columns = max(1, round(math.sqrt(count * (x1 - x0) / (y1 - y0))))
    rows = math.ceil(count / columns)
    width, height = (x1 - x0) / columns, (y1 - y0) / rows
    corners: dict[tuple[int, int], Point] = {}
    for j in range(rows + 1):
        for i in range(columns + 1):
            jitter_x = rng.uniform(-0.3, 0.3) if 0 < i < columns else 0.0
            jitter_y = rng.uniform(-0.3, 0.3) if 0 < j < rows else 0.0
            corners[(i, j)] = (x0 + (i + jitter_x) * width, y0 + (j + jitter_y) * height)

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[Point]:
        """The bent edge from corner a to corner b, without b."""
        low, high = min(a, b), max(a, b)
        straight = (low[0] == high[0] and low[0] in (0, columns)) or (
            low[1] == high[1] and low[1] in (0, rows)
        )
        inner = _bent(corners[low], corners[high], f"{seed}:{low}:{high}", straight)
        return [corners[a], *(inner if a == low else inner[::-1])]

    polygons: list[list[Point]] = []
    for j in range(rows):
        for i in range(columns):
            if len(polygons) == count:
                break
            ring = [
                *edge((i, j), (i + 1, j)),
                *edge((i + 1, j), (i + 1, j + 1)),
                *edge((i + 1, j + 1), (i, j + 1)),
                *edge((i, j + 1), (i, j)),
            ]
            polygons.append([*ring, ring[0]])
    return polygons


def store_tree(polygons: list[list[Point]]) -> list[int]:
    """The district (its rectangle as boundary), 5 streets, 50 communities and the grids."""
    from shequ.regions.models import Level, Region

    levels = {level.key: level for level in Level.objects.all()}
    x0, y0, x1, y1 = BOX
    rectangle = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    rows: list[Region] = []

    def node(pk: int, code: str, level: str, parent: Region | None, ring: Any) -> Region:
        region = Region(
            pk=pk,
            code=code,
            name=f"{level} {code}",
            level=levels[level],
            parent=parent,
            path=f"{parent.path if parent else '/'}{pk}/",
            depth=parent.depth + 1 if parent else 0,
            boundary={"type": "Polygon", "coordinates": [ring]} if ring else None,
        )
        rows.append(region)
        return region

    district = node(1, "130105", "district", None, rectangle)
    communities_count = max(1, len(polygons) // 20)
    streets = [node(2 + s, f"130105{s + 1:03d}", "street", district, None) for s in range(5)]
    communities = [
        node(10 + c, f"{streets[c % 5].code}{c // 5 + 1:03d}", "community", streets[c % 5], None)
        for c in range(communities_count)
    ]
    grids = []
    for g, polygon in enumerate(polygons):
        community = communities[g % communities_count]
        ring = [[x, y] for x, y in polygon]
        grids.append(node(100_000 + g, f"{community.code}{g:05d}", "grid", community, ring))
    Region.objects.bulk_create(rows, batch_size=500)
    return [grid.pk for grid in grids]


def shapely_rate(polygons: list[list[Point]], points: list[Point]) -> float | None:
    """Lookups per second with shapely's STRtree, when shapely happens to be installed."""
    try:
        geometry = importlib.import_module("shapely.geometry")
        strtree = importlib.import_module("shapely.strtree")
    except ImportError:
        return None
    shapes = [geometry.Polygon(polygon) for polygon in polygons]
    tree = strtree.STRtree(shapes)
    with timed() as spent:
        for x, y in points:
            point = geometry.Point(x, y)
            next((i for i in tree.query(point) if shapes[i].covers(point)), None)
    return rate(len(points), spent.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="grids in thousands (1 = 1,000)")
    parser.add_argument("--points", type=int, default=POINTS)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    setup_django("grid_locate")
    from django.db import connection

    from shequ.lib.polygons import PointIndex
    from shequ.regions.locate import GridLocator

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    fresh_database()
    count = max(1, round(options.scale * 1000))
    with timed() as making:
        polygons = grid_polygons(count, options.seed, BOX)
    vertices = [len(polygon) - 1 for polygon in polygons]
    grid_ids = set(store_tree(polygons))
    print(
        f"{count:,} grids made in {making.seconds:.1f} s; vertices per grid: min {min(vertices)}, "
        f"median {statistics.median(vertices):g}, max {max(vertices)}"
    )
    rng = random.Random(options.seed + 1)
    x0, y0, x1, y1 = BOX
    margin_x, margin_y = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    points = [
        (rng.uniform(x0 - margin_x, x1 + margin_x), rng.uniform(y0 - margin_y, y1 + margin_y))
        for _ in range(options.points)
    ]

    locator = GridLocator()
    with timed() as building:
        locator.region_id(*points[0])
    index = locator.index()
    found: list[int | None] = []
    with timed() as looking:
        for x, y in points:
            found.append(locator.region_id(x, y))
    located_rate = rate(len(points), looking.seconds)

    # The baseline: every grid polygon tested in turn, the same test, grids first.
    brute = PointIndex(
        (pk, (-depth, code), boundary) for pk, depth, code, boundary in _boundaries()
    )
    sample = points[:BASELINE_POINTS]
    with timed() as brute_time:
        expected = [brute.locate_brute_force(x, y) for x, y in sample]
    mismatches = sum(1 for a, b in zip(found, expected, strict=False) if a != b)
    brute_rate = rate(len(sample), brute_time.seconds)
    strtree_rate = shapely_rate(polygons, sample)
    inside = sum(1 for pk in found if pk in grid_ids)

    rows: list[list[Any]] = [
        [
            "GridLocator.region_id",
            f"{len(points):,}",
            round(located_rate),
            f"{located_rate / brute_rate:.0f}x",
        ],
        ["brute force, all polygons", f"{len(sample):,}", round(brute_rate), "1x"],
    ]
    if strtree_rate is not None:
        rows.append(
            [
                "shapely STRtree (reference)",
                f"{len(sample):,}",
                round(strtree_rate),
                f"{strtree_rate / brute_rate:.0f}x",
            ]
        )
    print_table(
        "Point in polygon, lookups per second",
        ["method", "points", "lookups/s", "vs brute force"],
        rows,
    )
    print(
        f"\nindex: {len(index):,} polygons, {index.edge_count:,} edges, {index.cell_count:,} cells, "
        f"built in {building.seconds:.2f} s (first lookup, boundaries read from the database)"
    )
    print(
        f"points in a grid: {inside:,} of {len(points):,}; outside everything: {found.count(None):,}"
    )
    print(f"answers that differ from brute force: {mismatches} of {len(sample):,}")
    print(f"goal >= {GOAL:,} lookups/s: {'met' if located_rate >= GOAL else 'MISSED'}")
    path = write_result(
        "grid_locate",
        {
            "grids": count,
            "points": len(points),
            "vertices": {
                "min": min(vertices),
                "median": statistics.median(vertices),
                "max": max(vertices),
            },
            "edges": index.edge_count,
            "cells": index.cell_count,
            "build_seconds": building.seconds,
            "locator_per_second": located_rate,
            "brute_force_per_second": brute_rate,
            "strtree_per_second": strtree_rate,
            "mismatches": mismatches,
            "goal": GOAL,
        },
    )
    print(f"written: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    if mismatches:
        raise SystemExit("the locator and the brute force disagree")


def _boundaries() -> list[tuple[int, int, str, Any]]:
    from shequ.regions.models import Region

    regions = Region.objects.filter(boundary__isnull=False)
    return list(regions.values_list("pk", "depth", "code", "boundary"))


if __name__ == "__main__":
    main()
