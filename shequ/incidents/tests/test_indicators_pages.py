"""The indicators page, its Excel export (audited) and the API: the hand-counted figures, the
scope, who may read them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time
from openpyxl import load_workbook

import config.urls  # noqa: F401  (the API's schemas are built before any clock is frozen)
from shequ.accounts.services import api_token_create
from shequ.audit.models import Action, AuditEvent
from shequ.incidents.tests.indicators_world import Story, build
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db
PAGE = "/incidents/indicators/"
API = "/api/v1/incidents/indicators"
# Counted at Tuesday 3 March 2026, 10:00 in Shanghai (indicators_world.NOW).
COUNTED = "2026-03-03 02:00:00"


@pytest.fixture
def story(world: World, table: Table) -> Story:
    return build(world, table)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_of(user: Any) -> Client:
    _token, raw = api_token_create(actor=user, name="t")
    return Client(headers={"authorization": f"Bearer {raw}"})


@freeze_time(COUNTED)
def test_the_page_shows_the_hand_count(story: Story, world: World) -> None:
    response = client_of(world.users["director"]).get(
        PAGE, {"period": "2026-03", "postponed": "include"}
    )
    assert response.status_code == 200
    report = response.context["report"]
    grid, sibling = report.rows
    assert (grid.name, grid.reported, grid.due, grid.closed, grid.on_time_closed) == (
        world.grid.name, 6, 4, 3, 2,
    )  # fmt: skip
    assert (grid.close_rate, grid.on_time_close_rate, grid.rework_rate) == (75.0, 50.0, 33.33)
    assert (sibling.reported, sibling.closed) == (1, 1)
    body = response.content.decode()
    # The total row: 7 reported, 5 due, 4 closed, 80 %.
    assert 'data-testid="reported">7<' in body
    assert 'data-testid="close-rate">80.0%<' in body
    # The children are links one level down, keeping the period.
    assert f"?region={world.grid.pk}&amp;period=2026-03&amp;by=region" in body


@freeze_time(COUNTED)
def test_the_form_fields_make_the_period(story: Story, world: World) -> None:
    client = client_of(world.users["director"])
    quarter = client.get(PAGE, {"kind": "quarter", "quarter": "2026-Q1"})
    assert quarter.context["report"].period.key == "2026-Q1"
    assert quarter.context["report"].total.reported == 8  # H in February too
    custom = client.get(PAGE, {"kind": "custom", "from": "2026-03-03", "to": "2026-03-03"})
    assert custom.context["report"].total.reported == 1
    bad = client.get(PAGE, {"kind": "custom", "from": "2026-03-09", "to": "2026-03-01"})
    assert bad.status_code == 200 and bad.context["problem"]
    assert bad.context["report"].period.key == "2026-03"  # this month instead


@freeze_time(COUNTED)
def test_the_postponed_switch_and_its_default(story: Story, world: World, settings: Any) -> None:
    client = client_of(world.users["director"])
    settings.INCIDENT_EXCLUDE_POSTPONED = True
    default = client.get(PAGE, {"region": str(world.grid.pk), "period": "2026-03"})
    assert default.context["report"].rows[0].on_time_close_rate == 33.33
    counted = client.get(
        PAGE, {"region": str(world.grid.pk), "period": "2026-03", "postponed": "include"}
    )
    assert counted.context["report"].rows[0].on_time_close_rate == 50.0
    settings.INCIDENT_EXCLUDE_POSTPONED = False
    default = client.get(PAGE, {"region": str(world.grid.pk), "period": "2026-03"})
    assert default.context["report"].rows[0].on_time_close_rate == 50.0


@freeze_time(COUNTED)
def test_by_unit_on_the_page(story: Story, world: World, table: Table) -> None:
    response = client_of(world.users["director"]).get(PAGE, {"period": "2026-03", "by": "unit"})
    assert response.context["report"].rows[0].name == table.unit.name


def test_who_may_read_and_where(story: Story, world: World) -> None:
    # A grid worker reads no indicators; a leader reads his node, not the street above it.
    assert client_of(world.users["gridworker"]).get(PAGE).status_code == 403
    director = client_of(world.users["director"])
    assert director.get(PAGE, {"region": world.street.pk}).status_code == 404
    assert director.get(PAGE, {"region": world.grid.pk}).status_code == 200
    # The default node is the leader's own.
    assert director.get(PAGE).context["node"] == world.community
    # A supervisor reads the district's figures and may not export them.
    supervisor = client_of(world.users["supervisor"])
    page = supervisor.get(PAGE)
    assert page.status_code == 200 and page.context["can_export"] is False
    assert supervisor.get(f"{PAGE}export/").status_code == 403


@freeze_time(COUNTED)
def test_the_export_holds_the_same_figures_and_is_audited(story: Story, world: World) -> None:
    response = client_of(world.users["director"]).get(
        f"{PAGE}export/", {"period": "2026-03", "postponed": "exclude"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="incident-indicators-{world.community.code}-2026-03-region.xlsx'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # headers, two grids, the total
    grid, total = rows[1], rows[3]
    assert grid[:10] == (world.grid.name, 6, 5, 1, 83.33, 4, 3, 75, 1, 33.33)
    assert total[0] in ("合计", "Total") and total[1] == 7
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="incidents.indicators")
    assert event.count() == 1
    assert event.get().changes == {
        "region": world.community.code,
        "period": "2026-03",
        "by": "region",
        "exclude_postponed": True,
        "rows": 3,
    }


def test_a_bad_period_is_not_exported(story: Story, world: World) -> None:
    response = client_of(world.users["director"]).get(f"{PAGE}export/", {"period": "2026-13"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@freeze_time(COUNTED)
def test_the_api_gives_the_same_figures(story: Story, world: World) -> None:
    client = api_of(world.users["street"])
    response = client.get(API, {"period": "2026-03", "region_id": str(world.community.pk)})
    assert response.status_code == 200, response.content
    body = response.json()
    grid = body["rows"][0]
    assert (grid["name"], grid["reported"], grid["due_to_close"], grid["closed"]) == (
        world.grid.name, 6, 4, 3,
    )  # fmt: skip
    assert (grid["close_rate"], grid["rework_rate"], grid["average_handling_hours"]) == (
        75.0, 33.33, 4.0,
    )  # fmt: skip
    assert body["total"]["reported"] == 7 and body["period_first"] == "2026-03-01"
    excluded = client.get(
        API, {"period": "2026-03", "region_id": str(world.grid.pk), "exclude_postponed": "true"}
    ).json()
    assert (excluded["total"]["on_time_base"], excluded["total"]["on_time_close_rate"]) == (
        3,
        33.33,
    )
    by_unit = client.get(API, {"period": "2026-03", "by": "unit"}).json()
    assert by_unit["region_id"] == world.street.pk
    assert by_unit["total"]["reported"] == 8  # the street: the two grids and the other community


def test_the_api_keeps_to_the_scope(story: Story, world: World) -> None:
    director = api_of(world.users["director"])
    assert director.get(API, {"region_id": world.street.pk}).status_code == 404
    assert director.get(API, {"period": "March"}).status_code == 400
    assert api_of(world.users["gridworker"]).get(API).status_code == 403
    assert api_of(world.users["stranger"]).get(API, {"region_id": world.grid.pk}).status_code in (
        403,
        404,
    )
