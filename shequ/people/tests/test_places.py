"""Buildings, dwellings and tenancies: rules, roles, scoping and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shequ.people.models import Building, Tenancy
from shequ.people.services_places import building_save, dwelling_save, lease_warning, tenancy_create
from shequ.people.tests.test_register_data import household_of, place
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def test_building_rules(world: World) -> None:
    worker = world.users["gridworker"]
    with pytest.raises(ValidationError) as caught:
        building_save(
            actor=world.users["director"],
            region=world.community,
            data={"name": "", "address": "幸福路1号", "floors": 0, "units": 1},
        )
    assert caught.value.message_dict == {
        "region": ["Choose a grid: buildings belong to a grid, not to a 社区"],
        "name": ["Enter the building's name, e.g. 3号楼"],
        "floors": ["A building has 1 to 200 floors"],
    }
    building = building_save(
        actor=worker,
        region=world.grid,
        data={"name": "1号楼", "address": "幸福路1号", "floors": 6, "units": 2},
    )
    with pytest.raises(ValidationError) as caught:
        building_save(
            actor=worker,
            region=world.grid,
            data={"name": "1号楼", "address": "幸福路1号", "floors": 6, "units": 2},
        )
    assert list(caught.value.message_dict) == ["name"]
    for who in ("supervisor", "stranger"):
        with pytest.raises(PermissionDenied):
            building_save(
                actor=world.users[who],
                region=world.grid,
                data={"name": "2号楼", "address": "幸福路2号", "floors": 6, "units": 1},
            )
    assert Building.objects.count() == 1 and building.floors == 6


def test_dwelling_rules(world: World) -> None:
    building, _dwelling = place(world)  # 6 floors, 2 units, 1-302 exists
    with pytest.raises(ValidationError) as caught:
        dwelling_save(
            actor=world.users["gridworker"],
            building=building,
            data={"unit": 3, "floor": 0, "number": "", "area": "abc", "use": "hotel"},
        )
    assert caught.value.message_dict == {
        "unit": ["This building has units 1 to 2"],
        "floor": ["There is no floor 0: the ground floor is 1"],
        "number": ["Enter the dwelling number, e.g. 302"],
        "area": ["Enter the area in square metres, e.g. 68.5"],
        "use": ["Choose the use: owner-occupied, rented, vacant or commercial"],
    }
    with pytest.raises(ValidationError) as caught:
        dwelling_save(
            actor=world.users["gridworker"],
            building=building,
            data={"unit": 1, "floor": 3, "number": "302", "use": "owner"},
        )
    assert caught.value.message_dict == {"number": ["Unit 1 already has a dwelling 302"]}


def test_tenancy_marks_the_dwelling_rented_and_warns_when_registered_late(world: World) -> None:
    _building, dwelling = place(world)
    _household, (landlord, tenant) = household_of(world, dwelling, "王建国", "租客")
    worker = world.users["gridworker"]
    with pytest.raises(ValidationError) as caught:
        tenancy_create(
            actor=worker,
            dwelling=dwelling,
            tenants=[],
            starts_on="2024-03-01",
            ends_on="2024-02-01",
        )
    assert caught.value.message_dict == {
        "ends_on": ["The lease should end after it starts (2024-03-01)"],
        "landlord": ["Choose the landlord from the register or type the name"],
        "tenants": ["Choose at least one tenant from the register"],
    }
    tenancy = tenancy_create(
        actor=worker,
        dwelling=dwelling,
        tenants=[tenant],
        landlord=landlord,
        starts_on="2024-03-01",
        ends_on="2025-02-28",
        registered_on="2024-04-15",
    )
    dwelling.refresh_from_db()
    assert dwelling.use == "rented" and tenancy.landlord_name == "王建国"
    assert lease_warning(tenancy) == (
        "The lease was registered 45 days after it started: a lease is registered within 30 days"
    )
    on_time = tenancy_create(
        actor=worker,
        dwelling=dwelling,
        tenants=[tenant],
        landlord_name="房东张",
        starts_on="2024-03-01",
        ends_on="2025-02-28",
        registered_on=dt.date(2024, 3, 31),
    )
    assert lease_warning(on_time) == ""
    with pytest.raises(PermissionDenied):
        tenancy_create(
            actor=world.users["supervisor"],
            dwelling=dwelling,
            tenants=[tenant],
            landlord_name="x",
            starts_on="2024-03-01",
            ends_on="2025-02-28",
        )
    assert Tenancy.objects.count() == 2


def test_building_page_shows_dwellings_by_unit_and_floor(world: World, client: Client) -> None:
    building, dwelling = place(world)
    household_of(world, dwelling, "王建国", "王二")
    client.force_login(world.users["gridworker"])
    page = client.get(f"/people/buildings/{building.pk}/").content.decode()
    assert "Unit 1" in page and "Floor 3" in page and "302 · Owner-occupied · 2 people" in page
    assert "幸福路12号" in client.get("/people/buildings/").content.decode()
    dwelling_page = client.get(f"/people/dwellings/{dwelling.pk}/").content.decode()
    assert "王建国" in dwelling_page and "王二" in dwelling_page
    client.force_login(world.users["stranger"])
    assert "幸福路12号" not in client.get("/people/buildings/").content.decode()
    assert client.get(f"/people/buildings/{building.pk}/").status_code == 404
    assert client.get(f"/people/dwellings/{dwelling.pk}/").status_code == 404


def test_building_and_dwelling_forms(world: World, client: Client) -> None:
    client.force_login(world.users["gridworker"])
    response = client.post(
        "/people/buildings/new/",
        {"region": world.grid.pk, "name": "5号楼", "address": "和平路5号", "floors": 4, "units": 1},
    )
    building = Building.objects.get(name="5号楼")
    assert response["Location"] == f"/people/buildings/{building.pk}/"
    response = client.post(
        f"/people/buildings/{building.pk}/dwellings/new/",
        {"unit": 1, "floor": 9, "number": "901", "use": "owner"},
    )
    assert "This building has floors 1 to 4 (basements -1 to -5)" in response.content.decode()
    client.force_login(world.users["supervisor"])
    assert (
        client.post(
            f"/people/buildings/{building.pk}/dwellings/new/",
            {"unit": 1, "floor": 2, "number": "201", "use": "owner"},
        ).status_code
        == 403
    )
