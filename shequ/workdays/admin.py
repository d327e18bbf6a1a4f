"""The holiday table in the admin, read-only: edits go through the pages so they are audited."""

from django.contrib import admin

from shequ.accounts.admin_site import ReadOnlyAdmin
from shequ.workdays.models import CalendarYear, SpecialDay


@admin.register(SpecialDay)
class SpecialDayAdmin(ReadOnlyAdmin):
    list_display = ("date", "kind", "name", "source", "updated_at")
    list_filter = ("kind", "source")
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    list_display = ("year", "source", "note", "updated_at")
    list_filter = ("source",)
