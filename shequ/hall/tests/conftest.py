"""Fixtures of the hall tests: a department and a catalog item (builders in catalog_data.py)."""

from __future__ import annotations

import pytest

from shequ.hall.models import ServiceItem
from shequ.hall.services import item_save
from shequ.hall.tests.catalog_data import MATERIALS, values
from shequ.regions.models import Unit, UnitKind
from shequ.regions.tests.factories import World


@pytest.fixture
def unit(world: World) -> Unit:
    return Unit.objects.create(
        code="D-MZ", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )


@pytest.fixture
def item(world: World, unit: Unit) -> ServiceItem:
    return item_save(
        actor=world.users["admin"], code="MZ-006", values=values(unit), materials=MATERIALS
    )
