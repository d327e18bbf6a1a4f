"""The register through the API: masked by default, reveal logged like on the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shequ.people import services
from shequ.people.models import Person
from shequ.people.selectors import person_search
from shequ.people.views import get_person_for_user
from shequ.regions.scoping import get_region_for_user

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    doc_type: str
    id_number_masked: str
    phone_masked: str
    residence_status: str
    region_id: int
    household_id: int | None
    relation: str


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


@router.get("/persons", response=list[PersonOut], summary="Persons within scope (masked)")
def person_list(
    request: HttpRequest,
    q: str = "",
    region_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Any:
    region = get_region_for_user(request.user, region_id) if region_id is not None else None
    persons = person_search(request.user, query=q, region=region)
    return persons[offset : offset + min(limit, 500)]


@router.get("/persons/{person_id}", response=PersonOut, summary="One person (masked)")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return get_person_for_user(request.user, person_id)


@router.post(
    "/persons/{person_id}/reveal",
    response=RevealOut,
    summary="Reveal an identity number or phone in full (audited, needs a reason)",
)
def person_reveal(request: HttpRequest, person_id: int, data: RevealIn) -> Any:
    person = get_person_for_user(request.user, person_id)
    value = services.person_reveal(
        actor=request.user, person=person, field=data.field, reason=data.reason, request=request
    )
    return RevealOut(field=data.field, value=value)
