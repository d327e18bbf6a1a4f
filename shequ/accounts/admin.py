from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shequ.accounts.admin_site import DistrictAdmin, ReadOnlyAdmin
from shequ.accounts.models import ApiToken, Resident, User
from shequ.regions.models import RoleAssignment


class AssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["region"]

    # The inline is shown on the user page, which only district administrators reach.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


# Permissions come from role assignments on the region tree, not from Django's groups.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DistrictAdmin, BaseUserAdmin):
    list_display = ["username", "name", "title", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "name"]
    inlines = [AssignmentInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["name", "title", "email"]}),
        (_("Status"), {"fields": ["is_active", "failed_logins", "locked_until"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "name", "password1", "password2"]})]
    filter_horizontal = ()
    list_filter = ["is_active"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "phone_masked", "is_active", "created_at", "last_login"]
    exclude = ["phone_enc", "phone_hash", "password"]
    search_fields = ["name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    exclude = ["token_hash"]
