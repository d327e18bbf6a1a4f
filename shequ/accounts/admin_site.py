"""The Django admin is for district administrators only (and never for residents)."""

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shequ.regions.permissions import can_use_admin


def restrict_admin_site(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and can_use_admin(user))

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = _("Shequ system administration")
    site.site_title = _("Shequ admin")
    site.index_title = _("District administration")
