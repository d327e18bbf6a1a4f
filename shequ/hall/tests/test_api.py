"""The hall's API: catalog, idempotent intake, and the public status lookup with its rate limit."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from shequ.accounts.models import User
from shequ.accounts.services import api_token_create
from shequ.audit.models import AuditEvent
from shequ.cases.models import Case, Clock, IdempotencyKey, Rating
from shequ.cases.tests.factories import make_unit, region_staff
from shequ.hall import ratelimit
from shequ.hall.api import LookupOut
from shequ.hall.models import Application, ItemKind, ServiceItem
from shequ.hall.services import item_save
from shequ.people.models import Person
from shequ.people.services import person_create
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
APPLICATIONS = "/api/v1/hall/applications"
LOOKUP = "/api/v1/hall/lookup"


@pytest.fixture(autouse=True)
def _english_and_fresh_limits() -> Iterator[None]:
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


def make_item(
    actor: User, unit: Any, code: str = "ITEM-001", name: str = "老年人优待证办理"
) -> ServiceItem:
    return item_save(
        actor=actor,
        code=code,
        values={
            "name": name,
            "kind": ItemKind.CERTIFICATE,
            "department_id": unit.pk,
            "promised_days": 5,
            "statutory_days": 20,
        },
        materials=[
            {"name": "居民身份证", "form": "original"},
            {"name": "一寸照片", "form": "original", "count": 2},
            {"name": "委托书", "form": "original", "required": False},
        ],
    )


def make_person(world: World, id_number: str = ID_NUMBER) -> Person:
    return person_create(
        actor=world.users["admin"], region=world.grid, name="王秀英", id_number=id_number,
        phone=PHONE,
    )  # fmt: skip


@pytest.fixture
def client() -> Client:
    """Someone without an account, reading English."""
    return Client(headers={"accept-language": "en"})


def api(user: User) -> Client:
    _token, raw = api_token_create(actor=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})


@dataclass
class Hall:
    item: ServiceItem
    person: Person
    required: list[int]


@pytest.fixture
def hall(world: World) -> Hall:
    unit = make_unit(world.street)
    item = make_item(world.users["admin"], unit)
    required = [m.pk for m in item.materials.filter(required=True)]
    return Hall(item, make_person(world), required)


def body(world: World, hall: Hall, **changes: Any) -> dict[str, Any]:
    return {
        "item_id": hall.item.pk,
        "applicant_id_number": ID_NUMBER,
        "region_id": world.community.pk,
        "materials": hall.required,
        **changes,
    }


def counts() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Application.objects.count(),
        IdempotencyKey.objects.count(),
        AuditEvent.objects.count(),
    )


# The catalog


def test_items_list_and_search(world: World, hall: Hall) -> None:
    other = make_item(world.users["admin"], hall.item.department, code="ITEM-002", name="高龄津贴")
    client = api(world.users["gridworker"])

    everything = client.get("/api/v1/hall/items").json()
    found = client.get("/api/v1/hall/items", {"q": "津贴"}).json()

    assert everything["count"] == 2
    assert [i["code"] for i in everything["items"]] == ["ITEM-001", "ITEM-002"]
    assert found["items"] == [
        {
            "id": other.pk,
            "code": "ITEM-002",
            "version": 1,
            "is_current": True,
            "name": "高龄津贴",
            "kind": "certificate",
            "department_id": hall.item.department_id,
            "department_name": "民政科",
            "promised_days": 5,
            "statutory_days": 20,
            "fee": "不收费",
            "online": False,
            "by_proxy": True,
            "delivery": False,
        }
    ]


def test_item_detail_has_materials(world: World, hall: Hall) -> None:
    data = api(world.users["window"]).get(f"/api/v1/hall/items/{hall.item.pk}").json()

    assert [(m["name"], m["count"], m["required"]) for m in data["materials"]] == [
        ("居民身份证", 1, True),
        ("一寸照片", 2, True),
        ("委托书", 1, False),
    ]


def test_unknown_item_is_404(world: World, hall: Hall) -> None:
    assert api(world.users["window"]).get("/api/v1/hall/items/999999").status_code == 404


def test_the_catalog_needs_an_account(client: Client, hall: Hall) -> None:
    assert client.get("/api/v1/hall/items").status_code == 401


# Intake


def test_intake_then_replay(world: World, hall: Hall) -> None:
    client = api(world.users["window"])
    headers = {"Idempotency-Key": "abc-1"}

    first = client.post(APPLICATIONS, body(world, hall), "application/json", headers=headers)
    again = client.post(APPLICATIONS, body(world, hall), "application/json", headers=headers)

    assert first.status_code == 201
    assert again.status_code == 200
    # The first answer is built without the schema's validation, the replay with it.
    assert again.json() == first.json()
    case = Case.objects.get()
    data = first.json()
    assert data["id"] == case.pk
    assert data["tracking_code"] == case.tracking_code
    assert (data["state"], data["state_label"], data["title"]) == (
        "accepted",
        "Accepted",
        "老年人优待证办理",
    )
    assert data["first_responder_name"] == str(world.users["window"])
    assert data["requester_phone_masked"] == "138****5678"
    assert data["clock"] == Clock.RUNNING
    application = Application.objects.get()
    assert (application.item, application.applicant) == (hall.item, hall.person)
    assert application.materials_received == sorted(hall.required)
    assert IdempotencyKey.objects.get().key == "abc-1"


def test_two_keys_make_two_cases(world: World, hall: Hall) -> None:
    client = api(world.users["window"])

    for key in ("k-1", "k-2"):
        response = client.post(
            APPLICATIONS, body(world, hall), "application/json", headers={"Idempotency-Key": key}
        )
        assert response.status_code == 201

    assert Case.objects.count() == 2


def test_intake_refused(world: World, hall: Hall) -> None:
    client = api(world.users["window"])
    before = counts()

    bad_number = client.post(
        APPLICATIONS,
        body(world, hall, applicant_id_number="110105194912310021"),
        "application/json",
    )
    unknown = client.post(
        APPLICATIONS,
        body(world, hall, applicant_id_number="110105194912310046"),
        "application/json",
    )
    missing = client.post(APPLICATIONS, body(world, hall, materials=[]), "application/json")
    no_item = client.post(APPLICATIONS, body(world, hall, item_id=999999), "application/json")

    assert bad_number.status_code == 400
    assert bad_number.json() == {
        "detail": {
            "applicant_id_number": [
                "The check character (character 18) should be X, not 1: check the number"
            ]
        }
    }
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "No person with this identity number is in the register"}
    assert missing.status_code == 400
    assert missing.json() == {
        "detail": {
            "materials": [
                "Required materials are missing: 居民身份证、一寸照片. Accept them all, or give a one-time notice."
            ]
        }
    }
    assert no_item.status_code == 404
    assert counts() == before


def test_intake_outside_the_scope_is_404(world: World, hall: Hall) -> None:
    client = api(world.users["window"])
    before = counts()

    response = client.post(
        APPLICATIONS, body(world, hall, region_id=world.other_community.pk), "application/json"
    )

    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize("name", ["director", "supervisor"])
def test_intake_by_a_role_that_is_not_a_window_worker_is_403(
    world: World, hall: Hall, name: str
) -> None:
    client = api(world.users[name])
    before = counts()

    response = client.post(APPLICATIONS, body(world, hall), "application/json")

    assert response.status_code == 403
    assert counts() == before


def test_intake_at_a_window_of_another_community(world: World, hall: Hall) -> None:
    """全区通办: a window worker of 八一社区 accepts for a resident registered in 湖北社区."""
    worker = region_staff(world.other_community, Role.WINDOW_WORKER)

    response = api(worker).post(
        APPLICATIONS, body(world, hall, region_id=world.other_community.pk), "application/json"
    )

    assert response.status_code == 201
    assert Case.objects.get().region == world.other_community


# The public lookup


@pytest.fixture
def accepted(world: World, hall: Hall) -> Case:
    response = api(world.users["window"]).post(APPLICATIONS, body(world, hall), "application/json")
    return Case.objects.get(pk=response.json()["id"])


def test_lookup_needs_no_account(client: Client, accepted: Case) -> None:
    response = client.post(
        LOOKUP, {"code": accepted.tracking_code.lower(), "phone_tail": "5678"}, "application/json"
    )

    assert response.status_code == 200
    data = response.json()
    assert data == {
        "code": "-".join(accepted.tracking_code[i : i + 4] for i in range(0, 13, 4)),
        "title": "老年人优待证办理",
        "state": "Your application has been accepted and sent to the office in charge.",
        "finished": False,
        "deadline": data["deadline"],
        "due_date": str(accepted.due_date),
        "timeline": [{"at": data["timeline"][0]["at"], "text": "Accepted at the service hall."}],
        "ratable": False,
        "rating": None,
        "followup": None,
    }
    assert data["deadline"].startswith("Due by ")
    assert str(accepted.first_responder) not in response.content.decode()
    # The endpoint answers without the schema's validation: the answer must still fit it.
    assert (
        json.loads(NinjaJSONEncoder().encode(LookupOut.model_validate(data).model_dump())) == data
    )


def test_lookup_with_wrong_digits_is_404(client: Client, accepted: Case) -> None:
    wrong = client.post(
        LOOKUP, {"code": accepted.tracking_code, "phone_tail": "0000"}, "application/json"
    )
    bad = client.post(LOOKUP, {"code": "ABC", "phone_tail": "12"}, "application/json")

    assert wrong.status_code == 404
    assert wrong.json() == {"detail": "There is no matter with this code and phone number."}
    assert bad.status_code == 400
    assert set(bad.json()["detail"]) == {"code", "phone_tail"}


def test_lookup_is_rate_limited(
    client: Client, accepted: Case, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.STATUS_LOOKUPS_PER_MINUTE = 3
    # All attempts fall in one window, whatever the minute the test starts in.
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)
    data = {"code": accepted.tracking_code, "phone_tail": "5678"}

    answers = [client.post(LOOKUP, data, "application/json").status_code for _ in range(4)]
    rating = client.post(f"{LOOKUP}/rating", {**data, "level": 5}, "application/json")

    assert answers == [200, 200, 200, 429]
    assert rating.status_code == 429
    assert rating.json() == {
        "detail": "Too many lookups from this device. Please wait a minute and try again."
    }


def finish(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(state="delivered", clock=Clock.STOPPED)


def test_public_rating(client: Client, accepted: Case) -> None:
    data = {"code": accepted.tracking_code, "phone_tail": "5678"}
    early = client.post(f"{LOOKUP}/rating", {**data, "level": 5}, "application/json")
    assert early.status_code == 400
    assert early.json() == {"detail": {"level": ["A matter can be rated once it is finished"]}}
    assert Rating.objects.count() == 0
    finish(accepted)

    response = client.post(
        f"{LOOKUP}/rating", {**data, "level": 4, "comment": "很快"}, "application/json"
    )
    twice = client.post(f"{LOOKUP}/rating", {**data, "level": 1}, "application/json")

    assert response.status_code == 201
    assert response.json()["rating"] == 4
    assert response.json()["ratable"] is False
    rating = Rating.objects.get()
    assert (rating.case, rating.level, rating.comment, rating.channel) == (
        accepted,
        4,
        "很快",
        "api",
    )
    assert twice.status_code == 400
    assert Rating.objects.count() == 1


def test_public_rating_with_wrong_digits_is_404(client: Client, accepted: Case) -> None:
    finish(accepted)

    response = client.post(
        f"{LOOKUP}/rating",
        {"code": accepted.tracking_code, "phone_tail": "1111", "level": 5},
        "application/json",
    )

    assert response.status_code == 404
    assert Rating.objects.count() == 0


def test_a_poor_public_rating_shows_the_rectification(client: Client, accepted: Case) -> None:
    finish(accepted)
    data = {"code": accepted.tracking_code, "phone_tail": "5678"}

    rated = client.post(f"{LOOKUP}/rating", {**data, "level": 2}, "application/json")
    looked_up = client.post(LOOKUP, data, "application/json")

    assert rated.status_code == 201
    assert looked_up.json()["rating"] == 2
    assert looked_up.json()["followup"] == (
        "We have your rating and will contact you within one working day."
    )
    assert Case.objects.filter(parent=accepted, type_key="rectification").count() == 1
