"""The register's API operations: the same services, scoped, roles and sensitive tags per role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shequ.accounts.services import api_token_create
from shequ.people.models import CareTag, Household, Person
from shequ.people.services_care import care_tag_add
from shequ.people.tests.test_register_data import household_of, idn, place
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def api(world: World, who: str) -> Client:
    _token, raw = api_token_create(actor=world.users[who], name=who)
    return Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})


def post(client: Client, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(
        f"/api/v1/people{url}", data=json.dumps(body), content_type="application/json"
    )


def test_household_created_with_members_and_read_back(world: World) -> None:
    building, _dwelling = place(world)
    worker = api(world, "gridworker")
    response = post(
        worker,
        "/households",
        {
            "building_id": building.pk,
            "new_dwelling": {"unit": 2, "floor": 1, "number": "101", "use": "rented"},
            "members": [
                {"name": "王建国", "id_number": idn(seq="011"), "relation": "head"},
                {"name": "李秀英", "id_number": idn(seq="022"), "relation": "spouse"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(m["name"], m["relation"]) for m in body["members"]] == [
        ("王建国", "head"),
        ("李秀英", "spouse"),
    ]
    assert worker.get(f"/api/v1/people/households/{body['id']}").json() == body
    bad = post(
        worker,
        "/households",
        {
            "dwelling_id": body["dwelling_id"],
            "members": [{"name": "张三", "id_number": "123", "relation": "head"}],
        },
    )
    assert bad.status_code == 400
    assert bad.json()["detail"] == {
        "members-0-id_number": ["The identity number should have 18 characters, not 3"]
    }
    assert Household.objects.count() == 1


def test_person_record_shows_sensitive_tags_only_to_leaders(world: World) -> None:
    _building, dwelling = place(world)
    _household, (person,) = household_of(world, dwelling, "王建国")
    care_tag_add(
        actor=world.users["director"], person=person, kind="extreme_poverty", since="2024-01-01"
    )
    care_tag_add(actor=world.users["director"], person=person, kind="veteran", since="2024-01-01")
    url = f"/api/v1/people/persons/{person.pk}/record"
    kinds = lambda who: [t["kind"] for t in api(world, who).get(url).json()["tags"]]  # noqa: E731
    assert kinds("gridworker") == ["veteran"]
    assert sorted(kinds("director")) == ["extreme_poverty", "veteran"]
    assert api(world, "stranger").get(url).status_code == 404
    worker = api(world, "gridworker")
    refused = post(
        worker,
        f"/persons/{person.pk}/tags",
        {"kind": "disabled", "since": "2024-01-01", "grade": 1},
    )
    assert refused.status_code == 403
    assert CareTag.objects.count() == 2


def test_person_patch_visit_and_move(world: World) -> None:
    _building, dwelling = place(world)
    _household, (person, child) = household_of(world, dwelling, "王建国", "王二")
    worker = api(world, "gridworker")
    response = post(worker, f"/persons/{person.pk}", {"phone": "13912345678"}, method="patch")
    assert response.status_code == 200 and response.json()["phone_masked"] == "139****5678"
    assert (
        post(
            api(world, "supervisor"), f"/persons/{person.pk}", {"name": "李四"}, method="patch"
        ).status_code
        == 403
    )
    visit = post(
        worker, f"/persons/{person.pk}/visits", {"visited_on": "2024-03-01", "found": "好"}
    )
    assert visit.status_code == 201 and visit.json()["visitor_id"] == world.users["gridworker"].pk
    move = post(
        worker,
        f"/persons/{person.pk}/moves",
        {"kind": "left", "on": "2024-04-01", "new_head_id": child.pk},
    )
    assert move.status_code == 201 and move.json()["to_dwelling_id"] is None
    record = worker.get(f"/api/v1/people/persons/{person.pk}/record").json()
    assert record["left_on"] == "2024-04-01" and len(record["moves"]) == 1
    assert Person.objects.get(pk=child.pk).relation == "head"


def test_places_through_the_api(world: World) -> None:
    worker = api(world, "gridworker")
    created = post(
        worker,
        "/buildings",
        {
            "region_id": world.grid.pk,
            "name": "7号楼",
            "address": "和平路7号",
            "floors": 5,
            "units": 2,
        },
    )
    assert created.status_code == 201
    building = created.json()["id"]
    dwelling = post(
        worker,
        f"/buildings/{building}/dwellings",
        {"unit": 1, "floor": 2, "number": "201", "use": "owner"},
    )
    assert dwelling.status_code == 201
    assert (
        post(
            worker, f"/dwellings/{dwelling.json()['id']}", {"use": "vacant"}, method="patch"
        ).json()["use"]
        == "vacant"
    )
    assert [b["name"] for b in worker.get("/api/v1/people/buildings").json()] == ["7号楼"]
    assert api(world, "stranger").get("/api/v1/people/buildings").json() == []
    assert (
        post(
            api(world, "stranger"),
            "/buildings",
            {"region_id": world.grid.pk, "name": "x", "address": "y"},
        ).status_code
        == 404
    )
