"""Shared data of the catalog tests: item values, the database state, logins."""

from __future__ import annotations

from typing import Any

from django.test import Client

from shequ.accounts.models import User
from shequ.hall import catalog_io
from shequ.hall.models import Material, ServiceItem
from shequ.regions.models import Unit

HEADERS = catalog_io.HEADERS
MATERIALS = [
    {"name": "居民身份证", "form": "both", "count": 1, "electronic_ok": True, "required": True},
    {"name": "户口簿", "form": "both", "count": 1, "electronic_ok": True, "required": True},
    {"name": "委托书", "form": "original", "count": 1, "electronic_ok": False, "required": False},
]


def values(unit: Unit, **changes: Any) -> dict[str, Any]:
    return {
        "name": "高龄津贴申领",
        "kind": "payment",
        "department_id": unit.pk,
        "legal_basis": "《中华人民共和国老年人权益保障法》",
        "procedure": "受理、审核、发放",
        "conditions": "年满80周岁",
        "promised_days": 10,
        "statutory_days": 20,
        "fee": "不收费",
        "online": True,
        "by_proxy": True,
        "delivery": False,
        "queue_group": "A",
        **changes,
    }


def state() -> list[tuple[Any, ...]]:
    """The catalog as stored: every version and every material."""
    items = list(
        ServiceItem.objects.order_by("code", "version").values_list(
            "code", "version", "is_current", "name", "promised_days", "department__code"
        )
    )
    materials = list(
        Material.objects.order_by("item__code", "item__version", "position").values_list(
            "item__code", "item__version", "name", "form", "count", "electronic_ok", "required"
        )
    )
    return [*items, *materials]


def edit_post(item: ServiceItem, **changes: Any) -> dict[str, Any]:
    """A complete POST of the edit form for `item`, with its materials and one empty row."""
    data: dict[str, Any] = {
        "name": item.name,
        "kind": item.kind,
        "department": item.department_id,
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "procedure": item.procedure,
        "promised_days": item.promised_days,
        "statutory_days": item.statutory_days,
        "fee": item.fee,
        "queue_group": item.queue_group,
        **({"online": "on"} if item.online else {}),
        **({"by_proxy": "on"} if item.by_proxy else {}),
        **({"delivery": "on"} if item.delivery else {}),
    }
    materials = list(item.materials.all())
    data |= {
        "materials-TOTAL_FORMS": len(materials) + 1,
        "materials-INITIAL_FORMS": len(materials),
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 60,
    }
    for index, material in enumerate(materials):
        data |= {
            f"materials-{index}-name": material.name,
            f"materials-{index}-form": material.form,
            f"materials-{index}-count": material.count,
            f"materials-{index}-note": material.note,
            **({f"materials-{index}-electronic_ok": "on"} if material.electronic_ok else {}),
            **({f"materials-{index}-required": "on"} if material.required else {}),
        }
    blank = len(materials)
    data |= {
        f"materials-{blank}-name": "",
        f"materials-{blank}-form": "both",
        f"materials-{blank}-count": "1",
        f"materials-{blank}-required": "on",
        f"materials-{blank}-note": "",
    }
    return data | changes


def login(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


# Versions ------------------------------------------------------------------------------------
