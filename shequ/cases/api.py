"""Cases through the API: the same reach, predicates and services as the case pages.

A case is reached through the region scope or through the caller's units (a back-office
handler works every case of the unit, wherever a window accepted it); any other answers 404.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.cases.models import Case, CaseEvent, Clock, Rating, RatingChannel
from shequ.cases.registry import get_type
from shequ.cases.selectors import (
    case_for_user,
    cases_for,
    due_soon_until,
    may_extend,
    may_record_rating,
)
from shequ.cases.services import CaseConflict, case_extend, case_step
from shequ.cases.services_rating import case_rate
from shequ.workdays import calendar

router = Router(tags=["cases"])


class DetailOut(Schema):
    detail: str


class CaseOut(Schema):
    id: int
    tracking_code: str
    type_key: str
    type_label: str
    state: str
    state_label: str
    title: str
    region_id: int
    region_name: str
    owner_unit_id: int | None
    owner_unit_name: str
    handler_name: str
    first_responder_name: str
    requester_name: str
    requester_phone_masked: str
    promised_days: int
    clock: str
    due_date: dt.date | None
    due_provisional: bool
    paused_on: dt.date | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    finished_on_time: bool | None

    @staticmethod
    def resolve_type_label(obj: Case) -> str:
        return str(get_type(obj.type_key).label)

    @staticmethod
    def resolve_state_label(obj: Case) -> str:
        return str(get_type(obj.type_key).state_label(obj.state))

    @staticmethod
    def resolve_region_name(obj: Case) -> str:
        return obj.region.name

    @staticmethod
    def resolve_owner_unit_name(obj: Case) -> str:
        return obj.owner_unit.name if obj.owner_unit is not None else ""

    @staticmethod
    def resolve_handler_name(obj: Case) -> str:
        return str(obj.handler) if obj.handler is not None else ""

    @staticmethod
    def resolve_first_responder_name(obj: Case) -> str:
        return str(obj.first_responder) if obj.first_responder is not None else ""


class ActionOut(Schema):
    name: str
    label: str
    needs_note: bool


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    from_state: str
    to_state: str
    note: str
    data: dict[str, Any]


class RatingOut(Schema):
    level: int
    level_label: str
    comment: str
    channel: str
    at: dt.datetime

    @staticmethod
    def resolve_level_label(obj: Rating) -> str:
        return str(obj.get_level_display())


class CaseDetailOut(CaseOut):
    parent_id: int | None
    data: dict[str, Any]
    actions: list[ActionOut]
    timeline: list[EventOut]
    rating: RatingOut | None

    @staticmethod
    def resolve_actions(obj: Case) -> list[dict[str, Any]]:
        return [
            {"name": t.name, "label": str(t.label), "needs_note": t.needs_note}
            for t in get_type(obj.type_key).available(obj.state)
        ]

    @staticmethod
    def resolve_timeline(obj: Case) -> list[CaseEvent]:
        return list(obj.events.order_by("id"))

    @staticmethod
    def resolve_rating(obj: Case) -> Rating | None:
        return Rating.objects.filter(case=obj).first()


class CaseFilters(Schema):
    type: str = Field("", description='A case type, such as "application".')
    state: str = Field("", description='One state of the type, such as "handling".')
    due: Literal["", "soon", "overdue", "paused"] = Field(
        "", description="Deadline: due soon, overdue, or paused (补正)."
    )


class TransitionIn(Schema):
    name: str = Field(..., description="The transition, from the case's `actions`.")
    note: str = ""
    expected_state: str | None = Field(
        None, description="The state the caller saw: 409 when the case has moved since."
    )
    data: dict[str, Any] = Field(default_factory=dict)


class ExtendIn(Schema):
    days: int = Field(..., description="Working days added to the deadline.")
    note: str = Field(..., description="The reason, as approved.")


class RatingIn(Schema):
    level: int = Field(..., description="5 very satisfied … 1 very dissatisfied.")
    comment: str = ""


def take_step(
    request: HttpRequest,
    case_id: int,
    *,
    name: str,
    note: str = "",
    expected_state: str | None = None,
    data: dict[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Case | Status:
    """A step asked through the API on a case within the caller's reach (else 404): the type's
    own service for it or the engine's move; 409 with the words of the conflict when someone
    moved the case first. The apps' step endpoints share it."""
    case = case_for_user(request.user, case_id)
    try:
        return case_step(
            case=case,
            name=name,
            actor=request.user,
            note=note,
            expected_state=expected_state,
            data=data,
            files=files,
            request=request,
        )
    except CaseConflict as exc:
        return Status(409, {"detail": str(exc)})


