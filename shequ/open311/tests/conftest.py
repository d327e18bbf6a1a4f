"""Fixtures of the Open311 tests: the category table, grids with boundaries, a client's key."""

from __future__ import annotations

import pytest

from shequ.incidents.tests.loop import draw_grids
from shequ.incidents.tests.table import Table, make_table
from shequ.open311.models import Datatype, ServiceAttribute
from shequ.open311.tests.helpers import Client311, client_key, garbage_attribute
from shequ.regions.tests.factories import World


@pytest.fixture
def table(world: World) -> Table:
    draw_grids(world)
    return make_table(world)


@pytest.fixture
def app(world: World, table: Table) -> Client311:
    """The key of 市民通 at the district: it may report anywhere."""
    return client_key("市民通", "citizen-app", world.district, actor=world.users["admin"])


@pytest.fixture
def definition(table: Table) -> list[ServiceAttribute]:
    """E0102 暴露垃圾 asks where (required), when, how much, since when, and two texts."""
    add = garbage_attribute
    return [
        add(
            "place",
            Datatype.SINGLE,
            "在哪里发现的？",
            required=True,
            values=[("road", "道路"), ("sidewalk", "人行道"), ("green", "绿地")],
        ),
        add(
            "times",
            Datatype.MULTI,
            "通常在什么时段出现？",
            values=[("morning", "早上"), ("night", "夜间")],
        ),
        add("area", Datatype.NUMBER, "大约多少平方米？", datatype_description="平方米"),
        add("since", Datatype.DATETIME, "什么时候开始有的？"),
        add("landmark", Datatype.STRING, "附近的标志物"),
        add("detail", Datatype.TEXT, "补充说明"),
        add("photo_tip", Datatype.STRING, "请勿拍摄他人面部", variable=False),
    ]
