"""A small hotline: an operator at the district, two departments and a partner unit with their
handlers, a category with its responsibility entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from shequ.accounts.models import User
from shequ.cases.tests.factories import unit_staff
from shequ.hotline.models import Category
from shequ.hotline.services import CallIn, call_take
from shequ.hotline.services_lists import category_save, responsibility_save
from shequ.regions.models import Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff


@dataclass
class Hotline:
    world: World
    operator: User
    water: Unit
    housing: Unit
    partner: Unit
    category: Category
    users: dict[str, User] = field(default_factory=dict)

    def call(self, text: str = "家里停水两天了，没人通知", **kw: Any) -> Any:
        merge = kw.pop("merge_into", None)
        link = kw.pop("link_to", None)
        actor = kw.pop("actor", self.operator)
        data = CallIn(
            text=text,
            region=kw.pop("region", self.world.grid),
            category=kw.pop("category", self.category),
            **kw,
        )
        return call_take(actor=actor, data=data, merge_into=merge, link_to=link)


@pytest.fixture
def hotline(world: World) -> Hotline:
    district = world.district
    water = Unit.objects.create(
        code="D-SW", name="区水务局", kind=UnitKind.DEPARTMENT, region=district
    )
    housing = Unit.objects.create(
        code="D-ZJ", name="区住建局", kind=UnitKind.DEPARTMENT, region=district
    )
    partner = Unit.objects.create(
        code="P-WATER", name="自来水公司", kind=UnitKind.PARTNER, region=district
    )
    category = category_save(
        actor=None,
        values={
            "code": "GS",
            "name": "供水",
            "sign_for_hours": 2,
            "handling_amount": 3,
            "handling_kind": "working_days",
            "urgent_hours": 12,
            "is_active": True,
        },
    )
    responsibility_save(
        actor=None, category=category, region=district, lead_unit=water, assisting_units=[partner]
    )
    result = Hotline(
        world=world,
        operator=staff(Role.HOTLINE_OPERATOR, district, "operator"),
        water=water,
        housing=housing,
        partner=partner,
        category=category,
    )
    result.users = {
        "water": unit_staff(water, username="water"),
        "housing": unit_staff(housing, username="housing"),
        "partner": unit_staff(partner, username="partner"),
    }
    return result
