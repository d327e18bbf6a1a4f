"""The audit log in the API: the same filters and the same scope as the log page."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.audit.models import Action, AuditEvent
from shequ.audit.views import filter_events
from shequ.regions.permissions import can_view_audit
from shequ.regions.scoping import get_visible_or_404

router = Router(tags=["audit"])


class EventFilters(Schema):
    date_from: dt.date | None = Field(None, description="First day (Asia/Shanghai), included.")
    date_to: dt.date | None = Field(None, description="Last day (Asia/Shanghai), included.")
    actor: str = Field("", description="Part of the actor's name.")
    action: Action | None = None
    object_type: str = Field("", description='The object\'s type, such as "people.person".')
    object_id: str = Field("", description="The object's id, with object_type.")
    q: str = Field("", description="Text in the object's name or in the stated reason.")


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor_kind: str
    actor_name: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    reason: str
    ip: str | None

    @staticmethod
    def resolve_action_label(obj: AuditEvent) -> str:
        return str(obj.get_action_display())


class EventDetailOut(EventOut):
    region_path: str
    prev_hash: str
    hash: str


def _require_auditor(request: HttpRequest) -> None:
    if not can_view_audit(request.user):
        raise PermissionDenied("your role may not read the audit log")


@router.get("/events", response=list[EventOut])
@paginate(LimitOffsetPagination, max_limit=500)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> QuerySet[AuditEvent]:
    """Events in the caller's scope, newest first."""
    _require_auditor(request)
    return filter_events(AuditEvent.objects.visible_to(request.user), **filters.dict())


@router.get("/events/{event_id}", response=EventDetailOut)
def get_event(request: HttpRequest, event_id: int) -> AuditEvent:
    """One event with its place in the hash chain; 404 outside the caller's scope."""
    event = get_visible_or_404(AuditEvent.objects.all(), request.user, pk=event_id)
    _require_auditor(request)
    return event
