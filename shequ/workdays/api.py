"""Working days over the API: the year's holiday table and the working-day calculator.

Reads are open to every authenticated caller; edits to district administrators only.
"""

import datetime as dt
from typing import Any, Literal, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.params import P, QueryEx

from shequ.accounts.models import User
from shequ.regions.permissions import can_edit_holidays
from shequ.workdays import calendar, services
from shequ.workdays.models import CalendarYear, SpecialDay

router = Router(tags=["workdays"])

MAX_WORKING_DAYS = calendar.MAX_DAYS // 2


class SpecialDayOut(Schema):
    id: int
    date: dt.date
    kind: str
    name: str
    source: str


class YearOut(Schema):
    year: int
    covered: bool
    days: list[SpecialDayOut]


class AddOut(Schema):
    date: dt.date
    provisional: bool
    uncovered_years: list[int]


class BetweenOut(Schema):
    days: int
    provisional: bool
    uncovered_years: list[int]


class SpecialDayIn(Schema):
    date: dt.date
    kind: Literal["holiday", "workday"]
    name: str = ""


class CalendarYearIn(Schema):
    year: int
    note: str = ""


class CalendarYearOut(Schema):
    year: int
    source: str
    note: str


def _editor(request: HttpRequest) -> User:
    if not can_edit_holidays(request.user):
        raise PermissionDenied("only a district administrator may edit the holiday table")
    return cast(User, request.user)


@router.get("/days", response=YearOut, summary="Holidays and make-up working days of a year")
def day_list(request: HttpRequest, year: int | None = None) -> Any:
    """`covered` is false while the year's official schedule is not in the table: dates in
    that year are counted by the Monday-Friday rule and results are provisional."""
    year = year or calendar.today().year
    return {
        "year": year,
        "covered": year in calendar.current().years,
        "days": list(SpecialDay.objects.filter(date__year=year)),
    }


@router.get("/add", response=AddOut, summary="The end date of a period of working days")
def add(
    request: HttpRequest,
    start: dt.date,
    days: QueryEx[int, P(ge=0, le=MAX_WORKING_DAYS)],
) -> Any:
    """The period starts the day after `start` and ends at the end of its last working day."""
    result = calendar.add_working_days(start, days)
    return {
        "date": result.value,
        "provisional": result.provisional,
        "uncovered_years": list(result.uncovered_years),
    }


@router.get("/between", response=BetweenOut, summary="Working days between two dates")
def between(request: HttpRequest, start: dt.date, end: dt.date) -> Any:
    """Working days after `start` up to and including `end` (0 when end is not after start)."""
    try:
        result = calendar.working_days_between(start, end)
    except ValueError as exc:
        raise ValidationError({"end": "the period may not be longer than ten years"}) from exc
    return {
        "days": result.value,
        "provisional": result.provisional,
        "uncovered_years": list(result.uncovered_years),
    }


@router.post("/days", response={201: SpecialDayOut}, summary="Set a holiday or make-up day")
def day_set(request: HttpRequest, payload: SpecialDayIn) -> Any:
    """Creates the date's row or replaces what the table said of it (district administrators)."""
    day = services.special_day_set(
        actor=_editor(request),
        date=payload.date,
        kind=payload.kind,
        name=payload.name,
        request=request,
    )
    return Status(201, day)


@router.delete("/days/{day_id}", response={204: None}, summary="Remove a special day")
def day_delete(request: HttpRequest, day_id: int) -> Any:
    actor = _editor(request)
    day = get_object_or_404(SpecialDay, pk=day_id)
    services.special_day_delete(actor=actor, day=day, request=request)
    return Status(204, None)


@router.post("/years", response={201: CalendarYearOut}, summary="Mark a year as covered")
def year_set(request: HttpRequest, payload: CalendarYearIn) -> Any:
    """Once a year's official schedule is entered, its dates are no longer provisional."""
    entry: CalendarYear = services.calendar_year_set(
        actor=_editor(request), year=payload.year, note=payload.note, request=request
    )
    return Status(201, entry)
