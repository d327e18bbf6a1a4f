"""Point in polygon and the cell index: squares, concave shapes, holes, parts, edges."""

import math
import random
from typing import Any

import pytest

from shequ.lib.polygons import EDGE_TOLERANCE, GeometryError, PointIndex, Shape, geometry_rings


def square(x0: float, y0: float, size: float) -> list[list[float]]:
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


# A "U": the notch between the arms (x 1..2, y 1..3) is outside.
U_SHAPE = polygon([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]])
# A 4 x 4 square with a 2 x 2 hole in the middle.
FRAME = polygon(square(0, 0, 4), square(1, 1, 2))
# Two islands in one MultiPolygon.
ISLANDS = {"type": "MultiPolygon", "coordinates": [[square(0, 0, 1)], [square(5, 5, 1)]]}


def shape(geometry: dict[str, Any]) -> Shape:
    return Shape("s", 0, geometry_rings(geometry))


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((0.5, 0.5), True),  # the left arm's foot
        ((2.5, 2.5), True),  # the right arm
        ((1.5, 2.0), False),  # in the notch
        ((1.5, 0.5), True),  # below the notch
        ((3.5, 1.0), False),  # right of everything
        ((1.5, 1.0), True),  # on the notch's bottom edge
        ((2.0, 2.0), True),  # on the notch's right edge
        ((0.0, 3.0), True),  # a corner
        ((1.0, 3.0), True),  # the top corner of the notch
    ],
)
def test_concave_polygon(point: tuple[float, float], inside: bool) -> None:
    assert shape(U_SHAPE).contains(*point) is inside


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((0.5, 2.0), True),  # in the frame
        ((2.0, 2.0), False),  # in the hole
        ((1.0, 2.0), True),  # on the hole's edge: the boundary belongs to the polygon
        ((4.0, 2.0), True),  # on the outer edge
        ((5.0, 2.0), False),
    ],
)
def test_polygon_with_a_hole(point: tuple[float, float], inside: bool) -> None:
    assert shape(FRAME).contains(*point) is inside


@pytest.mark.parametrize(
    ("point", "inside"),
    [((0.5, 0.5), True), ((5.5, 5.5), True), ((3.0, 3.0), False), ((6.0, 6.0), True)],
)
def test_multipolygon(point: tuple[float, float], inside: bool) -> None:
    assert shape(ISLANDS).contains(*point) is inside


def test_edge_tolerance_is_a_tenth_of_a_millimetre() -> None:
    diagonal = shape(polygon([[0, 0], [1, 1], [0, 1], [0, 0]]))

    assert diagonal.contains(0.3, 0.3)  # on the diagonal edge
    assert diagonal.contains(0.3 + EDGE_TOLERANCE / 2, 0.3)
    assert not diagonal.contains(0.3 + EDGE_TOLERANCE * 10, 0.3)


def test_an_open_ring_is_closed() -> None:
    open_square = polygon([[0, 0], [2, 0], [2, 2], [0, 2]])

    assert shape(open_square).contains(1.9, 1.0)
    assert shape(open_square).contains(0.0, 1.0)  # on the closing edge


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [1, 2]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[["a", 0], [1, 1], [1, 0], ["a", 0]]]},
        {"type": "MultiPolygon", "coordinates": "nothing"},
    ],
)
def test_unusable_geometry_is_refused(geometry: dict[str, Any]) -> None:
    with pytest.raises(GeometryError):
        PointIndex([("bad", 0, geometry)])


def test_unusable_geometry_can_be_skipped() -> None:
    index = PointIndex(
        [("bad", 0, {"type": "Point"}), ("good", 0, polygon(square(0, 0, 1)))],
        skip_invalid=True,
    )

    assert index.skipped == ["bad"]
    assert index.locate(0.5, 0.5) == "good"


def test_feature_geometry_is_read() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(square(0, 0, 1))}

    assert PointIndex([("f", 0, feature)]).locate(0.5, 0.5) == "f"


def test_an_empty_index_finds_nothing() -> None:
    assert PointIndex([]).locate(0, 0) is None


def two_by_two() -> PointIndex:
    """Four unit squares in a 2 x 2 block, ranked a < b < c < d, inside a big square."""
    return PointIndex(
        [
            ("d", 4, polygon(square(1, 1, 1))),
            ("c", 3, polygon(square(0, 1, 1))),
            ("outer", 9, polygon(square(-1, -1, 4))),
            ("b", 2, polygon(square(1, 0, 1))),
            ("a", 1, polygon(square(0, 0, 1))),
        ]
    )


@pytest.mark.parametrize(
    ("point", "key"),
    [
        ((0.5, 0.5), "a"),
        ((1.5, 0.5), "b"),
        ((0.5, 1.5), "c"),
        ((1.5, 1.5), "d"),
        ((2.5, 2.5), "outer"),  # only the big square holds it
        ((3.5, 3.5), None),  # outside everything
        ((-5, 0), None),
        ((1.0, 0.5), "a"),  # the edge of a and b: the better rank wins
        ((1.5, 1.0), "b"),  # the edge of b and d
        ((1.0, 1.0), "a"),  # the corner of all four
        ((2.0, 1.5), "d"),  # the outer edge of d, inside the big square: d is ranked first
        ((3.0, 0.0), "outer"),  # the corner of the whole area
    ],
)
def test_index_picks_the_best_ranked_polygon(point: tuple[float, float], key: str | None) -> None:
    index = two_by_two()

    assert index.locate(*point) == key
    assert index.locate_brute_force(*point) == key


def test_equal_ranks_keep_the_order_given() -> None:
    index = PointIndex(
        [("first", 0, polygon(square(0, 0, 1))), ("second", 0, polygon(square(1, 0, 1)))]
    )

    assert index.locate(1.0, 0.5) == "first"


def test_index_agrees_with_brute_force_on_random_points() -> None:
    """Star-shaped concave polygons with holes, overlapping, at random: the index is only a
    shortcut, so it must give the brute-force answer everywhere, vertices included."""
    rng = random.Random(7)
    shapes = []
    for number in range(60):
        cx, cy = rng.uniform(0, 10), rng.uniform(0, 10)
        corners = rng.randint(5, 30)
        ring = []
        for step in range(corners):
            angle = step / corners * 2 * math.pi
            radius = rng.uniform(0.3, 1.5)
            ring.append([cx + radius * math.cos(angle), cy + radius * math.sin(angle)])
        ring.append(ring[0])
        hole = square(cx - 0.1, cy - 0.1, 0.2)[::-1]
        shapes.append((number, rng.randint(0, 3), polygon(ring, hole)))
    index = PointIndex(shapes, cells_per_edge=2)
    points = [(rng.uniform(-1, 11), rng.uniform(-1, 11)) for _ in range(3000)]
    # Include every vertex: points exactly on edges and corners.
    points += [
        tuple(vertex) for _key, _rank, geometry in shapes for vertex in geometry["coordinates"][0]
    ]

    assert [index.locate(x, y) for x, y in points] == [
        index.locate_brute_force(x, y) for x, y in points
    ]
