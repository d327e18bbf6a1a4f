"""Editing the visit plans: how often each care group is visited (district administrators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.people.models_care import AGED_KEY, CareKind, VisitPlan
from shequ.regions import permissions as perms

# A plan asks for a visit at least once a year and at most once a day.
INTERVAL_MIN = 1
INTERVAL_MAX = 365


def can_edit_plans(user: Any) -> bool:
    """The plans hold for the whole district: its administrators set them."""
    return perms.is_district_admin(user)


def plan_kinds() -> list[str]:
    """The care groups a plan may exist for: aged 70+ and every kind of care tag."""
    return [AGED_KEY, *CareKind.values]


@transaction.atomic
def visit_plan_update(
    *, actor: Any, kind: str, interval_days: int, active: bool, request: Any = None
) -> VisitPlan:
    """Set one care group's interval and whether it is active; audited with the old values.

    A group without a plan yet (the migration seeds most, not all) gets one. Raises
    PermissionDenied for anyone but a district administrator and ValidationError for an
    unknown group or an interval outside 1-365 days (nothing is changed then).
    """
    if not can_edit_plans(actor):
        raise PermissionDenied(_("Visit plans are set by district administrators"))
    if kind not in plan_kinds():
        raise ValidationError({"kind": _("Choose a care group.")})
    if not INTERVAL_MIN <= interval_days <= INTERVAL_MAX:
        raise ValidationError(
            {
                "interval_days": _("Enter a number of days from %(low)d to %(high)d.")
                % {"low": INTERVAL_MIN, "high": INTERVAL_MAX}
            }
        )
    plan = VisitPlan.objects.select_for_update().filter(kind=kind).first()
    if plan is None:
        plan = VisitPlan.objects.create(kind=kind, interval_days=interval_days, active=active)
        created = {"kind": kind, "interval_days": interval_days, "active": active}
        audit_record(actor=actor, action=Action.CREATE, obj=plan, changes=created, request=request)
        return plan
    changes: dict[str, Any] = {}
    if plan.interval_days != interval_days:
        changes["interval_days"] = [plan.interval_days, interval_days]
    if plan.active != active:
        changes["active"] = [plan.active, active]
    if not changes:
        return plan
    plan.interval_days = interval_days
    plan.active = active
    plan.save(update_fields=["interval_days", "active"])
    audit_record(actor=actor, action=Action.UPDATE, obj=plan, changes=changes, request=request)
    return plan
