"""The "due for a visit" page of a grid: within scope, overdue first, sensitive kinds hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shequ.people.models import CareKind, DwellingUse, ResidenceStatus
from shequ.people.tests.care_builders import dwelling, person, tag, tenancy, visit
from shequ.regions.tests.factories import World
from shequ.workdays.calendar import today

pytestmark = pytest.mark.english


@pytest.fixture
def due(world: World) -> dict[str, int]:
    day = today()
    worker = world.users["gridworker"]
    never = person(world.grid, on=day, age=50)
    tag(never, CareKind.LOW_INCOME, since=day - dt.timedelta(days=300))
    later = person(world.grid, on=day, age=66)
    tag(later, CareKind.LIVING_ALONE, since=day - dt.timedelta(days=300))
    visit(later, worker, on=day - dt.timedelta(days=27))
    floating = person(
        world.grid,
        on=day,
        status=ResidenceStatus.FLOATING,
        residence_permit_expiry=day + dt.timedelta(days=9),
    )
    lease = tenancy(
        dwelling(world.grid, DwellingUse.RENTED),
        [floating],
        starts=day - dt.timedelta(days=300),
        ends=day + dt.timedelta(days=20),
    )
    other = person(world.sibling, on=day, age=88)
    return {
        "never": never.pk,
        "later": later.pk,
        "floating": floating.pk,
        "lease": lease.pk,
        "other": other.pk,
    }


def test_the_grid_worker_sees_his_grid_overdue_first(
    world: World, due: dict[str, int], client: Client
) -> None:
    client.force_login(world.users["gridworker"])
    page = client.get("/people/visits-due/").content.decode()

    assert page.index(f'data-person="{due["never"]}"') < page.index(f'data-person="{due["later"]}"')
    assert f'href="/people/{due["never"]}/"' in page
    assert "never visited" in page and "due " in page
    assert f'href="/people/{due["floating"]}/"' in page
    assert 'data-testid="due-tenancies"' in page
    assert f'data-person="{due["other"]}"' not in page
    # 低保 is sensitive: the grid worker visits, but the page does not name the reason.
    assert "Low-income" not in page
    assert "Living alone" in page


def test_the_leader_sees_the_sensitive_reason_and_both_grids(
    world: World, due: dict[str, int], client: Client
) -> None:
    client.force_login(world.users["director"])
    page = client.get(f"/people/visits-due/?region={world.community.pk}").content.decode()
    assert "Low-income" in page
    assert f'data-person="{due["other"]}"' in page


def test_another_grid_is_not_found(world: World, due: dict[str, int], client: Client) -> None:
    client.force_login(world.users["stranger"])
    assert client.get(f"/people/visits-due/?region={world.grid.pk}").status_code == 404
    assert client.get("/people/visits-due/?region=abc").status_code == 404
    page = client.get("/people/visits-due/").content.decode()
    assert f'data-person="{due["other"]}"' in page
    assert f'data-person="{due["never"]}"' not in page


def test_a_phone_sized_page_needs_no_wide_table_for_the_visits(
    world: World, due: dict[str, int], client: Client
) -> None:
    client.force_login(world.users["gridworker"])
    page = client.get("/people/visits-due/").content.decode()
    visits = page[page.index('data-testid="due-visits"') : page.index("Residence permits expiring")]
    assert "<table" not in visits
