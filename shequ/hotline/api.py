"""The hotline through the API: take a call, suggestions, the cases within reach, the steps
that route a case (dispatch, send back), supervision, the call-back, the indicators.

The same fetch helpers, predicates and services as the pages; a confidential caller is left
out of every answer to anyone but an operator. Other steps (sign for, answer, finish, rework)
are the engine's: POST /cases/{case_id}/transitions.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.cases.models import Case
from shequ.cases.registry import get_type
from shequ.cases.services import CaseConflict
from shequ.hotline import search, services
from shequ.hotline.indicators import BY_CHOICES, hotline_indicators, month_of, parse_period
from shequ.hotline.models import Category, HotlineCase
from shequ.hotline.selectors import (
    HOTLINE_TYPES,
    can_take_calls,
    can_view_indicators,
    hotline_case_for_user,
    hotline_cases_for,
    is_centre,
    is_manager,
    open_case_for_merge,
    sees_caller,
)
from shequ.people.models import Person
from shequ.regions.models import Unit
from shequ.regions.permissions import unit_ids
from shequ.regions.scoping import get_region_for_user, home_region
from shequ.workdays import calendar

router = Router(tags=["hotline"])


class HotlineDetailOut(Schema):
    detail: str


class HotlineCallIn(Schema):
    text: str = Field(..., description="What the caller asks for.")
    region_id: int | None = Field(None, description="The node; default: the caller's home node.")
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    category_id: int | None = None
    kind: str = "help"
    urgency: str = "normal"
    confidential: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    person_id: int | None = Field(None, description="The caller in the register, if known.")
    merge_into: int | None = Field(None, description="An open case: the call is a repeat of it.")
    link_to: int | None = Field(None, description="A case the new case is linked to.")
    channel: str = Field(
        "phone", description="'phone' for a call an operator took, 'api' for a system's request."
    )


class HotlineCallOut(Schema):
    id: int
    case_id: int
    outcome: str
    tracking_code: str

    @staticmethod
    def resolve_tracking_code(obj: Any) -> str:
        return obj.case.tracking_code


class HotlineCaseOut(Schema):
    id: int
    tracking_code: str
    type_key: str
    state: str
    state_label: str
    title: str
    text: str
    address: str
    lat: float | None
    lng: float | None
    region_id: int
    owner_unit_id: int | None
    category_id: int | None
    urgency: str
    channel: str
    confidential: bool
    send_backs: int
    sign_for_due: dt.datetime | None
    due_at: dt.datetime | None
    caller_name: str | None = Field(None, description="Left out (null) for a hidden caller.")
    caller_phone_masked: str | None = None
    created_at: dt.datetime


class HotlineSuggestionOut(Schema):
    case_id: int
    tracking_code: str
    type_key: str
    title: str
    address: str
    score: float
    same_address: bool
    metres: float | None
    text_similarity: float


class HotlineDispatchIn(Schema):
    lead_unit_id: int
    assisting_unit_ids: list[int] = Field(default_factory=list)
    note: str = ""


class HotlineNoteIn(Schema):
    note: str


class HotlineCallbackIn(Schema):
    result: str = Field(..., description="solved, unsolved, unreachable or declined.")
    note: str
    level: int | None = Field(None, description="The caller's rating, 5 … 1; none if not given.")
    comment: str = ""


class HotlineRowOut(Schema):
    name: str
    calls: int
    repeats: int
    accepted: int
    dispatches: int
    finished: int
    send_backs: int
    rated: int
    sign_for_rate: float | None
    finish_rate: float | None
    satisfaction_rate: float | None
    one_time_rate: float | None
    send_back_rate: float | None
    repeat_rate: float | None


class HotlineOpinionRowOut(Schema):
    name: str
    received: int
    adopted: int
    solved: int


class HotlineIndicatorsOut(Schema):
    period: str
    by: str
    total: HotlineRowOut
    rows: list[HotlineRowOut]
    opinions: list[HotlineOpinionRowOut]


class HotlineCategoryOut(Schema):
    id: int
    code: str
    name: str
    sign_for_hours: int
    handling_amount: int
    handling_kind: str
    urgent_hours: int
    is_active: bool


def _out(user: Any, case: Case) -> dict[str, Any]:
    detail: HotlineCase | None = getattr(case, "hotline", None)
    shown = sees_caller(user, case, detail)
    confidential = bool(detail and detail.confidential)
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "type_key": case.type_key,
        "state": case.state,
        "state_label": str(get_type(case.type_key).state_label(case.state)),
        "title": case.title,
        "text": detail.text if detail else "",
        "address": case.address,
        "lat": case.lat,
        "lng": case.lng,
        "region_id": case.region_id,
        "owner_unit_id": case.owner_unit_id,
        "category_id": detail.category_id if detail else None,
        "urgency": detail.urgency if detail else "normal",
        "channel": detail.channel if detail else "",
        "confidential": confidential,
        "send_backs": detail.send_backs if detail else 0,
        "sign_for_due": detail.sign_for_due if detail else None,
        "due_at": case.due_at,
        "caller_name": None if not shown or confidential else case.requester_name,
        "caller_phone_masked": (
            None
            if not shown
            else (
                detail.caller_phone_masked
                if confidential and detail
                else case.requester_phone_masked
            )
        ),
        "created_at": case.created_at,
    }


def _operator(request: HttpRequest) -> Any:
    """The caller, a hotline operator (else 403)."""
    if not can_take_calls(request.user):
        raise PermissionDenied(_("The hotline desk is for hotline operators"))
    return request.user


@router.post("/calls", response={201: HotlineCallOut}, summary="Take a call")
def call_take(request: HttpRequest, data: HotlineCallIn) -> Any:
    user = _operator(request)
    region = get_region_for_user(user, data.region_id) if data.region_id else home_region(user)
    person = None
    if data.person_id:
        person = Person.objects.visible_to(user).filter(pk=data.person_id).first()
        if person is None:
            raise Http404("not found")
    category = None
    if data.category_id:
        category = Category.objects.filter(pk=data.category_id).first()
        if category is None:
            raise Http404("not found")
    merge = open_case_for_merge(user, data.merge_into) if data.merge_into else None
    link = open_case_for_merge(user, data.link_to) if data.link_to else None
    call = services.call_take(
        actor=user,
        data=services.CallIn(
            text=data.text,
            region=region,
            address=data.address,
            lat=data.lat,
            lng=data.lng,
            category=category,
            kind=data.kind,
            urgency=data.urgency,
            confidential=data.confidential,
            caller_name=data.caller_name,
            caller_phone=data.caller_phone,
            person=person,
            channel=data.channel,
        ),
        merge_into=merge,
        link_to=link,
        request=request,
    )
    return Status(201, call)


@router.get(
    "/suggestions",
    response=list[HotlineSuggestionOut],
    summary="Open cases at the same place or with a similar text",
)
def suggestions(
    request: HttpRequest,
    address: str = "",
    text: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> list[dict[str, Any]]:
    user = _operator(request)
    found = search.suggest(
        user, search.Query(address=address[:200], text=text[:1000], lat=lat, lng=lng)
    )
    return [
        {
            "case_id": s.case_id,
            "tracking_code": s.case.tracking_code,
            "type_key": s.case.type_key,
            "title": s.case.title,
            "address": s.case.address,
            "score": s.score,
            "same_address": s.same_address,
            "metres": round(s.metres, 1) if s.metres is not None else None,
            "text_similarity": round(s.text_similarity, 3),
        }
        for s in found
    ]


class HotlineCaseFilters(Schema):
    type: str = Field("", description='"hotline" or "opinion".')
    state: str = ""


@router.get("/cases", response=list[HotlineCaseOut], summary="Hotline cases within reach")
@paginate(LimitOffsetPagination, max_limit=200)
def case_list(request: HttpRequest, filters: Query[HotlineCaseFilters]) -> list[dict[str, Any]]:
    cases: QuerySet[Case] = hotline_cases_for(request.user).select_related("hotline")
    if filters.type in HOTLINE_TYPES:
        cases = cases.filter(type_key=filters.type)
    if filters.state:
        cases = cases.filter(state=filters.state)
    return [_out(request.user, case) for case in cases.order_by("-id")[:1000]]


@router.get("/cases/{case_id}", response=HotlineCaseOut, summary="One hotline case")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _out(request.user, hotline_case_for_user(request.user, case_id))


def _hotline(request: HttpRequest, case_id: int) -> Case:
    case = hotline_case_for_user(request.user, case_id)
    if case.type_key != "hotline":
        raise Http404("not found")
    return case


def _hotline_for_centre(request: HttpRequest, case_id: int) -> Case:
    """A hotline case (not an opinion) whose node the caller works as the hotline centre."""
    case = _hotline(request, case_id)
    if not is_centre(request.user, case.region):
        raise PermissionDenied(_("Your role may not do this"))
    return case


@router.post(
    "/cases/{case_id}/dispatch",
    response={200: HotlineCaseOut, 409: HotlineDetailOut},
    summary="Dispatch to a lead unit with assisting units (a manager's assignment once escalated)",
)
def case_dispatch(request: HttpRequest, case_id: int, data: HotlineDispatchIn) -> Any:
    case = _hotline(request, case_id)
    user = request.user
    allowed = (
        is_manager(user, case.region) if case.state == "escalated" else is_centre(user, case.region)
    )
    if not allowed:
        raise PermissionDenied(_("Your role may not do this"))
    lead = Unit.objects.filter(pk=data.lead_unit_id).first()
    if lead is None:
        raise Http404("not found")
    try:
        moved = services.case_dispatch(
            case=case,
            actor=user,
            lead_unit=lead,
            assisting_units=list(Unit.objects.filter(pk__in=data.assisting_unit_ids)),
            note=data.note,
            request=request,
        )
    except CaseConflict as exc:
        return Status(409, {"detail": str(exc)})
    return _out(user, hotline_case_for_user(user, moved.pk))


@router.post(
    "/cases/{case_id}/send-back",
    response={200: HotlineDetailOut, 409: HotlineDetailOut},
    summary="The unit sends the case back with its reason (the third escalates)",
)
def case_send_back(request: HttpRequest, case_id: int, data: HotlineNoteIn) -> Any:
    case = _hotline(request, case_id)
    if case.owner_unit_id not in unit_ids(request.user):
        raise PermissionDenied(_("Your role may not do this"))
    try:
        moved = services.case_send_back(
            case=case, actor=request.user, note=data.note, request=request
        )
    except CaseConflict as exc:
        return Status(409, {"detail": str(exc)})
    return {"detail": moved.state}


@router.post(
    "/cases/{case_id}/supervise",
    response={201: HotlineDetailOut},
    summary="Supervision 督办: a remark the unit gets in its inbox",
)
def case_supervise(request: HttpRequest, case_id: int, data: HotlineNoteIn) -> Any:
    case = _hotline_for_centre(request, case_id)
    services.case_supervise(case=case, actor=request.user, note=data.note, request=request)
    return Status(201, {"detail": "supervised"})


@router.post(
    "/cases/{case_id}/call-back",
    response={200: HotlineCaseOut, 409: HotlineDetailOut},
    summary="Record the call-back's result (and the caller's rating if given)",
)
def case_call_back(request: HttpRequest, case_id: int, data: HotlineCallbackIn) -> Any:
    case = _hotline_for_centre(request, case_id)
    try:
        moved, _rating = services.case_call_back(
            case=case,
            actor=request.user,
            result=data.result,
            note=data.note,
            level=data.level,
            comment=data.comment,
            request=request,
        )
    except CaseConflict as exc:
        return Status(409, {"detail": str(exc)})
    return _out(request.user, hotline_case_for_user(request.user, moved.pk))


@router.get("/indicators", response=HotlineIndicatorsOut, summary="The hotline's indicators")
def indicators(request: HttpRequest, period: str = "", by: str = "unit") -> dict[str, Any]:
    if not can_view_indicators(request.user):
        raise PermissionDenied(_("The indicators are for the hotline and for leaders"))
    chosen = parse_period(period) if period else month_of(calendar.today())
    if chosen is None:
        raise ValidationError({"period": [_("Enter a month such as 2026-11 or a year")]})
    report = hotline_indicators(request.user, period=chosen, by=by if by in BY_CHOICES else "unit")
    return {
        "period": report.period.key,
        "by": report.by,
        "total": report.total,
        "rows": report.rows,
        "opinions": report.opinions,
    }


@router.get("/categories", response=list[HotlineCategoryOut], summary="The hotline's categories")
def categories(request: HttpRequest) -> QuerySet[Category]:
    return Category.objects.order_by("code")
