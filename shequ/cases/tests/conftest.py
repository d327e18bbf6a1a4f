"""Fixtures of the case-page tests (data builders in pages.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shequ.cases.models import Case
from shequ.cases.services import case_transition
from shequ.cases.tests.pages import Hall, Queue, accept, at, back_office, id_number, make_item
from shequ.people.services import person_create
from shequ.regions.models import Unit, UnitKind
from shequ.regions.tests.factories import World


@pytest.fixture(autouse=True)
def _urls_loaded() -> None:
    """Load the URL map before any frozen clock: the API schemas do not build under one."""
    reverse("cases:queue")


@pytest.fixture
def hall(world: World) -> Hall:
    unit = Unit.objects.create(
        code="MZJ", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    other_unit = Unit.objects.create(
        code="RSJ", name="区人社局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    admin = world.users["admin"]
    return Hall(
        unit=unit,
        other_unit=other_unit,
        back=back_office(world, unit, "back"),
        other_back=back_office(world, other_unit, "otherback"),
        item=make_item("S001", unit),
        other_item=make_item("S002", other_unit),
        elder=person_create(
            actor=admin,
            region=world.grid,
            name="张伟",
            id_number="11010519491231002X",
            phone="13812345678",
        ),
        young=person_create(
            actor=admin,
            region=world.grid,
            name="李娜",
            id_number=id_number("11010519900307122"),
            phone="13900001111",
        ),
    )


@pytest.fixture
def queue(world: World, hall: Hall) -> Queue:
    with at("2026-03-02"):
        late = accept(world, hall)  # due 03-09
    with at("2026-03-05"):
        soon = accept(world, hall)  # due 03-12
    with at("2026-03-09"):
        paused = accept(world, hall, applicant=hall.elder)  # due 03-16
    with at("2026-03-10"):
        case_transition(case=paused, name="take", actor=hall.back)
        case_transition(case=paused, name="request_correction", actor=hall.back, note="缺证明")
    with at("2026-03-12"):
        later = accept(world, hall)
        Case.objects.filter(pk=later.pk).update(promised_days=10, due_date=dt.date(2026, 3, 26))
        other = accept(world, hall, item=hall.other_item)  # due 03-19
        elsewhere = accept(world, hall, region=world.other_community)  # due 03-19
    for case in (late, soon, paused, later, other, elsewhere):
        case.refresh_from_db()
    return Queue(late, soon, paused, later, other, elsewhere)
