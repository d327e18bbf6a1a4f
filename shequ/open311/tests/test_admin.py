"""District administrators manage the clients' keys and the service attributes in the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from shequ.audit.models import Action, AuditEvent
from shequ.incidents.tests.table import Table
from shequ.open311.models import AttributeValue, Open311Key, ServiceAttribute
from shequ.open311.tests.helpers import BASE, Client311, data, post
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff

pytestmark = pytest.mark.django_db

KEYS = "/admin/open311/open311key/"
ATTRIBUTES = "/admin/open311/serviceattribute/"


def admin_client(world: World) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users["admin"])
    return client


def values_form(rows: list[tuple[str, str]], prefix: str = "values") -> dict[str, Any]:
    form: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, (key, name) in enumerate(rows):
        form |= {
            f"{prefix}-{number}-order": str(number + 1),
            f"{prefix}-{number}-key": key,
            f"{prefix}-{number}-name": name,
        }
    return form


def test_a_district_administrator_makes_a_key_and_sees_it_once(world: World, table: Table) -> None:
    admin = admin_client(world)
    app_user = staff(Role.SUPERVISOR, world.district, "citizen-app")
    assert admin.get(f"{KEYS}add/").status_code == 200
    response = admin.post(
        f"{KEYS}add/",
        {"name": "市民通", "user": app_user.pk, "region": world.district.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    key = Open311Key.objects.get()
    raw = response.context["raw"]
    assert raw.startswith(key.prefix) and raw.startswith("o311_")
    assert raw in response.content.decode()
    assert key.key_hash != raw and raw not in str(Open311Key.objects.values().get())
    event = AuditEvent.objects.get(object_type="open311.open311key")
    assert (event.action, event.actor_id) == (Action.CREATE, world.users["admin"].pk)
    assert raw not in str(event.changes)
    # The key is shown nowhere else: not on the list, not on its page.
    assert raw not in admin.get(KEYS).content.decode()
    assert raw not in admin.get(f"{KEYS}{key.pk}/change/").content.decode()
    # And it works.
    assert post(Client(), "json", api_key=raw).status_code == 200


def test_a_key_for_a_grid_workers_account_is_refused_in_the_form(
    world: World, table: Table
) -> None:
    admin = admin_client(world)
    response = admin.post(
        f"{KEYS}add/",
        {
            "name": "网格通",
            "user": world.users["gridworker"].pk,
            "region": world.grid.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Choose an account that is not a grid worker" in response.content.decode()
    assert not Open311Key.objects.exists()


def test_turning_a_key_off_is_audited_and_refuses_its_posts(world: World, app: Client311) -> None:
    admin = admin_client(world)
    response = admin.post(
        f"{KEYS}{app.key.pk}/change/",
        {"name": "市民通（停用）", "user": app.user.pk, "region": world.district.pk},
    )
    assert response.status_code == 302
    app.key.refresh_from_db()
    assert (app.key.name, app.key.is_active) == ("市民通（停用）", False)
    event = AuditEvent.objects.filter(object_type="open311.open311key").latest("id")
    assert event.action == Action.UPDATE
    assert event.changes == {
        "name": ["市民通", "市民通（停用）"],
        "is_active": ["True", "False"],
    }
    assert post(Client(), "json", api_key=app.raw).status_code == 403
    # Keys stay for the requests they posted: they are turned off, not deleted.
    assert admin.post(f"{KEYS}{app.key.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Open311Key.objects.filter(pk=app.key.pk).exists()


def test_other_staff_cannot_reach_the_keys(world: World, app: Client311) -> None:
    client = Client()
    client.force_login(world.users["director"])
    assert client.get(KEYS).status_code == 302
    assert client.get(f"{KEYS}{app.key.pk}/change/").status_code == 302
    assert client.get(ATTRIBUTES).status_code == 302


def test_an_attribute_with_its_values_is_made_in_the_admin(
    client: Client, world: World, table: Table
) -> None:
    admin = admin_client(world)
    assert admin.get(f"{ATTRIBUTES}add/").status_code == 200
    before = data(client.get(f"{BASE}/discovery.json"))["changeset"]
    later = (timezone.now() + dt.timedelta(minutes=5)).replace(microsecond=0)
    with freeze_time(later):
        response = admin.post(
            f"{ATTRIBUTES}add/",
            {
                "service_code": "E0501",
                "order": "1",
                "code": "times",
                "description": "通常在什么时段出现？",
                "datatype": "multivaluelist",
                "variable": "on",
                "datatype_description": "",
                **values_form([("morning", "早上"), ("night", "夜间")]),
            },
        )
    assert response.status_code == 302, response.content.decode()
    attribute = ServiceAttribute.objects.get()
    assert list(attribute.values.values_list("key", "name")) == [
        ("morning", "早上"),
        ("night", "夜间"),
    ]
    assert set(
        AuditEvent.objects.filter(object_type__startswith="open311.").values_list(
            "object_type", flat=True
        )
    ) == {"open311.serviceattribute", "open311.attributevalue"}
    services = {s["service_code"]: s for s in data(client.get(f"{BASE}/services.json"))}
    assert services["E0501"]["metadata"] is True
    definition = data(client.get(f"{BASE}/services/E0501.json"))
    assert definition["attributes"][0]["values"] == [
        {"key": "morning", "name": "早上"},
        {"key": "night", "name": "夜间"},
    ]
    after = data(client.get(f"{BASE}/discovery.json"))["changeset"]
    assert after > before
    # Removing it is audited too, and moves the changeset again.
    removed = later + dt.timedelta(minutes=5)
    with freeze_time(removed):
        response = admin.post(f"{ATTRIBUTES}{attribute.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert data(client.get(f"{BASE}/discovery.json"))["changeset"] > after
    assert not AttributeValue.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service_code": "E9999"}, "No active service has the code E9999"),
        ({"code": "where[]"}, "Use letters, digits, - and _ only"),
        ({"datatype": "singlevaluelist", "rows": []}, "A list needs at least one value"),
        ({"datatype": "number", "rows": [("a", "A")]}, "Only a list takes values"),
    ],
)
def test_a_wrong_attribute_is_refused(
    world: World, table: Table, changes: dict[str, Any], message: str
) -> None:
    rows = changes.pop("rows", [("road", "道路")])
    form = {
        "service_code": "E0102",
        "order": "1",
        "code": "place",
        "description": "在哪里？",
        "datatype": "singlevaluelist",
        "variable": "on",
        **changes,
        **values_form(rows),
    }
    response = admin_client(world).post(f"{ATTRIBUTES}add/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceAttribute.objects.exists()


def test_the_requests_are_listed_for_the_administrators(
    client: Client, world: World, app: Client311
) -> None:
    post(client, "json", api_key=app.raw)
    admin = admin_client(world)
    response = admin.get("/admin/open311/servicerequest/")
    assert response.status_code == 200
    assert "暴露垃圾" in response.content.decode()
    assert admin.get("/admin/open311/servicerequest/add/").status_code == 403
