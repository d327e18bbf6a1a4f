"""Incidents through the API: report (with photos, idempotent by the phone's client id), list
within scope, one incident, its steps (through the engine's `case_step`), supervision.

Mounted under /api/v1/incidents beside the category table. A report made by a phone that was
offline carries the id the phone gave it (`client_id`) and the moment it was made
(`reported_at`): sending it again answers 200 with the incident the first upload made.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.cases.api import take_asked_step, take_step
from shequ.cases.registry import get_type
from shequ.cases.selectors import case_for_user, cases_for
from shequ.incidents.cache import category_of
from shequ.incidents.casetype import KEY
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import incident_report, incident_supervise
from shequ.regions.permissions import can_write
from shequ.regions.scoping import get_region_in_scope, home_region

router = Router(tags=["incidents"])


class IncidentReportIn(Schema):
    category_id: int
    description: str
    lng: float | None = None
    lat: float | None = None
    address: str = ""
    grid_id: int | None = Field(
        None, description="The reporter's grid, used when the location is in no grid."
    )
    client_id: str = Field("", description="The phone's id of this report: a retry sends it again.")
    reported_at: dt.datetime | None = Field(None, description="When it was seen (offline reports).")


class IncidentOut(Schema):
    id: int
    tracking_code: str
    state: str
    state_label: str
    category_code: str
    category_name: str
    description: str
    tier: str
    handling_region_name: str
    region_id: int
    region_name: str
    owner_unit_name: str
    address: str
    lng: float | None
    lat: float | None
    due_at: dt.datetime | None
    clock: str
    reported_at: dt.datetime
    channel: str
    photos: int
    replayed: bool = False


class IncidentEventOut(Schema):
    at: dt.datetime
    actor_name: str
    action: str
    from_state: str
    to_state: str
    note: str


class IncidentDetailOut(IncidentOut):
    actions: list[str]
    timeline: list[IncidentEventOut]


class IncidentStepIn(Schema):
    name: str = Field(..., description="A step from the incident's `actions`.")
    note: str = ""
    expected_state: str | None = None
    data: dict[str, Any] = Field(
        default_factory=dict,
        description='dispatch: {"tier": "grid|community|street|district", "unit": id}; '
        'request_postpone/approve_postpone: {"amount": n}',
    )


class IncidentNoteIn(Schema):
    note: str


class IncidentFeedbackIn(Schema):
    note: str = Field("", description="What was done (required: checked by the step).")


class IncidentErrorOut(Schema):
    detail: str


class IncidentFilters(Schema):
    state: str = ""
    tier: str = ""
    category: str = Field("", description="A 4-digit category code such as 0102.")
    open: bool | None = None


def _out(incident: Incident, replayed: bool = False, photos: int | None = None) -> dict[str, Any]:
    case = incident.case
    kind = get_type(KEY)
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "state": case.state,
        "state_label": str(kind.state_label(case.state)),
        "category_code": incident.category.full_code,
        "category_name": incident.category.name,
        "description": incident.description,
        "tier": incident.tier,
        "handling_region_name": incident.handling_region.name,
        "region_id": case.region_id,
        "region_name": case.region.name,
        "owner_unit_name": case.owner_unit.name if case.owner_unit else "",
        "address": case.address,
        "lng": case.lng,
        "lat": case.lat,
        "due_at": case.due_at,
        "clock": case.clock,
        "reported_at": incident.reported_at,
        "channel": incident.channel,
        "photos": incident.photos.count() if photos is None else photos,
        "replayed": replayed,
    }


def _incidents() -> QuerySet[Incident]:
    return Incident.objects.select_related(
        "case", "case__region", "case__owner_unit", "category", "category__incident_class",
        "handling_region",
    )  # fmt: skip


def _detail(user: Any, case_id: int) -> dict[str, Any]:
    case = case_for_user(user, case_id)
    incident = _incidents().filter(pk=case.pk).first()
    if incident is None:
        raise Http404("not an incident")
    from shequ.cases.services import may_take

    kind = get_type(KEY)
    return {
        **_out(incident),
        "actions": [t.name for t in kind.available(case.state) if may_take(user, case, t)],
        "timeline": list(case.events.order_by("id")),
    }


@router.post(
    "/reports",
    response={201: IncidentOut, 200: IncidentOut},
    summary="Report an incident (photos optional); a retry with the same client_id returns it",
)
def incident_report_api(
    request: HttpRequest,
    data: Form[IncidentReportIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    user = request.user
    if not can_write(user):
        raise PermissionDenied
    category = category_of(data.category_id)
    if category is None:
        raise Http404("no such category")
    grid: Any = (
        get_region_in_scope(user, data.grid_id) if data.grid_id else (lambda: home_region(user))
    )
    incident = incident_report(
        actor=user,
        category=category,
        description=data.description,
        lng=data.lng,
        lat=data.lat,
        address=data.address,
        grid=grid,
        photos=photos or [],
        client_id=data.client_id,
        reported_at=data.reported_at,
        request=request,
    )
    if getattr(incident, "replayed", False):
        return Status(200, _out(_incidents().get(pk=incident.pk), replayed=True))
    # A new report: everything the answer says is at hand, no need to read it back.
    return Status(201, _out(incident, photos=incident.photo_count))  # type: ignore[attr-defined]


@router.get(
    "", response=list[IncidentOut], summary="Incidents within scope, soonest deadline first"
)
@paginate(LimitOffsetPagination, max_limit=500)
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> list[dict[str, Any]]:
    cases = cases_for(request.user).filter(type_key=KEY)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.open is not None:
        final = list(get_type(KEY).final_states)
        cases = cases.exclude(state__in=final) if filters.open else cases.filter(state__in=final)
    incidents = _incidents().filter(case__in=cases.values("pk"))
    if filters.tier:
        incidents = incidents.filter(tier=filters.tier)
    if len(filters.category) == 4:
        incidents = incidents.filter(
            category__incident_class__code=filters.category[:2], category__code=filters.category[2:]
        )
    ordered = incidents.order_by(F("case__due_at").asc(nulls_last=True), "-pk")
    return [_out(i) for i in ordered[:500]]


@router.get("/{case_id}", response=IncidentDetailOut, summary="One incident with its timeline")
def incident_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(request.user, case_id)


@router.post(
    "/{case_id}/steps",
    response={200: IncidentDetailOut, 409: IncidentErrorOut},
    summary="Take a step of the loop (verify, file, dispatch, take, feedback, check, close...)",
)
def incident_step(request: HttpRequest, case_id: int, data: IncidentStepIn) -> Any:
    moved = take_asked_step(request, case_id, data)
    return moved if isinstance(moved, Status) else _detail(request.user, case_id)


@router.post(
    "/{case_id}/feedback",
    response={200: IncidentDetailOut, 409: IncidentErrorOut},
    summary="Report as handled, with photos of the result",
)
def incident_feedback_api(
    request: HttpRequest,
    case_id: int,
    data: Form[IncidentFeedbackIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    moved = take_step(request, case_id, name="feedback", note=data.note, files=photos or [])
    return moved if isinstance(moved, Status) else _detail(request.user, case_id)


@router.post(
    "/{case_id}/supervise",
    response=IncidentDetailOut,
    summary="Supervise (督办): press the handler",
)
def incident_supervise_api(request: HttpRequest, case_id: int, data: IncidentNoteIn) -> Any:
    case = case_for_user(request.user, case_id)
    incident_supervise(case=case, actor=request.user, note=data.note, request=request)
    return _detail(request.user, case_id)
