"""Factories for the case engine's tests: units, their staff, cases on a chosen day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from freezegun import freeze_time

from shequ.accounts.models import User
from shequ.cases.models import Case, Clock
from shequ.cases.services import case_open, case_transition
from shequ.lib.codes import new_code
from shequ.regions.models import Region, RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import UserFactory, World

PHONE = "13800138000"


@contextmanager
def on_day(day: dt.date) -> Iterator[None]:
    """Make `day` the engine's "today" (deadlines, pauses, the scan): 10:00 in Shanghai."""
    with freeze_time(f"{day} 02:00:00"):
        yield


def make_unit(
    region: Region, code: str = "U-CIVIL", name: str = "民政科", kind: str = UnitKind.STREET_OFFICE
) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=kind, region=region)


def unit_staff(unit: Unit, role: str = Role.BACK_OFFICE, username: str | None = None) -> User:
    """A user who holds `role` at the unit's node, working for the unit."""
    user: User = UserFactory(username=username) if username else UserFactory()  # type: ignore[assignment]
    RoleAssignment.objects.create(user=user, role=role, region=unit.region, unit=unit)
    return user


def region_staff(region: Region, role: str = Role.BACK_OFFICE) -> User:
    """A user who holds `role` at a node and works for no unit."""
    user: User = UserFactory()  # type: ignore[assignment]
    RoleAssignment.objects.create(user=user, role=role, region=region)
    return user


def open_application(
    world: World,
    unit: Unit | None,
    *,
    on: dt.date = dt.date(2026, 2, 11),
    days: int = 5,
    region: Region | None = None,
    phone: str = PHONE,
    actor: Any = None,
    title: str = "最低生活保障申请",
) -> Case:
    """An application accepted at a window on `on` (the clock starts that day)."""
    with on_day(on):
        return case_open(
            case_type="application",
            actor=actor or world.users["window"],
            region=region or world.community,
            title=title,
            requester_name="张三",
            requester_phone=phone,
            owner_unit=unit,
            promised_days=days,
            first_responder=actor or world.users["window"],
        )


def move(case: Case, name: str, actor: Any, on: dt.date, note: str = "") -> Case:
    """Take one transition on the given day."""
    with on_day(on):
        return case_transition(case=case, name=name, actor=actor, note=note)


def bulk_cases(
    count: int,
    *,
    region: Region,
    unit: Unit | None,
    due: dt.date | None,
    clock: str = Clock.RUNNING,
    handler: Any = None,
    first_responder: Any = None,
    state: str = "handling",
) -> list[Case]:
    """Insert `count` application cases directly (no timeline): background rows for scans."""
    return Case.objects.bulk_create(
        Case(
            type_key="application",
            state=state,
            tracking_code=new_code(),
            title=f"申请 {index}",
            region=region,
            owner_unit=unit,
            handler=handler,
            first_responder=first_responder,
            requester_name="李四",
            promised_days=5,
            clock=clock,
            started_on=dt.date(2026, 3, 2),
            due_date=due,
            paused_on=dt.date(2026, 3, 5) if clock == Clock.PAUSED else None,
        )
        for index in range(count)
    )