class StepBody(Protocol):
    """The body of a step endpoint: `TransitionIn` here, the apps' own step schemas there."""

    name: str
    note: str
    expected_state: str | None
    data: dict[str, Any]


def take_asked_step(request: HttpRequest, case_id: int, body: StepBody) -> Case | Status:
    """`take_step` with the step, note, expected state and data a step endpoint was sent."""
    return take_step(
        request,
        case_id,
        name=body.name,
        note=body.note,
        expected_state=body.expected_state,
        data=body.data,
    )


def detail(case: Case) -> Case:
    """The case again with what the detail schema reads, after a write."""
    return Case.objects.select_related("region", "owner_unit", "handler", "first_responder").get(
        pk=case.pk
    )


@router.get("", response=list[CaseOut], summary="Cases within scope and of the caller's units")
@paginate(LimitOffsetPagination, max_limit=500)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> QuerySet[Case]:
    """Soonest deadline first."""
    cases = cases_for(request.user)
    if filters.type:
        cases = cases.filter(type_key=filters.type)
    if filters.state:
        cases = cases.filter(state=filters.state)
    today = calendar.today()
    if filters.due == "soon":
        cases = cases.due_soon(due_soon_until(today), today)  # type: ignore[attr-defined]
    elif filters.due == "overdue":
        cases = cases.overdue(today)  # type: ignore[attr-defined]
    elif filters.due == "paused":
        cases = cases.filter(clock=Clock.PAUSED)
    return cases.select_related("region", "owner_unit", "handler", "first_responder").order_by(
        F("due_date").asc(nulls_last=True), "id"
    )


@router.get("/{case_id}", response=CaseDetailOut, summary="One case with its timeline")
def case_detail(request: HttpRequest, case_id: int) -> Case:
    return case_for_user(request.user, case_id)


@router.post(
    "/{case_id}/transitions",
    response={200: CaseDetailOut, 409: DetailOut},
    summary="Move a case along one of its type's transitions",
)
def case_move(request: HttpRequest, case_id: int, data: TransitionIn) -> Any:
    moved = take_asked_step(request, case_id, data)
    return moved if isinstance(moved, Status) else detail(moved)


@router.post("/{case_id}/extend", response=CaseDetailOut, summary="Record an approved extension")
def case_extend_deadline(request: HttpRequest, case_id: int, data: ExtendIn) -> Case:
    case = case_for_user(request.user, case_id)
    if not may_extend(request.user, case):
        raise PermissionDenied(_("Your role may not extend this matter's deadline"))
    return detail(
        case_extend(case=case, days=data.days, actor=request.user, note=data.note, request=request)
    )


@router.post(
    "/{case_id}/rating",
    response={201: RatingOut},
    summary="Record the requester's rating given on a call-back",
)
def case_rating(request: HttpRequest, case_id: int, data: RatingIn) -> Any:
    case = case_for_user(request.user, case_id)
    if not may_record_rating(request.user, case):
        raise PermissionDenied(_("Your role may not record ratings"))
    rating = case_rate(
        case=case,
        level=data.level,
        comment=data.comment,
        channel=RatingChannel.CALLBACK,
        actor=request.user,
        request=request,
    )
    return Status(201, rating)
