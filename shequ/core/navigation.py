"""The staff navigation, by role: each entry names the predicate that shows it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequ.regions import permissions as perms
from shequ.regions.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    section: str  # URL namespace that marks the item active
    visible: Callable[[Any], bool]


def _staff(user: Any) -> bool:
    return bool(perms.role_paths(user))


def _window(user: Any) -> bool:
    return perms.has_role(user, {Role.WINDOW_WORKER})


def _grid_worker(user: Any) -> bool:
    return perms.has_role(user, {Role.GRID_WORKER})


def _leader(user: Any) -> bool:
    return perms.has_role(user, perms.LEADER_ROLES)


def _incident_reporter(user: Any) -> bool:
    """Grid workers, building chiefs and leaders report incidents from the street."""
    return perms.has_role(user, {Role.GRID_WORKER, Role.BUILDING_CHIEF} | perms.LEADER_ROLES)


def _incident_map(user: Any) -> bool:
    """Those who report, dispatch, handle or oversee incidents see them on the map."""
    return perms.has_role(
        user,
        {Role.GRID_WORKER, Role.BUILDING_CHIEF, Role.BACK_OFFICE, Role.SUPERVISOR}
        | perms.LEADER_ROLES,
    )


def _incident_figures(user: Any) -> bool:
    return perms.has_role(user, perms.LEADER_ROLES | {Role.SUPERVISOR})


def _hotline_operator(user: Any) -> bool:
    return perms.has_role(user, {Role.HOTLINE_OPERATOR})


def _hotline_figures(user: Any) -> bool:
    return perms.has_role(user, perms.LEADER_ROLES | {Role.HOTLINE_OPERATOR, Role.SUPERVISOR})


def _incident_worker(user: Any) -> bool:
    return perms.has_role(
        user,
        {
            Role.GRID_WORKER,
            Role.COMMUNITY_LEADER,
            Role.STREET_MANAGER,
            Role.DISTRICT_ADMIN,
            Role.BACK_OFFICE,
        },
    )


NAV: list[NavItem] = [
    NavItem(_("Overview"), "dashboard:home", "dashboard", _staff),
    NavItem(_("Regions and grids"), "regions:region-list", "regions", _staff),
    NavItem(_("People"), "people:person-list", "people", _staff),
    NavItem(_("Import registers"), "people:import-list", "people-import", perms.can_write),
    NavItem(_("Buildings"), "people:building-list", "people-buildings", _staff),
    NavItem(_("Due for a visit"), "people:visits-due", "people-due", _grid_worker),
    NavItem(_("Register figures"), "people:figures", "people-figures", _leader),
    NavItem(_("Work queue"), "cases:queue", "cases", _staff),
    NavItem(_("Window intake"), "hall:intake", "hall-intake", _window),
    NavItem(_("Queue tickets"), "hall:queue-windows", "hall-queue", _window),
    NavItem(_("Service catalog"), "hall:catalog", "hall-catalog", perms.can_view_catalog),
    NavItem(_("Service figures"), "hall:figures", "hall-figures", _leader),
    NavItem(_("Incidents"), "incidents:queue", "incidents-queue", _incident_worker),
    NavItem(_("Report an incident"), "incidents:report", "incidents-report", _incident_reporter),
    NavItem(_("Incident map"), "incidents:map", "incidents-map", _incident_map),
    NavItem(
        _("Incident indicators"), "incidents:indicators", "incidents-indicators", _incident_figures
    ),
    NavItem(_("Incident categories"), "incidents:category-list", "incidents-categories", _staff),
    NavItem(_("Hotline desk"), "hotline:desk", "hotline-", _hotline_operator),
    NavItem(_("Hotline matters"), "hotline:case-list", "hotline-cases", _staff),
    NavItem(_("Hotline indicators"), "hotline:indicators", "hotline-indicators", _hotline_figures),
    NavItem(
        _("Responsibility list"), "hotline:responsibility-list", "hotline-responsibility", _staff
    ),
    NavItem(_("Working days"), "workdays:calendar", "workdays", _staff),
    NavItem(_("Audit log"), "audit:event-list", "audit", perms.can_view_audit),
    NavItem(_("API tokens"), "accounts:token-list", "tokens", perms.can_write),
    NavItem(_("System admin"), "admin:index", "admin", perms.can_use_admin),
]


def nav_for(user: Any, namespace: str) -> list[dict[str, Any]]:
    return [
        {"label": item.label, "url": reverse(item.url_name), "active": item.section == namespace}
        for item in NAV
        if item.visible(user)
    ]
