"""Shared data and helpers of the case-page tests: a hall with two units, a queue of cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from shequ.accounts.models import User
from shequ.cases.models import Attachment, Case, CaseEvent, Rating
from shequ.hall.models import ServiceItem
from shequ.hall.services import item_save, window_accept
from shequ.lib.idnumbers import check_char
from shequ.people.models import Person
from shequ.regions.models import RoleAssignment, Unit
from shequ.regions.roles import Role
from shequ.regions.tests.factories import UserFactory, World

VIEW_DAY = "2026-03-12 02:00:00"  # 10:00 in Shanghai, a Thursday


def at(day: str) -> Any:
    """Freeze the clock at 10:00 Shanghai time of a day."""
    return freeze_time(f"{day} 02:00:00")


def id_number(first17: str) -> str:
    return first17 + check_char(first17)


@dataclass
class Hall:
    unit: Unit
    other_unit: Unit
    back: User  # back office of `unit`, whose role sits at the other street
    other_back: User  # back office of `other_unit`, same node
    item: ServiceItem
    other_item: ServiceItem
    elder: Person  # 76 years old: the result is offered at home
    young: Person


def back_office(world: World, unit: Unit, username: str) -> User:
    user: User = UserFactory(username=username)  # type: ignore[assignment]
    RoleAssignment.objects.create(
        user=user, role=Role.BACK_OFFICE, region=world.other_street, unit=unit
    )
    return user


def make_item(code: str, unit: Unit, promised: int = 5) -> ServiceItem:
    return item_save(
        actor=None,
        code=code,
        values={
            "name": f"事项{code}",
            "kind": "public_service",
            "department_id": unit.pk,
            "promised_days": promised,
            "statutory_days": 20,
            "delivery": True,
            "by_proxy": True,
        },
        materials=[
            {"name": "身份证", "form": "original"},
            {"name": "户口簿", "form": "copy", "required": False},
        ],
    )


def accept(world: World, hall: Hall, *, item: ServiceItem | None = None, **kwargs: Any) -> Case:
    item = item or hall.item
    required = list(item.materials.filter(required=True).values_list("pk", flat=True))
    return window_accept(
        actor=world.users["window"],
        item=item,
        applicant=kwargs.pop("applicant", hall.young),
        region=kwargs.pop("region", world.community),
        materials=required,
        **kwargs,
    )


def login(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def state_of(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.state,
        case.clock,
        case.due_date,
        case.handler_id,
        case.data,
        CaseEvent.objects.filter(case=case).count(),
        Rating.objects.filter(case=case).count(),
        Attachment.objects.filter(case=case).count(),
    )


def row_ids(response: Any) -> list[int]:
    return [row["case"].pk for row in response.context["rows"]]


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@dataclass
class Queue:
    late: Case
    soon: Case
    paused: Case
    later: Case
    other: Case  # another unit's application, same community
    elsewhere: Case  # accepted in the other community


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)
