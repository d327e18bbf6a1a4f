"""Cases in the admin: read-only, for district administrators; changes go through the pages."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shequ.accounts.admin_site import ReadOnlyAdmin
from shequ.cases.models import Case, CaseEvent, Rating


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "tracking_code", "title", "type_key", "state", "region", "owner_unit", "due_date", "clock",
    )  # fmt: skip
    list_filter = ("type_key", "clock")
    search_fields = ("tracking_code", "title")
    show_full_result_count = False
    exclude = ("requester_phone_enc", "requester_phone_tail")
    list_select_related = ("region", "owner_unit")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return Case.objects.visible_to(request.user)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "actor_name", "action", "from_state", "to_state")
    list_filter = ("action",)
    search_fields = ("case__tracking_code", "actor_name", "note")
    show_full_result_count = False
    list_select_related = ("case",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return CaseEvent.objects.filter(case__in=Case.objects.visible_to(request.user))


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "level", "channel")
    list_filter = ("level", "channel")
    search_fields = ("case__tracking_code",)
    list_select_related = ("case",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rating]:
        return Rating.objects.filter(case__in=Case.objects.visible_to(request.user))
