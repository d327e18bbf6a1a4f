"""Open311 in the Django admin (district administrators): clients' keys, service attributes,
and the list of posted requests.

Keys are made and changed through the services, which audit them; the raw key is shown once,
on the page that answers the creation, and never stored. Attributes are saved by the audited
DistrictAdmin, their values inline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from shequ.accounts.admin_site import DistrictAdmin, ReadOnlyAdmin
from shequ.open311.forms import AttributeForm, KeyForm, ValueFormSet
from shequ.open311.models import AttributeValue, Open311Key, ServiceAttribute, ServiceRequest
from shequ.open311.services import key_create, key_update

RAW_KEY = "_open311_raw_key"


@admin.register(Open311Key)
class Open311KeyAdmin(DistrictAdmin):
    form = KeyForm
    list_display = ["name", "prefix", "user", "region", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "user__username", "user__name"]
    autocomplete_fields = ["user", "region"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = ("name", "user", "region", "is_active")
        return fields if obj is None else (*fields, "prefix", "created_at", "last_used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A key stays for the requests it posted; it is turned off instead.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            values = {field: form.cleaned_data[field] for field in form.changed_data}
            saved = key_update(actor=request.user, key=obj, values=values, request=request)
        else:
            saved, raw = key_create(
                actor=request.user,
                name=obj.name,
                user=obj.user,
                region=obj.region,
                request=request,
            )
            setattr(request, RAW_KEY, raw)
        obj.pk, obj.prefix, obj.created_at = saved.pk, saved.prefix, saved.created_at

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The page that shows the new key, once (no redirect: it never enters a cookie)."""
        raw = getattr(request, RAW_KEY, None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": obj.name,
            "key": obj,
            "raw": raw,
            "opts": self.opts,
            "list_url": reverse("admin:open311_open311key_changelist"),
        }
        return TemplateResponse(request, "open311/key_created.html", context)


class ValueInline(admin.TabularInline):
    model = AttributeValue
    formset = ValueFormSet
    fields = ["order", "key", "name"]
    extra = 1

    # Shown on the attribute page, which only district administrators reach.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(DistrictAdmin):
    form = AttributeForm
    inlines = [ValueInline]
    list_display = ["service_code", "order", "code", "description", "datatype", "required"]
    list_filter = ["datatype", "required", "variable"]
    search_fields = ["service_code", "code", "description"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    """Which client posted what; the personal data stays on the case, sealed."""

    list_display = ["case", "service_code", "service_name", "key", "created_at"]
    list_filter = ["key", "source"]
    search_fields = ["service_code", "service_name", "token"]
    fields = [
        "case",
        "key",
        "source",
        "service_code",
        "service_name",
        "service_notice",
        "description",
        "attributes",
        "address_id",
        "token",
        "media_url",
        "created_at",
    ]
