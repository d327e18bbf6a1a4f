"""The incident map: its page, the scoped points, the filters, and the squares when there are
too many points."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shequ.accounts.services import api_token_create
from shequ.incidents import map_points as points_module
from shequ.incidents.tests.indicators_world import Story, build
from shequ.incidents.tests.table import Table
from shequ.regions.models import Region
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db
PAGE = "/incidents/map/"
POINTS = "/incidents/map/points/"
MARCH = {"period": "2026-03"}
SQUARE = {"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39]]]}


@pytest.fixture
def story(world: World, table: Table) -> Story:
    return build(world, table)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def codes(body: dict[str, Any]) -> set[str]:
    return {point["code"] for point in body["points"]}


def test_a_grid_worker_sees_his_grids_markers_only(story: Story, world: World) -> None:
    body = client_of(world.users["gridworker"]).get(POINTS, MARCH).json()
    # E was reported without a location: counted, not drawn.
    expected = {i.case.tracking_code for i in (story.a, story.b, story.c, story.d, story.f)}
    assert codes(body) == expected
    assert (body["count"], body["placed"], body["unplaced"], body["aggregated"]) == (6, 5, 1, False)
    # The stranger of the sibling grid sees G only, and no node of the grid next door.
    stranger = client_of(world.users["stranger"])
    assert codes(stranger.get(POINTS, MARCH).json()) == {story.g.case.tracking_code}
    assert stranger.get(POINTS, {**MARCH, "region": str(world.grid.pk)}).status_code == 404
    assert stranger.get(PAGE, {"region": world.grid.pk}).status_code == 404


def test_a_point_carries_what_the_popup_shows(story: Story, world: World) -> None:
    body = client_of(world.users["gridworker"]).get(POINTS, MARCH).json()
    point = next(p for p in body["points"] if p["id"] == story.a.pk)
    assert point == {
        "id": story.a.pk,
        "lat": 39.01,
        "lng": 116.01,
        "state": "closed",
        "state_label": point["state_label"],
        "open": False,
        "code": story.a.case.tracking_code,
        "category": "0102 暴露垃圾",
        "address": "湖北路12号",
        "tier": "district",
        "reported_at": "2026-03-02T10:00+08:00",
        "url": f"/cases/{story.a.pk}/",
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # D waits for the unit, F for dispatch; E was not filed: finished.
        ({"state": "open"}, "df"),
        ({"state": "finished"}, "abcg"),  # and E, which has no location
        ({"state": "closed"}, "abcg"),
        ({"tier": "grid"}, "cg"),
        ({"period": "2026-02"}, "h"),
        ({"period": "2026-03-03..2026-03-03"}, "f"),
    ],
)
def test_filters(story: Story, world: World, filters: dict[str, str], expected: str) -> None:
    body = client_of(world.users["director"]).get(POINTS, {**MARCH, **filters}).json()
    assert codes(body) == {getattr(story, letter).case.tracking_code for letter in expected}


def test_the_category_filter(story: Story, world: World, table: Table) -> None:
    client = client_of(world.users["director"])
    body = client.get(POINTS, {**MARCH, "category": str(table.vendor.pk)}).json()
    assert codes(body) == {story.c.case.tracking_code, story.g.case.tracking_code}
    assert client.get(POINTS, {**MARCH, "category": "9999"}).status_code == 400
    assert client.get(POINTS, {**MARCH, "state": "nonsense"}).status_code == 400
    assert client.get(POINTS, {"period": "2026-13"}).status_code == 400


def test_too_many_points_come_as_counted_squares(
    story: Story, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(points_module, "MAX_POINTS", 3)
    body = client_of(world.users["director"]).get(POINTS, MARCH).json()
    assert (body["aggregated"], body["points"], body["count"], body["placed"]) == (True, [], 7, 6)
    cells = body["density"]["cells"]
    assert sum(cell["count"] for cell in cells) == 6
    assert body["density"]["max"] == max(cell["count"] for cell in cells)
    # The squares hold their points: each center lies in its square.
    size = body["density"]["size"]
    for cell in cells:
        lat, lng = cell["center"]
        assert cell["lat"] <= lat < cell["lat"] + size + 1e-9
        assert cell["lng"] <= lng < cell["lng"] + size + 1e-9


def test_the_density_squares_count_every_placed_point(story: Story, world: World) -> None:
    body = client_of(world.users["admin"]).get(POINTS, MARCH).json()
    assert body["count"] == 8  # A-G and I
    assert sum(cell["count"] for cell in body["density"]["cells"]) == 7  # E has no location
    # A-F lie 0.01 degree apart on a diagonal, G and I further east: the squares split them.
    assert len(body["density"]["cells"]) > 2


def test_the_page_draws_the_boundaries_of_the_area_below(story: Story, world: World) -> None:
    Region.objects.filter(pk=world.grid.pk).update(boundary=SQUARE)
    response = client_of(world.users["director"]).get(PAGE, MARCH)
    assert response.status_code == 200
    base = response.context["base"]
    assert [f["properties"]["name"] for f in base["features"]] == [world.grid.name]
    assert response.context["points_url"].startswith(f"{POINTS}?region={world.community.pk}")
    # The stranger's page names nothing of the grid next door.
    stranger = client_of(world.users["stranger"]).get(PAGE)
    assert stranger.status_code == 200
    assert world.grid.name not in stranger.content.decode()


def test_who_opens_the_map(story: Story, world: World) -> None:
    assert client_of(world.users["window"]).get(PAGE).status_code == 403
    assert client_of(world.users["window"]).get(POINTS).status_code == 403
    assert client_of(world.users["supervisor"]).get(PAGE).status_code == 200


def test_a_bad_filter_on_the_page_says_so(story: Story, world: World) -> None:
    response = client_of(world.users["director"]).get(PAGE, {"state": "nonsense"})
    assert response.status_code == 200 and response.context["problem"]
    assert response.context["filters"].state == ""


def test_the_api_gives_the_same_points(story: Story, world: World) -> None:
    _token, raw = api_token_create(actor=world.users["gridworker"], name="t")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    body = api.get("/api/v1/incidents/map/points", MARCH).json()
    assert codes(body) == {
        i.case.tracking_code for i in (story.a, story.b, story.c, story.d, story.f)
    }
    assert (
        api.get("/api/v1/incidents/map/points", {"region_id": world.sibling.pk}).status_code == 404
    )
