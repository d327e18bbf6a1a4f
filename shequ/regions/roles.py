"""The staff roles of DOMAIN.md. Residents are not a role: they have accounts of their own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_WORKER = "window_worker", _("Window worker")
    BACK_OFFICE = "back_office", _("Back-office handler")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_CHIEF = "building_chief", _("Building or unit chief")
    COMMUNITY_LEADER = "community_leader", _("Community secretary or director")
    STREET_MANAGER = "street_manager", _("Street-office manager")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    SUPERVISOR = "supervisor", _("Supervisor (read-only)")


# Roles that only read: a write attempt by them is refused with 403.
READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})
