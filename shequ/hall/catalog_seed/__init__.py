"""The starting service catalog of a district: the departments and the items its halls accept.

Seed 000 speaks of "50多项" items that a community hall accepts for the district's departments;
this is such a catalog, as community halls in a Chinese district usually publish it. The legal
bases are the real national laws, regulations and State Council documents; the time limits are
working days, the promised limit never above the statutory one. A locality edits the catalog
afterwards (its own provincial rules, fees and forms): every edit makes a new version.

`catalog_seed` is idempotent: departments are matched by code, and an item whose values did not
change keeps its current version.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.hall.catalog_seed.items_services import SERVICE_ITEMS
from shequ.hall.catalog_seed.items_welfare import WELFARE_ITEMS
from shequ.hall.catalog_seed.vocabulary import DEPARTMENT_NAMES, DEPARTMENTS, FLOWS, SeedItem
from shequ.hall.models import ServiceItem
from shequ.hall.services import item_save
from shequ.regions.models import Region, Unit

__all__ = [
    "DEPARTMENTS",
    "DEPARTMENT_NAMES",
    "FLOWS",
    "ITEMS",
    "catalog_seed",
    "departments_ensure",
]

ITEMS: tuple[SeedItem, ...] = WELFARE_ITEMS + SERVICE_ITEMS


def departments_ensure(*, district: Region, actor: Any = None) -> dict[str, Unit]:
    """The seed's department units at the district node, created when missing (audited)."""
    existing = {u.code: u for u in Unit.objects.filter(code__in=DEPARTMENT_NAMES)}
    for code, name, kind in DEPARTMENTS:
        if code in existing:
            continue
        unit = Unit.objects.create(code=code, name=name, kind=kind, region=district)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=unit,
            changes={"code": [None, code], "name": [None, name], "kind": [None, str(kind)]},
            region_path=district.path,
        )
        existing[code] = unit
    return existing


@transaction.atomic
def catalog_seed(*, district: Region, actor: Any = None) -> dict[str, int]:
    """Create the departments and the items; an unchanged item keeps its version.

    Returns counts: departments and items made, items given a new version, items unchanged.
    """
    before_units = Unit.objects.filter(code__in=DEPARTMENT_NAMES).count()
    units = departments_ensure(district=district, actor=actor)
    current = dict(ServiceItem.objects.current().values_list("code", "pk"))
    counts = {
        "departments": len(DEPARTMENTS) - before_units,
        "created": 0,
        "versions": 0,
        "unchanged": 0,
    }
    for seed in ITEMS:
        item = item_save(
            actor=actor,
            code=seed.code,
            values=seed.values(units[seed.department]),
            materials=[material.as_values() for material in seed.materials],
        )
        if seed.code not in current:
            counts["created"] += 1
        elif current[seed.code] == item.pk:
            counts["unchanged"] += 1
        else:
            counts["versions"] += 1
    return counts
