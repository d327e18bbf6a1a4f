"""The hotline's lists, kept by the district administrator: categories, the units calls go to
(and their handlers), and who is responsible for a category where."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record, diff, snapshot
from shequ.cases.deadlines import LimitKind
from shequ.hotline.models import Category, Responsibility
from shequ.regions.models import Region, RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role


def _require_admin(actor: Any) -> None:
    from shequ.hotline.selectors import can_manage_lists

    if actor is not None and not can_manage_lists(actor):
        raise PermissionDenied(_("The hotline's lists are kept by the district administrator"))


@transaction.atomic
def category_save(
    *,
    actor: Any,
    category: Category | None = None,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> Category:
    """Create or change a category (code, name, limits, active)."""
    _require_admin(actor)
    fields: tuple[str, ...] = ("code", "name", "sign_for_hours", "handling_amount")
    fields += ("handling_kind", "urgent_hours", "is_active")
    target = category or Category()
    # The stored row, not the caller's object: a model form has already set its new values.
    before = snapshot(Category.objects.get(pk=category.pk), fields) if category else {}
    for name in fields:
        if name in values:
            setattr(target, name, values[name])
    target.code = str(target.code).strip()
    target.name = str(target.name).strip()
    if target.handling_kind not in LimitKind.values:
        raise ValidationError({"handling_kind": [_("Choose how the limit is counted")]})
    duplicate = Category.objects.filter(code=target.code).exclude(pk=target.pk).exists()
    if duplicate:
        raise ValidationError({"code": [_("Another category has this code")]})
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE if category else Action.CREATE,
        obj=target,
        changes=diff(before, snapshot(target, fields)),
        request=request,
    )
    return target


@transaction.atomic
def unit_save(
    *,
    actor: Any,
    unit: Unit | None = None,
    code: str,
    name: str,
    kind: str,
    region: Region,
    request: HttpRequest | None = None,
) -> Unit:
    """Create or change a unit calls go to: a department or a partner unit 加盟单位."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    if not code.strip():
        errors["code"] = [_("Enter the unit's code")]
    elif Unit.objects.filter(code=code.strip()).exclude(pk=unit.pk if unit else 0).exists():
        errors["code"] = [_("Another unit has this code")]
    if not name.strip():
        errors["name"] = [_("Enter the unit's name")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("Choose the kind of unit")]
    if errors:
        raise ValidationError(errors)
    target = unit or Unit()
    fields = ("code", "name", "kind")
    # The stored row, not the caller's object: a model form has already set its new values.
    before = snapshot(Unit.objects.get(pk=unit.pk), fields) if unit else {}
    target.code, target.name, target.kind, target.region = code.strip(), name.strip(), kind, region
    target.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE if unit else Action.CREATE,
        obj=target,
        changes=diff(before, snapshot(target, fields)),
        request=request,
        region_path=region.path,
    )
    return target


@transaction.atomic
def unit_handler_add(
    *, actor: Any, unit: Unit, user: Any, request: HttpRequest | None = None
) -> RoleAssignment:
    """Let a staff user handle the unit's hotline matters (back office at the unit's node)."""
    from shequ.regions.services import assignment_create

    _require_admin(actor)
    return assignment_create(
        actor=actor,
        user=user,
        role=Role.BACK_OFFICE,
        region=unit.region,
        unit=unit,
        request=request,
    )


@transaction.atomic
def responsibility_save(
    *,
    actor: Any,
    category: Category,
    region: Region,
    lead_unit: Unit,
    assisting_units: Sequence[Unit] = (),
    duty: str = "",
    request: HttpRequest | None = None,
) -> Responsibility:
    """Set who leads and who assists on a category within a node's subtree."""
    _require_admin(actor)
    assisting = [unit for unit in assisting_units if unit.pk != lead_unit.pk]
    entry, created = Responsibility.objects.get_or_create(
        category=category, region=region, defaults={"lead_unit": lead_unit, "duty": duty}
    )
    before = {} if created else {"lead_unit": entry.lead_unit_id, "duty": entry.duty}
    entry.lead_unit, entry.duty = lead_unit, duty.strip()[:200]
    entry.save()
    entry.assisting_units.set(assisting)
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=entry,
        changes={
            "lead_unit": [before.get("lead_unit"), lead_unit.pk],
            "assisting_units": sorted(unit.pk for unit in assisting),
            "duty": [before.get("duty"), entry.duty],
        },
        request=request,
        region_path=region.path,
    )
    return entry


@transaction.atomic
def responsibility_delete(
    *, actor: Any, entry: Responsibility, request: HttpRequest | None = None
) -> None:
    _require_admin(actor)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=Target("hotline.responsibility", str(entry.pk), str(entry), entry.region.path),
        changes={"category": entry.category_id, "lead_unit": entry.lead_unit_id},
        request=request,
    )
    entry.delete()
