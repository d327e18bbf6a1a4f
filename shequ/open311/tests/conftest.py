"""Fixtures of the Open311 tests: the category table, grids with boundaries, a client's key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shequ.accounts.models import User
from shequ.incidents.tests.loop import draw_grids
from shequ.incidents.tests.table import Table, make_table
from shequ.open311.models import Datatype, Open311Key, ServiceAttribute
from shequ.open311.services import attribute_add, key_create
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff


@dataclass
class Client311:
    """A client of the district: its key (raw and stored) and the account it files as."""

    key: Open311Key
    raw: str
    user: User


@pytest.fixture
def table(world: World) -> Table:
    draw_grids(world)
    return make_table(world)


@pytest.fixture
def app(world: World, table: Table) -> Client311:
    """The key of 市民通 at the district: it may report anywhere."""
    user = staff(Role.SUPERVISOR, world.district, "citizen-app")
    key, raw = key_create(
        actor=world.users["admin"], name="市民通", user=user, region=world.district
    )
    return Client311(key, raw, user)


@pytest.fixture
def definition(table: Table) -> list[ServiceAttribute]:
    """E0102 暴露垃圾 asks where (required), when, how much, since when, and two texts."""
    add = attribute_add
    return [
        add(
            actor=None,
            service_code="E0102",
            code="place",
            datatype=Datatype.SINGLE,
            description="在哪里发现的？",
            required=True,
            values=[("road", "道路"), ("sidewalk", "人行道"), ("green", "绿地")],
        ),
        add(
            actor=None,
            service_code="E0102",
            code="times",
            datatype=Datatype.MULTI,
            description="通常在什么时段出现？",
            values=[("morning", "早上"), ("night", "夜间")],
        ),
        add(
            actor=None,
            service_code="E0102",
            code="area",
            datatype=Datatype.NUMBER,
            description="大约多少平方米？",
            datatype_description="平方米",
        ),
        add(
            actor=None,
            service_code="E0102",
            code="since",
            datatype=Datatype.DATETIME,
            description="什么时候开始有的？",
        ),
        add(
            actor=None,
            service_code="E0102",
            code="landmark",
            datatype=Datatype.STRING,
            description="附近的标志物",
        ),
        add(
            actor=None,
            service_code="E0102",
            code="detail",
            datatype=Datatype.TEXT,
            description="补充说明",
        ),
        add(
            actor=None,
            service_code="E0102",
            code="photo_tip",
            datatype=Datatype.STRING,
            description="请勿拍摄他人面部",
            variable=False,
        ),
    ]
