"""Figures per region node: equal to counts made by hand, sensitive kinds hidden, exports audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from shequ.audit.models import Action, AuditEvent
from shequ.people.figures import people_figures
from shequ.people.models import CareKind, DwellingUse, Household, ResidenceStatus
from shequ.people.tests.care_builders import dwelling, person, tag, tenancy
from shequ.regions.tests.factories import World
from shequ.workdays.calendar import today

pytestmark = pytest.mark.english


@pytest.fixture
def register(world: World) -> World:
    """Grid: 5 persons in 2 households, sibling: 3 persons; a person of another community.

    By hand (grid / sibling): registered 3/1, resident 1/0, floating 1/2; ages 0-17: 1/0,
    18-59: 2/2, 60-69: 0/1, 70-79: 1/0, 80+: 1/0; living alone 1/1, disabled 1/0, low-income
    0/1; one floating permit expiring in the sibling; households 2/0 with 4 members in the grid;
    dwellings owner 2 and rented 1 in the grid, vacant 1 in the sibling; one current tenancy.
    """
    day = today()
    home = dwelling(world.grid, DwellingUse.OWNER)
    dwelling(world.grid, DwellingUse.OWNER)
    rented = dwelling(world.grid, DwellingUse.RENTED)
    dwelling(world.sibling, DwellingUse.VACANT)
    first = Household.objects.create(region=world.grid, dwelling=home, number="H1")
    second = Household.objects.create(region=world.grid, number="H2")
    person(world.grid, on=day, age=10, household=first)
    person(world.grid, on=day, age=35, household=first)
    alone = person(world.grid, on=day, age=75, household=second)
    tag(alone, CareKind.LIVING_ALONE, since=day)
    old = person(world.grid, on=day, age=85, status=ResidenceStatus.RESIDENT, household=first)
    tag(old, CareKind.DISABLED, since=day)
    tag(old, CareKind.VETERAN, since=day, ended_on=day)  # ended: not counted
    tenant = person(world.grid, on=day, age=30, status=ResidenceStatus.FLOATING)
    tenancy(rented, [tenant], starts=day - dt.timedelta(days=30), ends=day + dt.timedelta(days=300))
    tenancy(rented, [tenant], starts=day - dt.timedelta(days=400), ends=day - dt.timedelta(days=31))
    person(world.grid, on=day, age=40, left_on=day)  # left the district: not counted
    sixty = person(world.sibling, on=day, age=65)
    tag(sixty, CareKind.LIVING_ALONE, since=day)
    tag(sixty, CareKind.LOW_INCOME, since=day)
    floating: dict[str, Any] = {"status": ResidenceStatus.FLOATING, "on": day}
    person(world.sibling, age=20, residence_permit_expiry=day + dt.timedelta(days=5), **floating)
    person(world.sibling, age=21, residence_permit_expiry=day + dt.timedelta(days=60), **floating)
    person(world.other_community, on=day, age=50)
    return world


def test_the_community_figures_equal_the_counts_made_by_hand(register: World) -> None:
    world = register
    figures = people_figures(world.users["director"], world.community)

    grid, sibling = figures.rows
    assert (grid.name, sibling.name) == (world.grid.name, world.sibling.name)
    assert grid.status == {"registered": 3, "resident": 1, "floating": 1}
    assert sibling.status == {"registered": 1, "resident": 0, "floating": 2}
    assert grid.bands == {"0-17": 1, "18-59": 2, "60-69": 0, "70-79": 1, "80+": 1}
    assert sibling.bands == {"0-17": 0, "18-59": 2, "60-69": 1, "70-79": 0, "80+": 0}
    assert grid.care == {
        "aged_70": 2,
        "living_alone": 1,
        "disabled": 1,
        "low_income": 0,
        "extreme_poverty": 0,
        "left_behind_child": 0,
        "left_behind_elder": 0,
        "veteran": 0,
    }
    assert (sibling.care["living_alone"], sibling.care["low_income"]) == (1, 1)
    assert (grid.permits_expiring, sibling.permits_expiring) == (0, 1)
    assert (grid.households, grid.housed, grid.household_size) == (2, 4, 2.0)
    assert sibling.household_size is None
    assert grid.dwellings == {"owner": 2, "rented": 1, "vacant": 0, "commercial": 0}
    assert sibling.dwellings["vacant"] == 1
    assert (grid.tenancies, sibling.tenancies) == (1, 0)
    total = figures.total
    assert (total.persons, total.households, total.dwelling_total, total.tenancies) == (8, 2, 4, 1)
    assert total.care["living_alone"] == 2


def test_a_street_sees_its_communities_and_the_district_its_streets(register: World) -> None:
    world = register
    street = people_figures(world.users["street"], world.street)
    assert [(r.name, r.persons) for r in street.rows] == [
        (world.community.name, 8),
        (world.other_community.name, 1),
    ]
    district = people_figures(world.users["admin"], world.district)
    assert [r.persons for r in district.rows] == [9, 0]
    assert district.total.persons == 9


def test_sensitive_kinds_are_left_out_for_grid_workers(register: World) -> None:
    world = register
    figures = people_figures(world.users["gridworker"], world.grid)

    assert not figures.sensitive
    assert "disabled" not in figures.total.care
    assert "low_income" not in figures.care_keys
    assert figures.total.care["living_alone"] == 1
    # A grid without children shows its own figures as its one row.
    assert [(r.name, r.persons) for r in figures.rows] == [(world.grid.name, 5)]


def test_one_query_per_figure_whatever_the_number_of_children(
    register: World, django_assert_num_queries: Any
) -> None:
    world = register
    # The user's roles (once per request), the subtree, the children, persons (status x age
    # band), care tags, permits, households, dwellings, tenancies.
    with django_assert_num_queries(9):
        people_figures(world.users["admin"], world.district)
    with django_assert_num_queries(9):
        people_figures(world.users["director"], world.community)


def test_the_page_draws_the_charts_and_hides_sensitive_columns(
    register: World, client: Client
) -> None:
    world = register
    client.force_login(world.users["director"])
    page = client.get(f"/people/figures/?region={world.community.pk}").content.decode()
    assert 'id="people-figures-data"' in page
    assert 'data-care="disabled"' in page
    assert 'data-testid="total-persons">8<' in page

    client.force_login(world.users["gridworker"])
    page = client.get("/people/figures/").content.decode()
    assert 'data-testid="total-persons">5<' in page
    assert 'data-care="disabled"' not in page
    assert "Export Excel" not in page


def test_outside_the_scope_is_not_found(register: World, client: Client) -> None:
    world = register
    client.force_login(world.users["stranger"])
    assert client.get(f"/people/figures/?region={world.grid.pk}").status_code == 404
    assert client.get(f"/api/v1/people/figures?region_id={world.grid.pk}").status_code == 404
    assert client.get(f"/people/figures/export/?region={world.grid.pk}").status_code == 404


def test_the_export_is_for_leaders_and_audited(register: World, client: Client) -> None:
    world = register
    client.force_login(world.users["gridworker"])
    assert client.get(f"/people/figures/export/?region={world.grid.pk}").status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()

    client.force_login(world.users["director"])
    response = client.get(f"/people/figures/export/?region={world.community.pk}")

    assert response.status_code == 200
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]
    assert rows[0][:3] == ["Region", "Code", "Persons"]
    assert [r[0] for r in rows[1:]] == [world.grid.name, world.sibling.name, "Total"]
    assert [r[2] for r in rows[1:]] == [5, 3, 8]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.object_type, event.region_path) == ("people.figures", world.community.path)
    assert event.changes["rows"] == 3


def test_the_api_gives_the_same_figures(register: World, client: Client) -> None:
    world = register
    client.force_login(world.users["director"])
    body = client.get(f"/api/v1/people/figures?region_id={world.community.pk}").json()
    assert body["region_id"] == world.community.pk
    assert [c["persons"] for c in body["children"]] == [5, 3]
    assert body["total"]["by_status"] == {"registered": 4, "resident": 1, "floating": 3}
    assert body["total"]["by_care_group"]["disabled"] == 1
    assert body["sensitive_included"] is True

    client.force_login(world.users["gridworker"])
    body = client.get("/api/v1/people/figures").json()
    assert body["region_id"] == world.grid.pk
    assert "disabled" not in body["total"]["by_care_group"]
