"""The reporting page for phones: its embedded data (categories most used first, the reporter's
own boundaries), its service worker, its manifest, the navigation entry and the fallback's
scope."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from shequ.core.navigation import nav_for
from shequ.incidents import views_report
from shequ.incidents.models_loop import Incident
from shequ.incidents.tests.loop import GRID_SQUARE, IN_SIBLING, draw_grids, photo, report
from shequ.incidents.tests.table import Table
from shequ.regions.models import RoleAssignment
from shequ.regions.roles import Role
from shequ.regions.tests.factories import UserFactory, World

pytestmark = pytest.mark.django_db
PAGE = "/incidents/report/"


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_data(response: Any) -> dict[str, Any]:
    found = re.search(
        r'<script id="report-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the page embeds its data"
    return json.loads(found.group(1))


def test_categories_come_most_used_first_in_the_reporters_area(
    world: World, table: Table, django_assert_max_num_queries: Any
) -> None:
    # Given: in the grid worker's grid 2 street vendors and 1 manhole cover this quarter, 3
    # rubbish heaps four months ago; in the grid next door 4 rubbish heaps this week.
    draw_grids(world)
    for _n in range(2):
        report(world, table, category=table.vendor)
    report(world, table, category=table.cover)
    long_ago = timezone.now() - dt.timedelta(days=120)
    for _n in range(3):
        report(world, table, category=table.garbage, reported_at=long_ago)
    for _n in range(4):
        report(
            world,
            table,
            actor=world.users["stranger"],
            grid=world.sibling,
            lng=IN_SIBLING[0],
            lat=IN_SIBLING[1],
        )
    client = client_of(world.users["gridworker"])

    # When the grid worker opens the reporting page
    with django_assert_max_num_queries(16):
        response = client.get(PAGE)

    # Then the area's most used come first, then the table's order; retired ones are left out.
    assert response.status_code == 200
    rows = page_data(response)["categories"]
    assert [(row["code"], row["name"], row["uses"]) for row in rows] == [
        ("0501", "无照经营游商", 2),
        ("0101", "上水井盖", 1),
        ("0102", "暴露垃圾", 0),
    ]
    # Each row carries the keys the page searches offline.
    assert {k: rows[2][k] for k in ("pinyin", "initials", "class_code", "subclass_code")} == {
        "pinyin": "baolulaji",
        "initials": "bllj",
        "class_code": "01",
        "subclass_code": "02",
    }
    # The neighbours' heaps count for the neighbour.
    stranger = page_data(client_of(world.users["stranger"]).get(PAGE))["categories"]
    assert (stranger[0]["code"], stranger[0]["uses"]) == ("0102", 4)


def test_the_map_shows_the_reporters_own_nodes_and_one_level_below(world: World) -> None:
    draw_grids(world)
    grid_worker = page_data(client_of(world.users["gridworker"]).get(PAGE))
    assert [(p["name"], p["own"]) for p in grid_worker["places"]] == [("湖北一网格", True)]
    assert grid_worker["places"][0]["boundary"] == {"type": "Polygon", "coordinates": GRID_SQUARE}
    director = page_data(client_of(world.users["director"]).get(PAGE))
    assert [(p["name"], p["own"]) for p in director["places"]] == [
        ("湖北社区", True),
        ("湖北一网格", False),
        ("湖北二网格", False),
    ]
    # The fallback choices are the reporter's own nodes only.
    page = client_of(world.users["director"]).get(PAGE).content.decode()
    fallback = re.search(r'<select name="grid_id" id="report-grid">(.*?)</select>', page, re.S)
    assert fallback is not None
    assert re.findall(r'<option value="(\d+)"', fallback.group(1)) == [str(world.community.pk)]


def test_a_stranger_sees_nothing_of_the_grid_next_door(world: World, table: Table) -> None:
    draw_grids(world)
    report(world, table)
    response = client_of(world.users["stranger"]).get(PAGE)
    data = page_data(response)
    assert [p["name"] for p in data["places"]] == ["湖北二网格"]
    assert "湖北一网格" not in response.content.decode()
    assert all(row["uses"] == 0 for row in data["categories"])


def test_who_may_open_the_reporting_page(world: World) -> None:
    assert client_of(world.users["supervisor"]).get(PAGE).status_code == 403
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    chief: Any = UserFactory(username="chief")
    RoleAssignment.objects.create(user=chief, role=Role.BUILDING_CHIEF, region=world.grid)
    assert client_of(chief).get(PAGE).status_code == 200


def test_the_page_names_its_manifest_worker_and_upload_address(world: World) -> None:
    response = client_of(world.users["gridworker"]).get(PAGE)
    html = response.content.decode()
    assert '<link rel="manifest" href="/incidents/report/manifest.webmanifest">' in html
    data = page_data(response)
    assert (data["api"], data["sw_url"], data["scope"]) == (
        "/api/v1/incidents/reports",
        "/incidents/report/sw.js",
        "/incidents/report/",
    )
    assert (data["max_photos"], data["photo_long_side"], data["photo_quality"]) == (6, 1600, 0.8)
    assert data["user_id"] == world.users["gridworker"].pk


@pytest.mark.parametrize(
    ("user", "shown"),
    [
        ("gridworker", True),
        ("director", True),
        ("street", True),
        ("admin", True),
        ("window", False),
        ("supervisor", False),
    ],
)
def test_the_navigation_entry(world: World, user: str, shown: bool) -> None:
    urls = [item["url"] for item in nav_for(world.users[user], "")]
    assert (PAGE in urls) is shown


def test_the_service_worker_is_served_for_the_page_scope() -> None:
    # Public: the browser checks it for updates whatever the session.
    response = Client().get("/incidents/report/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/incidents/report/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(re.search(r"self\.SHEQU_REPORT = (\{.*?\});", body).group(1))  # type: ignore[union-attr]
    assert config["page"] == "/incidents/report/"
    assert config["version"] == views_report.worker_version()
    assert "/static/js/incident-report.js" in config["precache"]
    assert "/static/vendor/leaflet/leaflet.js" in config["precache"]
    assert (
        'importScripts("/static/js/incident-report-queue.js", "/static/js/incident-sw.js")' in body
    )
    # Every file it keeps exists, so its installation cannot fail on a missing one.
    for name in (*views_report.PRECACHE, *views_report.WORKER_SCRIPTS):
        assert finders.find(name), name


def test_a_changed_file_makes_a_new_worker_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = views_report.worker_version()
    original = views_report._static_bytes
    monkeypatch.setattr(
        views_report,
        "_static_bytes",
        lambda name: original(name) + (b"// changed" if name == "js/incident-report.js" else b""),
    )
    assert views_report.worker_version() != before


def test_the_manifest_makes_the_page_installable() -> None:
    response = Client().get("/incidents/report/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {k: manifest[k] for k in ("name", "short_name", "start_url", "scope", "display")} == {
        "name": "社区网格上报",
        "short_name": "网格上报",
        "start_url": "/incidents/report/",
        "scope": "/incidents/report/",
        "display": "standalone",
    }
    assert manifest["theme_color"] == "#b4232a"
    sizes = {(icon["sizes"], icon["type"]) for icon in manifest["icons"]}
    assert {("192x192", "image/png"), ("512x512", "image/png"), ("any", "image/svg+xml")} == sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_a_stranger_cannot_use_another_grid_as_fallback(world: World, table: Table) -> None:
    stranger = client_of(world.users["stranger"])
    body = {"category_id": table.garbage.pk, "description": "楼道堆物", "client_id": "phone-1"}
    # The grid next door as the fallback: not found, nothing made.
    refused = stranger.post(
        "/api/v1/incidents/reports", {**body, "grid_id": world.grid.pk, "photos": [photo()]}
    )
    assert refused.status_code == 404
    assert Incident.objects.count() == 0
    # Their own grid: the report lands there, marked as not located.
    landed = stranger.post(
        "/api/v1/incidents/reports", {**body, "grid_id": world.sibling.pk, "photos": [photo()]}
    )
    assert landed.status_code == 201
    incident = Incident.objects.select_related("case").get()
    assert (incident.case.region_id, incident.located) == (world.sibling.pk, False)
