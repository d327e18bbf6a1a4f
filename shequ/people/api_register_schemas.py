"""Input and output schemas of the register's API operations (api_register)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

# Dates in a request body are parsed by the services like the forms' dates: 2024-05-01, and
# also 2024/5/1 or 2024年5月1日; a date that cannot be read is a 400 naming the field.
DateText = Annotated[str, Field(examples=["2024-05-01"], description="A date, e.g. 2024-05-01")]


class MemberIn(Schema):
    name: str
    id_number: str
    relation: str
    doc_type: str = "id_card"
    phone: str = ""
    residence_status: str = "registered"
    registration_place: str = ""
    residence_permit_number: str = ""
    residence_permit_expiry: dt.date | None = None


class DwellingIn(Schema):
    unit: int = 1
    floor: int
    number: str
    area: Decimal | None = None
    use: str


class HouseholdIn(Schema):
    members: list[MemberIn]
    dwelling_id: int | None = None
    building_id: int | None = None
    new_dwelling: DwellingIn | None = None
    number: str = ""


class MemberOut(Schema):
    id: int
    name: str
    relation: str
    gender: str
    birth_date: dt.date
    id_number_masked: str


class HouseholdOut(Schema):
    id: int
    number: str
    region_id: int
    dwelling_id: int | None
    members: list[MemberOut]


class PersonIn(MemberIn):
    region_id: int
    relation: str = ""
    household_id: int | None = None
    dwelling_id: int | None = None
    gender: str = ""
    birth_date: dt.date | None = None


class PersonPatch(Schema):
    name: str | None = None
    doc_type: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    residence_status: str | None = None
    residence_permit_number: str | None = None
    residence_permit_expiry: dt.date | None = None
    registration_place: str | None = None
    relation: str | None = None


class TagOut(Schema):
    id: int
    kind: str
    grade: int | None
    since: dt.date
    ended_on: dt.date | None


class VisitOut(Schema):
    id: int
    person_id: int
    visitor_id: int
    visited_on: dt.date
    found: str
    follow_up: str
    next_due: dt.date | None


class PersonMoveOut(Schema):
    id: int
    kind: str
    on: dt.date
    from_dwelling_id: int | None
    to_dwelling_id: int | None
    from_household_id: int | None
    to_household_id: int | None
    region_id: int
    to_region_id: int | None
    note: str


class PersonRecordOut(Schema):
    """一人一表: the person masked, with the tags the caller's role may see."""

    id: int
    name: str
    gender: str
    birth_date: dt.date
    doc_type: str
    id_number_masked: str
    phone_masked: str
    residence_status: str
    residence_permit_number: str
    residence_permit_expiry: dt.date | None
    registration_place: str
    region_id: int
    household_id: int | None
    relation: str
    dwelling_id: int | None
    left_on: dt.date | None
    tags: list[TagOut]
    visits: list[VisitOut]
    moves: list[PersonMoveOut]


class BuildingIn(Schema):
    region_id: int
    name: str
    address: str
    floors: int = 6
    units: int = 1


class BuildingPatch(Schema):
    name: str | None = None
    address: str | None = None
    floors: int | None = None
    units: int | None = None


class BuildingOut(Schema):
    id: int
    region_id: int
    name: str
    address: str
    floors: int
    units: int


class DwellingPatch(Schema):
    unit: int | None = None
    floor: int | None = None
    number: str | None = None
    area: Decimal | None = None
    use: str | None = None


class DwellingOut(Schema):
    id: int
    building_id: int
    region_id: int
    unit: int
    floor: int
    number: str
    area: Decimal | None
    use: str


class TenancyIn(Schema):
    tenant_ids: list[int]
    starts_on: DateText
    ends_on: DateText
    landlord_id: int | None = None
    landlord_name: str = ""
    registered_on: dt.date | None = None


class TenancyOut(Schema):
    id: int
    dwelling_id: int
    landlord_id: int | None
    landlord_name: str
    tenant_ids: list[int]
    starts_on: dt.date
    ends_on: dt.date
    registered_on: dt.date | None
    warning: str


class TagIn(Schema):
    kind: str
    since: DateText
    grade: int | None = None
    certificate: str = ""
    note: str = ""


class TagEndIn(Schema):
    ended_on: DateText


class VisitIn(Schema):
    visited_on: DateText
    found: str
    follow_up: str = ""
    next_due: dt.date | None = None


class VisitPatch(Schema):
    found: str | None = None
    follow_up: str | None = None
    next_due: dt.date | None = None


class PersonMoveIn(Schema):
    kind: str
    on: DateText
    to_dwelling_id: int | None = None
    to_household_id: int | None = None
    relation: str = ""
    new_head_id: int | None = None
    note: str = ""
