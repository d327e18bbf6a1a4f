from django.contrib import admin

from shequ.accounts.admin_site import DistrictAdmin, ReadOnlyAdmin
from shequ.regions.models import Level, Region, RegionMove, RoleAssignment


@admin.register(Level)
class LevelAdmin(DistrictAdmin):
    list_display = ["depth", "key", "name", "code_digits"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    """The tree changes through the region pages (paths and moves); here it is browsed."""

    list_display = ["code", "name", "level", "parent", "community_type"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(DistrictAdmin):
    list_display = ["user", "role", "region", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name", "region__name", "region__code"]
    autocomplete_fields = ["user", "region"]


@admin.register(RegionMove)
class RegionMoveAdmin(ReadOnlyAdmin):
    list_display = ["region", "old_parent", "new_parent", "moved_by", "moved_at", "subtree_size"]
