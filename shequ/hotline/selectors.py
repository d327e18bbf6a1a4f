"""Who reaches which hotline case, and the hotline's permission questions.

A hotline case is reached as every case is (the region scope, or the unit that owns it:
`cases.selectors.cases_for`), and also by the staff of an assisting unit of its current
dispatch. Anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from shequ.cases.models import Case
from shequ.cases.selectors import cases_for
from shequ.hotline.casetype import CENTRE, MANAGERS, OPERATOR
from shequ.hotline.models import Assist, HotlineCase
from shequ.regions import permissions as perms
from shequ.regions.models import Unit
from shequ.regions.roles import Role

HOTLINE_TYPES = ("hotline", "opinion")
INDICATOR_ROLES = perms.LEADER_ROLES | OPERATOR | {Role.SUPERVISOR}


def is_operator(user: Any, region: Any = None) -> bool:
    return perms.has_role(user, OPERATOR, region)


def is_centre(user: Any, region: Any = None) -> bool:
    """An operator or a manager of the hotline centre (street manager, district admin)."""
    return perms.has_role(user, CENTRE, region)


def is_manager(user: Any, region: Any = None) -> bool:
    return perms.has_role(user, MANAGERS, region)


def can_take_calls(user: Any) -> bool:
    return is_operator(user)


def can_manage_lists(user: Any) -> bool:
    """Categories, units and the responsibility list are the district's: its administrator."""
    return perms.is_district_admin(user)


def can_view_indicators(user: Any) -> bool:
    return perms.has_role(user, INDICATOR_ROLES)


def sees_caller(user: Any, case: Case, detail: HotlineCase | None) -> bool:
    """A confidential caller is shown to the hotline's operators only, never to handlers."""
    if detail is None or not detail.confidential:
        return True
    return is_operator(user, case.region)


def assisted_case_ids(user: Any) -> QuerySet[Any, Any]:
    return Assist.objects.filter(unit_id__in=perms.unit_ids(user), active=True).values("case_id")


def hotline_cases_for(user: Any) -> QuerySet[Case]:
    """Hotline cases and opinions the user reaches: scope, owning unit, or assisting unit."""
    reach = cases_for(user)
    assisted = Q(pk__in=assisted_case_ids(user)) if perms.unit_ids(user) else Q(pk__in=[])
    return Case.objects.filter(Q(pk__in=reach.values("pk")) | assisted).filter(
        type_key__in=HOTLINE_TYPES
    )


def hotline_case_for_user(user: Any, case_id: int) -> Case:
    """One hotline case or opinion the user reaches, with its hotline part, or Http404."""
    try:
        return (
            hotline_cases_for(user)
            .select_related(
                "region",
                "owner_unit",
                "handler",
                "hotline",
                "hotline__category",
                "hotline__lead_unit",
            )
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def assist_of(user: Any, case: Case) -> Assist | None:
    """The active assist of one of the user's units on the case, if any."""
    units = perms.unit_ids(user)
    if not units:
        return None
    return (
        Assist.objects.filter(case=case, unit_id__in=units, active=True)
        .select_related("unit")
        .first()
    )


def units_for_dispatch() -> QuerySet[Unit]:
    """Every unit a call may go to: departments, street offices, communities, partner units."""
    return Unit.objects.select_related("region").order_by("kind", "code")


def open_case_for_merge(user: Any, case_id: int) -> Case:
    """An open case of any type within the user's reach (a call merges into it), or Http404."""
    try:
        reach: Any = cases_for(user)
        return reach.open().select_related("region").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc
