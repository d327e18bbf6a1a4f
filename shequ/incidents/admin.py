from django.contrib import admin

from shequ.accounts.admin_site import ReadOnlyAdmin
from shequ.incidents.models import IncidentCategory, IncidentClass


@admin.register(IncidentClass)
class IncidentClassAdmin(ReadOnlyAdmin):
    """Classes change through the category pages and imports, which audit every change."""

    list_display = ["kind", "code", "name", "is_active"]
    list_filter = ["kind"]


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(ReadOnlyAdmin):
    list_display = ["incident_class", "code", "name", "time_limit", "time_limit_kind", "is_active"]
    list_filter = ["incident_class__kind", "time_limit_kind", "default_tier", "is_active"]
    search_fields = ["name", "code", "name_pinyin", "name_initials"]
