"""Writes to the incident category table. Every change is audited.

`class_save` and `category_save` create or update by code (the codes are the table's identity
in files and in other systems), so the edit page, the import and the seed all come through
the same two functions and the same checks.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record, diff, snapshot
from shequ.incidents.models import (
    IncidentCategory,
    IncidentClass,
    IncidentKind,
    Tier,
    TimeLimitKind,
)
from shequ.lib.pinyin import name_keys
from shequ.regions.models import Unit

CATEGORY_FIELDS = (
    "name",
    "filing_condition",
    "closing_condition",
    "time_limit",
    "time_limit_kind",
    "default_unit",
    "default_tier",
    "is_active",
)
# Beyond this a time limit is a typing error: a year of days, or of hours counted in weeks.
TIME_LIMIT_MAX = 365
_NAME_MAX = IncidentCategory._meta.get_field("name").max_length or 50


def validate_code(code: str, field: str) -> None:
    """Class and subclass codes are two digits (01 to 99), as the national tables number them."""
    if len(code) != 2 or not code.isdigit() or code == "00":
        raise ValidationError(
            {field: _("A code is two digits from 01 to 99, not “%(code)s”") % {"code": code}}
        )


@transaction.atomic
def class_save(
    *,
    actor: Any,
    kind: str,
    code: str,
    name: str,
    request: HttpRequest | None = None,
) -> IncidentClass:
    """The class of this kind and code, created or renamed to `name` (audited when changed)."""
    name = name.strip()
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": _("Choose a component or an event")})
    validate_code(code, "class_code")
    if not name:
        raise ValidationError({"class_name": _("Enter the class name")})
    found = IncidentClass.objects.select_for_update().filter(kind=kind, code=code).first()
    if found is None:
        found = IncidentClass.objects.create(kind=kind, code=code, name=name)
        changes = {"kind": [None, kind], "code": [None, code], "name": [None, name]}
        audit_record(actor=actor, action=Action.CREATE, obj=found, changes=changes, request=request)
    elif found.name != name:
        changes = {"name": [found.name, name]}
        found.name = name
        found.save(update_fields=["name"])
        audit_record(actor=actor, action=Action.UPDATE, obj=found, changes=changes, request=request)
    return found


def _check(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    name = values.get("name", "")
    if not name:
        errors["name"] = [_("Enter the subclass name")]
    elif len(name) > _NAME_MAX:
        errors["name"] = [_("A name has at most %(count)d characters") % {"count": _NAME_MAX}]
    for field, message in (
        ("filing_condition", _("Enter the filing condition: when a report is taken on")),
        ("closing_condition", _("Enter the closing condition: when the case may be closed")),
    ):
        if not values.get(field):
            errors[field] = [message]
    limit = values.get("time_limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= TIME_LIMIT_MAX:
        errors["time_limit"] = [
            _("The time limit is a whole number from 1 to %(max)d") % {"max": TIME_LIMIT_MAX}
        ]
    if values.get("time_limit_kind") not in TimeLimitKind.values:
        errors["time_limit_kind"] = [_("Choose how the time limit is counted")]
    if values.get("default_tier") not in Tier.values:
        errors["default_tier"] = [_("Choose the tier that handles it first")]
    unit = values.get("default_unit")
    if unit is not None and not isinstance(unit, Unit):
        errors["default_unit"] = [_("Choose a unit")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def category_save(
    *,
    actor: Any,
    incident_class: IncidentClass,
    code: str,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> IncidentCategory:
    """Create the subclass `code` of the class, or update it with `values`.

    `values` holds any of CATEGORY_FIELDS (a new subclass needs all but `default_unit` and
    `is_active`). Text is stripped; an update that changes nothing writes nothing. Raises
    ValidationError naming the field.
    """
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"not a category field: {', '.join(sorted(unknown))}")
    validate_code(code, "code")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    category = (
        IncidentCategory.objects.select_for_update()
        .filter(incident_class=incident_class, code=code)
        .first()
    )
    before = snapshot(category, CATEGORY_FIELDS) if category is not None else {}
    merged = {"default_unit": None, "is_active": True, **before, **values}
    _check(merged)
    if category is not None and merged == before:
        return category
    full, initials = name_keys(merged["name"])
    if category is None:
        category = IncidentCategory(incident_class=incident_class, code=code)
    for field, value in merged.items():
        setattr(category, field, value)
    category.name_pinyin, category.name_initials = full, initials
    category.save()
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if not before:
        changes = {"class": [None, str(incident_class)], "code": [None, code], **changes}
    audit_record(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=category,
        changes=changes,
        request=request,
    )
    return category
