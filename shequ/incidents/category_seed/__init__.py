"""The starting incident category table: the standard classes and about a hundred subclasses.

The classes are those of the national practice (STANDARDS.md, "Incidents"); the subclasses are
those a Chinese city's digital urban-management table usually holds, with the filing and
closing conditions, time limits and handling units such a table sets. A district edits them
afterwards or loads its own city's table from a file.

`incident_categories_seed` is idempotent: units, classes and subclasses are matched by code,
and a subclass whose values did not change is not written again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.incidents.category_seed.components import COMPONENTS
from shequ.incidents.category_seed.events import EVENTS
from shequ.incidents.category_seed.vocabulary import CLASSES, UNITS, SeedCategory
from shequ.incidents.models import IncidentCategory
from shequ.incidents.services import category_save, class_save
from shequ.regions.models import Region, Unit

__all__ = ["CATEGORIES", "CLASSES", "UNITS", "SeedCategory", "incident_categories_seed"]

CATEGORIES: tuple[SeedCategory, ...] = COMPONENTS + EVENTS


def units_ensure(*, district: Region, actor: Any = None) -> dict[str, Unit]:
    """The seed's handling units, created at the district node when missing (audited)."""
    existing = {
        unit.code: unit for unit in Unit.objects.filter(code__in=[c for c, _n, _k in UNITS])
    }
    for code, name, kind in UNITS:
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
def incident_categories_seed(*, district: Region, actor: Any = None) -> dict[str, int]:
    """Create the units, classes and subclasses that are missing; update those that differ.

    Returns counts: units made, subclasses made, changed and unchanged.
    """
    units_before = Unit.objects.filter(code__in=[code for code, _n, _k in UNITS]).count()
    units = units_ensure(district=district, actor=actor)
    classes = {
        (kind, code): class_save(actor=actor, kind=kind, code=code, name=name)
        for kind, code, name in CLASSES
    }
    stamps = dict(IncidentCategory.objects.values_list("pk", "updated_at"))
    counts = {"units": len(UNITS) - units_before, "created": 0, "changed": 0, "unchanged": 0}
    for seed in CATEGORIES:
        category = category_save(
            actor=actor,
            incident_class=classes[(seed.kind, seed.class_code)],
            code=seed.code,
            values={
                "name": seed.name,
                "filing_condition": seed.filing,
                "closing_condition": seed.closing,
                "time_limit": seed.limit,
                "time_limit_kind": str(seed.limit_kind),
                "default_unit": units[seed.unit] if seed.unit else None,
                "default_tier": str(seed.tier),
            },
        )
        if category.pk not in stamps:
            counts["created"] += 1
        elif stamps[category.pk] != category.updated_at:
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
    return counts
