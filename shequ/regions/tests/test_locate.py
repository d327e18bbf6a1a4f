"""The grid locator: the deepest node whose boundary holds a point, kept fresh per process."""

from typing import Any

import pytest

from shequ.regions.locate import GridLocator
from shequ.regions.models import Region
from shequ.regions.services import region_move, region_update
from shequ.regions.tests.factories import World


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mapped(world: World) -> World:
    """Boundaries: the district and its street, the community split into its two grids.

    The community is 114.40-114.42 E, 38.00-38.01 N; 湖北一网格 the west half, 湖北二网格
    the east half. The other community (八一) and its grid have no boundary.
    """
    boundaries = {
        world.district: box(114.0, 37.5, 115.0, 38.5),
        world.street: box(114.3, 37.9, 114.5, 38.1),
        world.community: box(114.40, 38.00, 114.42, 38.01),
        world.grid: box(114.40, 38.00, 114.41, 38.01),
        world.sibling: box(114.41, 38.00, 114.42, 38.01),
    }
    for region, boundary in boundaries.items():
        Region.objects.filter(pk=region.pk).update(boundary=boundary)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((114.405, 38.005), "grid"),
        ((114.415, 38.005), "sibling"),
        ((114.45, 38.05), "street"),  # in the street, outside the community
        ((114.8, 38.3), "district"),
        ((116.0, 39.0), None),  # outside the district
        ((114.41, 38.005), "grid"),  # the shared edge: the lower code (湖北一网格) wins
        ((114.40, 38.005), "grid"),  # the grid's outer edge is the grid's
        ((114.42, 38.01), "sibling"),  # the community's corner is the sibling's corner too
    ],
)
def test_deepest_region_holding_the_point(
    mapped: World, point: tuple[float, float], expected: str | None
) -> None:
    found = GridLocator().locate(*point)

    assert found == (getattr(mapped, expected) if expected else None)


@pytest.mark.django_db
def test_fallback_when_no_boundary_holds_the_point(mapped: World) -> None:
    locator = GridLocator()

    assert locator.locate(120.0, 30.0, fallback=mapped.grid) == mapped.grid
    assert locator.locate(114.405, 38.005, fallback=mapped.sibling) == mapped.grid


@pytest.mark.django_db
@pytest.mark.parametrize("point", [(float("nan"), 38.0), (200.0, 38.0), (114.4, -95.0)])
def test_impossible_coordinates_fall_back(mapped: World, point: tuple[float, float]) -> None:
    assert GridLocator().locate(*point, fallback=mapped.grid) == mapped.grid


@pytest.mark.django_db
def test_a_boundary_change_rebuilds_the_index(mapped: World) -> None:
    clock = Clock()
    locator = GridLocator(check_seconds=10, clock=clock)
    assert locator.region_id(114.405, 38.005) == mapped.grid.pk
    assert locator.builds == 1

    # The sibling grid takes the whole community (the grid worker's grid keeps its boundary).
    region_update(actor=None, region=mapped.sibling, boundary=box(114.39, 38.00, 114.42, 38.01))
    region_update(actor=None, region=mapped.grid, boundary=box(114.0, 37.0, 114.01, 37.01))
    assert locator.region_id(114.405, 38.005) == mapped.grid.pk  # trusted for 10 seconds

    clock.now += 11
    assert locator.region_id(114.405, 38.005) == mapped.sibling.pk
    assert locator.builds == 2


@pytest.mark.django_db
def test_an_unchanged_tree_is_not_rebuilt(mapped: World) -> None:
    clock = Clock()
    locator = GridLocator(check_seconds=10, clock=clock)
    locator.region_id(114.405, 38.005)
    clock.now += 60

    assert locator.region_id(114.415, 38.005) == mapped.sibling.pk
    assert locator.builds == 1


@pytest.mark.django_db
def test_invalidate_checks_at_once(mapped: World) -> None:
    locator = GridLocator(check_seconds=3600)
    locator.region_id(114.405, 38.005)
    region_update(actor=None, region=mapped.grid, boundary=None)

    locator.invalidate()

    assert locator.region_id(114.405, 38.005) == mapped.community.pk


@pytest.mark.django_db
def test_a_move_rebuilds_the_index(mapped: World) -> None:
    """A move changes depths (which node is deepest) without touching `updated_at`."""
    locator = GridLocator(check_seconds=0)
    locator.region_id(114.405, 38.005)

    region_move(actor=None, region=mapped.sibling, new_parent=mapped.other_community)
    locator.region_id(114.405, 38.005)

    assert locator.builds == 2


@pytest.mark.django_db
def test_an_unreadable_stored_boundary_is_left_out(mapped: World) -> None:
    Region.objects.filter(pk=mapped.sibling.pk).update(boundary={"type": "Point"})

    assert GridLocator().locate(114.415, 38.005) == mapped.community
