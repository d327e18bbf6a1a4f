"""The hotline in the Django admin: read-only (writes go through the hotline's services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shequ.hotline.models import Category, Responsibility


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnly):
    list_display = ("code", "name", "sign_for_hours", "handling_amount", "handling_kind")


@admin.register(Responsibility)
class ResponsibilityAdmin(ReadOnly):
    list_display = ("category", "region", "lead_unit")
