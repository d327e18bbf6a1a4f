from collections.abc import Callable

import pytest
from django.test import Client

from shequ.accounts.models import User
from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.audit.tests.conftest import Events, record
from shequ.regions.tests.factories import World

Login = Callable[[User], Client]
EVENTS = "/api/v1/audit/events"


def ids(response: object) -> list[int]:
    return [item["id"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_list_is_scoped(login: Login, world: World, events: Events) -> None:
    admin = login(world.users["admin"]).get(EVENTS)
    assert admin.status_code == 200
    assert admin.json()["count"] == 5

    director = login(world.users["director"]).get(EVENTS)
    assert director.json()["count"] == 2
    assert ids(director) == [events.sibling.pk, events.grid.pk]


def test_list_items(login: Login, world: World, events: Events) -> None:
    item = login(world.users["director"]).get(EVENTS).json()["items"][-1]

    assert item == {
        "id": events.grid.pk,
        "at": item["at"],
        "actor_kind": "staff",
        "actor_name": "admin",
        "action": "update",
        "action_label": "Changed",
        "object_type": "people.person",
        "object_id": "grid-person",
        "object_repr": "grid-person",
        "changes": {"name": ["grid-person-old", "grid-person"]},
        "reason": "",
        "ip": None,
    }


@pytest.mark.parametrize("name", ["gridworker", "window", "stranger"])
def test_roles_that_do_not_audit_get_403(
    login: Login, world: World, events: Events, name: str
) -> None:
    response = login(world.users[name]).get(EVENTS)

    assert response.status_code == 403


def test_anonymous_gets_401(client: Client, events: Events) -> None:
    assert client.get(EVENTS).status_code == 401


def test_filters(login: Login, world: World, events: Events) -> None:
    reveal = audit_record(
        actor=world.users["window"],
        action=Action.REVEAL,
        obj=Target("people.person", "77", "王五", region_path=world.grid.path),
        changes={"field": "phone"},
        reason="回访",
    )
    client = login(world.users["admin"])

    assert ids(client.get(EVENTS, {"action": "reveal"})) == [reveal.pk]
    assert ids(client.get(EVENTS, {"actor": "wind"})) == [reveal.pk]
    assert ids(client.get(EVENTS, {"object_type": "people.person", "object_id": "77"})) == [
        reveal.pk
    ]
    assert ids(client.get(EVENTS, {"q": "回访"})) == [reveal.pk]
    assert client.get(EVENTS, {"date_from": "2000-01-01"}).json()["count"] == 6
    assert client.get(EVENTS, {"date_to": "2000-01-01"}).json()["count"] == 0
    assert client.get(EVENTS, {"action": "nonsense"}).status_code == 422


def test_limit_and_offset(login: Login, world: World, db: None) -> None:
    made = [record(world.users["admin"], world.grid.path, f"p{n}").pk for n in range(7)]
    client = login(world.users["admin"])

    page = client.get(EVENTS, {"limit": 3, "offset": 3}).json()

    assert page["count"] == 7
    assert [item["id"] for item in page["items"]] == made[::-1][3:6]
    assert client.get(EVENTS, {"limit": 0}).status_code == 422


def test_detail(login: Login, world: World, events: Events) -> None:
    response = login(world.users["director"]).get(f"{EVENTS}/{events.grid.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["hash"] == events.grid.hash
    assert body["prev_hash"] == events.grid.prev_hash
    assert body["region_path"] == world.grid.path


def test_detail_out_of_scope_is_404(login: Login, world: World, events: Events) -> None:
    client = login(world.users["director"])

    for event in (events.other_street, events.other_community, events.unplaced):
        response = client.get(f"{EVENTS}/{event.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "not found"}


def test_stranger_gets_404_for_another_grid(login: Login, world: World, events: Events) -> None:
    client = login(world.users["stranger"])

    assert client.get(f"{EVENTS}/{events.grid.pk}").status_code == 404
    assert client.get(f"{EVENTS}/{events.sibling.pk}").status_code == 403
