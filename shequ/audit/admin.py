"""The audit log in the admin: read-only, for district administrators."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shequ.accounts.admin_site import ReadOnlyAdmin
from shequ.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_type", "object_id", "object_repr", "ip")
    list_filter = ("action", "actor_kind")
    search_fields = ("actor_name", "object_repr", "reason")
    show_full_result_count = False
    readonly_fields = [field.name for field in AuditEvent._meta.concrete_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.visible_to(request.user)
