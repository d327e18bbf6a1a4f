"""The Django admin is for district administrators only (and never for residents)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.db import transaction
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


class DistrictAdmin(admin.ModelAdmin):
    """Admin pages for district administrators; every save and delete is audited."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from shequ.audit.models import Action
        from shequ.audit.services import audit_record

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {name: "changed" for name in form.changed_data}
            audit_record(
                actor=request.user,
                action=Action.UPDATE if change else Action.CREATE,
                obj=obj,
                changes=changed,
                reason="admin",
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from shequ.audit.models import Action
        from shequ.audit.services import audit_record

        with transaction.atomic():
            audit_record(
                actor=request.user, action=Action.DELETE, obj=obj, reason="admin", request=request
            )
            super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        from shequ.audit.models import Action
        from shequ.audit.services import Target, audit_record

        with transaction.atomic():
            deleted = [
                Target(f.instance._meta.label_lower, str(f.instance.pk), str(f.instance))
                for f in formset.deleted_forms
                if f.instance.pk is not None
            ]
            saved = formset.save()
            for obj in saved:
                audit_record(
                    actor=request.user,
                    action=Action.UPDATE,
                    obj=obj,
                    reason="admin",
                    request=request,
                )
            for target in deleted:
                audit_record(
                    actor=request.user,
                    action=Action.DELETE,
                    obj=target,
                    reason="admin",
                    request=request,
                )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(DistrictAdmin):
    """Browse only: these records change through their own pages and services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
