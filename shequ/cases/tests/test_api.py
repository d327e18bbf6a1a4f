"""Cases through the API: reach by scope or unit, transitions with conflicts, extension, rating."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from shequ.accounts.models import User
from shequ.accounts.services import api_token_create
from shequ.audit.models import AuditEvent
from shequ.cases.models import Case, CaseEvent, Rating
from shequ.cases.tests.factories import make_unit, move, on_day, open_application, unit_staff
from shequ.regions.models import Region
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

D = dt.date
CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def api(user: User) -> Client:
    _token, raw = api_token_create(actor=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})


@dataclass
class Cast:
    handler: User
    hubei: Case  # accepted in 湖北社区, owned by the street's civil affairs office
    yuyuan: Case  # accepted in 御苑社区 (the other street), owned by the same office
    bayi: Case  # accepted in 八一社区, no owner


@pytest.fixture
def cast(world: World) -> Cast:
    civil = make_unit(world.street)
    yuyuan = Region.objects.get(code="130105002001")
    return Cast(
        handler=unit_staff(civil, username="handler"),
        hubei=open_application(world, civil),
        yuyuan=open_application(world, civil, region=yuyuan, title="高龄津贴申请"),
        bayi=open_application(world, None, region=world.other_community, title="临时救助"),
    )


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.state,
        case.handler_id,
        case.due_date,
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_list_reaches_scope_and_units(world: World, cast: Cast) -> None:
    assert ids(api(world.users["window"]).get(CASES)) == [cast.hubei.pk]
    # The office's handler sits at the street and works the office's cases everywhere.
    assert ids(api(cast.handler).get(CASES)) == [cast.hubei.pk, cast.yuyuan.pk, cast.bayi.pk]
    assert ids(api(world.users["stranger"]).get(CASES)) == []
    assert api(world.users["admin"]).get(CASES).json()["count"] == 3


def test_list_filters(world: World, cast: Cast) -> None:
    client = api(cast.handler)
    move(cast.hubei, "take", cast.handler, D(2026, 2, 12))

    assert ids(client.get(CASES, {"state": "handling"})) == [cast.hubei.pk]
    assert ids(client.get(CASES, {"type": "rectification"})) == []
    assert ids(client.get(CASES, {"type": "application", "limit": "1", "offset": "1"})) == [
        cast.yuyuan.pk
    ]
    with on_day(D(2026, 2, 25)):
        assert client.get(CASES, {"due": "overdue"}).json()["count"] == 0
    with on_day(D(2026, 3, 9)):
        assert client.get(CASES, {"due": "overdue"}).json()["count"] == 3
    assert client.get(CASES, {"due": "nonsense"}).status_code == 422


def test_detail_with_timeline(world: World, cast: Cast) -> None:
    move(cast.hubei, "take", cast.handler, D(2026, 2, 12))

    data = api(world.users["window"]).get(f"{CASES}/{cast.hubei.pk}").json()

    assert (data["tracking_code"], data["state"], data["state_label"]) == (
        cast.hubei.tracking_code,
        "handling",
        "Being handled",
    )
    assert data["owner_unit_name"] == "民政科"
    assert data["handler_name"] == str(cast.handler)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in data["timeline"]] == [
        ("open", "", "accepted"),
        ("take", "accepted", "handling"),
    ]
    assert [a["name"] for a in data["actions"]] == ["request_correction", "approve", "reject"]
    assert data["rating"] is None


def test_out_of_reach_is_404(world: World, cast: Cast) -> None:
    stranger = api(world.users["stranger"])
    window = api(world.users["window"])
    before = state(cast.yuyuan)

    assert stranger.get(f"{CASES}/{cast.hubei.pk}").status_code == 404
    assert window.get(f"{CASES}/{cast.yuyuan.pk}").status_code == 404
    assert window.get(f"{CASES}/999999").status_code == 404
    take = {"name": "take"}
    assert (
        window.post(f"{CASES}/{cast.yuyuan.pk}/transitions", take, "application/json").status_code
        == 404
    )
    extend = {"days": 2, "note": "现场核查"}
    assert (
        window.post(f"{CASES}/{cast.yuyuan.pk}/extend", extend, "application/json").status_code
        == 404
    )
    rate = {"level": 5}
    assert (
        window.post(f"{CASES}/{cast.yuyuan.pk}/rating", rate, "application/json").status_code == 404
    )
    assert state(cast.yuyuan) == before


def test_transition(world: World, cast: Cast) -> None:
    client = api(cast.handler)

    response = client.post(
        f"{CASES}/{cast.yuyuan.pk}/transitions",
        {"name": "take", "expected_state": "accepted"},
        "application/json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "handling"
    assert response.json()["handler_name"] == str(cast.handler)
    cast.yuyuan.refresh_from_db()
    assert (cast.yuyuan.state, cast.yuyuan.handler) == ("handling", cast.handler)


def test_transition_conflict_is_409(world: World, cast: Cast) -> None:
    client = api(cast.handler)
    move(cast.hubei, "take", cast.handler, D(2026, 2, 12))
    before = state(cast.hubei)

    response = client.post(
        f"{CASES}/{cast.hubei.pk}/transitions",
        {"name": "take", "expected_state": "accepted"},
        "application/json",
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        f"This matter was just moved to “Being handled” by {cast.handler} at "
    )
    assert state(cast.hubei) == before


@pytest.mark.parametrize("name", ["window", "supervisor"])
def test_transition_by_a_role_that_may_not_is_403(world: World, cast: Cast, name: str) -> None:
    client = api(world.users[name])
    before = state(cast.hubei)

    response = client.post(
        f"{CASES}/{cast.hubei.pk}/transitions", {"name": "take"}, "application/json"
    )

    assert response.status_code == 403
    assert state(cast.hubei) == before


def test_transition_without_a_needed_note_is_400(world: World, cast: Cast) -> None:
    client = api(cast.handler)
    move(cast.hubei, "take", cast.handler, D(2026, 2, 12))
    before = state(cast.hubei)

    response = client.post(
        f"{CASES}/{cast.hubei.pk}/transitions", {"name": "reject"}, "application/json"
    )
    unknown = client.post(
        f"{CASES}/{cast.hubei.pk}/transitions", {"name": "fly"}, "application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": {"note": ["Give a reason"]}}
    assert unknown.json() == {"detail": {"action": ["Unknown action fly"]}}
    assert state(cast.hubei) == before


def test_extend(world: World, cast: Cast) -> None:
    client = api(cast.handler)
    # 5 working days from 11 February, the Spring Festival off and 14 February worked.
    assert cast.hubei.due_date == D(2026, 2, 25)

    response = client.post(
        f"{CASES}/{cast.hubei.pk}/extend", {"days": 2, "note": "现场核查"}, "application/json"
    )

    assert response.status_code == 200
    assert response.json()["due_date"] == "2026-02-27"
    assert response.json()["timeline"][-1]["action"] == "extend"


def test_extend_refused(world: World, cast: Cast) -> None:
    window = api(world.users["window"])
    handler = api(cast.handler)
    before = state(cast.hubei)

    by_window = window.post(
        f"{CASES}/{cast.hubei.pk}/extend", {"days": 2, "note": "x"}, "application/json"
    )
    no_days = handler.post(
        f"{CASES}/{cast.hubei.pk}/extend", {"days": 0, "note": "x"}, "application/json"
    )

    assert by_window.status_code == 403
    assert no_days.status_code == 400
    assert no_days.json() == {"detail": {"days": ["An extension is at least one working day"]}}
    assert state(cast.hubei) == before


def test_callback_rating(world: World, cast: Cast) -> None:
    window = api(world.users["window"])
    early = window.post(f"{CASES}/{cast.hubei.pk}/rating", {"level": 5}, "application/json")
    assert early.status_code == 400
    assert Rating.objects.count() == 0
    for name, day in (("take", 12), ("approve", 13), ("deliver", 16)):
        actor = world.users["window"] if name == "deliver" else cast.handler
        move(cast.hubei, name, actor, D(2026, 2, day))

    response = window.post(
        f"{CASES}/{cast.hubei.pk}/rating", {"level": 4, "comment": "回访满意"}, "application/json"
    )

    assert response.status_code == 201
    assert response.json()["level"] == 4
    assert response.json()["level_label"] == "Satisfied"
    rating = Rating.objects.get()
    assert (rating.channel, rating.recorded_by, rating.comment) == (
        "callback",
        world.users["window"],
        "回访满意",
    )


def test_callback_rating_by_the_supervisor_is_403(world: World, cast: Cast) -> None:
    client = api(world.users["supervisor"])

    response = client.post(f"{CASES}/{cast.hubei.pk}/rating", {"level": 5}, "application/json")

    assert response.status_code == 403
    assert Rating.objects.count() == 0


def test_anonymous_gets_401(client: Client, cast: Cast) -> None:
    assert client.get(CASES).status_code == 401
    assert client.get(f"{CASES}/{cast.hubei.pk}").status_code == 401
