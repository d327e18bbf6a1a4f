"""A small category table for the tests: two classes of each kind, four subclasses, one unit."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.test import Client

from shequ.accounts.models import User
from shequ.incidents import category_io
from shequ.incidents.models import IncidentCategory
from shequ.incidents.services import category_save, class_save
from shequ.lib.tabular import write_csv
from shequ.regions.models import Unit, UnitKind
from shequ.regions.tests.factories import World

HEADERS = category_io.HEADERS


@dataclass
class Table:
    unit: Unit
    cover: IncidentCategory  # 部件 0101 上水井盖
    lamp: IncidentCategory  # 部件 0211 路灯 (retired)
    garbage: IncidentCategory  # 事件 0102 暴露垃圾
    vendor: IncidentCategory  # 事件 0501 无照经营游商


def values(**changes: Any) -> dict[str, Any]:
    return {
        "name": "暴露垃圾",
        "filing_condition": "公共场所成堆、成片的生活垃圾",
        "closing_condition": "垃圾清除",
        "time_limit": 4,
        "time_limit_kind": "working_hours",
        "default_unit": None,
        "default_tier": "district",
        **changes,
    }


def make_table(world: World) -> Table:
    unit = Unit.objects.create(
        code="D-HW", name="区环境卫生服务中心", kind=UnitKind.DEPARTMENT, region=world.district
    )
    public = class_save(actor=None, kind="component", code="01", name="公用设施")
    roads = class_save(actor=None, kind="component", code="02", name="道路交通")
    looks = class_save(actor=None, kind="event", code="01", name="市容环境")
    order = class_save(actor=None, kind="event", code="05", name="街面秩序")
    return Table(
        unit=unit,
        cover=category_save(
            actor=None,
            incident_class=public,
            code="01",
            values=values(name="上水井盖", time_limit=2, time_limit_kind="urgent_hours"),
        ),
        lamp=category_save(
            actor=None,
            incident_class=roads,
            code="11",
            values=values(
                name="路灯", time_limit=2, time_limit_kind="working_days", is_active=False
            ),
        ),
        garbage=category_save(
            actor=None, incident_class=looks, code="02", values=values(default_unit=unit)
        ),
        vendor=category_save(
            actor=None,
            incident_class=order,
            code="01",
            values=values(name="无照经营游商", time_limit=2, default_tier="street"),
        ),
    )


def row(**cells: Any) -> list[Any]:
    """A file row for 事件 01 市容环境 / 03 积存垃圾渣土, with cells replaced by header."""
    base = {
        "类型": "事件",
        "大类代码": "01",
        "大类名称": "市容环境",
        "小类代码": "03",
        "小类名称": "积存垃圾渣土",
        "立案条件": "建筑垃圾、渣土堆积超过临时堆放时限",
        "结案条件": "清运完毕",
        "处置时限": "1",
        "时限类型": "工作日",
        "处置单位编码": "D-HW",
        "处置层级": "区",
        "启用": "是",
        **cells,
    }
    return [base[header] for header in HEADERS]


def csv_file(rows: list[list[Any]], headers: list[str] = HEADERS) -> io.BytesIO:
    return io.BytesIO(write_csv(rows, headers))


def state() -> list[tuple[Any, ...]]:
    """The whole table, to show that a refused import changed nothing."""
    return list(
        IncidentCategory.objects.order_by("pk").values_list(
            "pk", "incident_class__name", "name", "time_limit", "is_active", "updated_at"
        )
    )


def login(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client
