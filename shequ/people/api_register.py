"""一户一册、一人一表 through the API: households, persons, places, care tags, visits, moves.

The operations join the people router (same paths as the list and detail operations, other
methods), fetch every object within the caller's scope (404 outside) and call the same
services as the pages: a read-only role gets 403, bad input 400 with messages keyed by field.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status

from shequ.people import services_care, services_household, services_moves, services_places
from shequ.people.api import router
from shequ.people.api_register_schemas import (
    BuildingIn,
    BuildingOut,
    BuildingPatch,
    DwellingIn,
    DwellingOut,
    DwellingPatch,
    HouseholdIn,
    HouseholdOut,
    MemberIn,
    MemberOut,
    PersonIn,
    PersonMoveIn,
    PersonMoveOut,
    PersonPatch,
    PersonRecordOut,
    TagEndIn,
    TagIn,
    TagOut,
    TenancyIn,
    TenancyOut,
    VisitIn,
    VisitOut,
    VisitPatch,
)
from shequ.people.models import Building, Dwelling, Person, Tenancy
from shequ.people.services import person_create, person_update, require_write
from shequ.people.views import get_person_for_user
from shequ.people.views_places import buildings_for, get_building_for_user, get_dwelling_for_user
from shequ.people.views_register import (
    get_household_for_user,
    get_tag_for_user,
    get_visit_for_user,
)
from shequ.regions.scoping import get_region_for_user


def _household_out(household: Any, user: Any) -> HouseholdOut:
    members = services_household.current_members(household, user)
    return HouseholdOut(
        id=household.pk,
        number=household.number,
        region_id=household.region_id,
        dwelling_id=household.dwelling_id,
        members=[MemberOut.from_orm(m) for m in members],
    )


def _tenancy_out(tenancy: Tenancy) -> TenancyOut:
    return TenancyOut(
        id=tenancy.pk,
        dwelling_id=tenancy.dwelling_id,
        landlord_id=tenancy.landlord_id,
        landlord_name=tenancy.landlord_name,
        tenant_ids=sorted(t.pk for t in tenancy.tenants.all()),
        starts_on=tenancy.starts_on,
        ends_on=tenancy.ends_on,
        registered_on=tenancy.registered_on,
        warning=services_places.lease_warning(tenancy),
    )


def _optional(getter: Any, user: Any, pk: int | None) -> Any:
    return getter(user, pk) if pk is not None else None


@router.post(
    "/households",
    response={201: HouseholdOut},
    summary="Register a household with its members in a dwelling (or a new dwelling)",
)
def household_create(request: HttpRequest, data: HouseholdIn) -> Any:
    user = request.user
    household = services_household.household_register(
        actor=user,
        members=[m.dict() for m in data.members],
        dwelling=_optional(get_dwelling_for_user, user, data.dwelling_id),
        building=_optional(get_building_for_user, user, data.building_id),
        new_dwelling=data.new_dwelling.dict() if data.new_dwelling else None,
        number=data.number,
        request=request,
    )
    return Status(201, _household_out(household, user))


@router.get(
    "/households/{household_id}", response=HouseholdOut, summary="A household and its members"
)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    return _household_out(get_household_for_user(request.user, household_id), request.user)


@router.post(
    "/households/{household_id}/members",
    response={201: MemberOut},
    summary="Add a new person to a household",
)
def household_member_add(request: HttpRequest, household_id: int, data: MemberIn) -> Any:
    household = get_household_for_user(request.user, household_id)
    person = services_household.household_member_add(
        actor=request.user, household=household, member=data.dict(), request=request
    )
    return Status(201, person)


@router.post("/persons", response={201: PersonRecordOut}, summary="Register a person")
def person_create_op(request: HttpRequest, data: PersonIn) -> Any:
    user = request.user
    region = get_region_for_user(user, data.region_id)
    household = _optional(get_household_for_user, user, data.household_id)
    dwelling = _optional(get_dwelling_for_user, user, data.dwelling_id)
    require_write(user, region)
    extra = data.dict(
        include={"gender", "birth_date", "residence_permit_number", "residence_permit_expiry"}
    )
    person = person_create(
        actor=user,
        region=region,
        name=data.name,
        id_number=data.id_number,
        doc_type=data.doc_type,
        phone=data.phone,
        household=household,
        relation=data.relation,
        residence_status=data.residence_status,
        registration_place=data.registration_place,
        dwelling=dwelling,
        extra={k: v for k, v in extra.items() if v not in (None, "")},
        request=request,
    )
    return Status(201, _record(request, person))


def _record(request: HttpRequest, person: Person) -> dict[str, Any]:
    """The person with the tags the caller may see; a read of sensitive tags is audited."""
    tags = services_care.care_tags_for(request.user, person)
    services_care.care_tags_read(actor=request.user, person=person, tags=tags, request=request)
    lists = {"tags", "visits", "moves"}
    record = {
        name: getattr(person, name) for name in PersonRecordOut.model_fields if name not in lists
    }
    return {
        **record,
        "tags": tags,
        "visits": list(person.visits.all()[:50]),
        "moves": list(person.moves.all()),
    }


@router.get(
    "/persons/{person_id}/record",
    response=PersonRecordOut,
    summary="一人一表: a person with tags (per role), visits and moves",
)
def person_record(request: HttpRequest, person_id: int) -> Any:
    return _record(request, get_person_for_user(request.user, person_id))


@router.patch("/persons/{person_id}", response=PersonRecordOut, summary="Change a person's fields")
def person_update_op(request: HttpRequest, person_id: int, data: PersonPatch) -> Any:
    person = get_person_for_user(request.user, person_id)
    changes = data.dict(exclude_unset=True)
    person = person_update(actor=request.user, person=person, data=changes, request=request)
    return _record(request, person)


@router.get("/buildings", response=list[BuildingOut], summary="Buildings within scope")
def building_list(
    request: HttpRequest, region_id: int | None = None, limit: int = 100, offset: int = 0
) -> Any:
    buildings = buildings_for(request.user)
    if region_id is not None:
        region = get_region_for_user(request.user, region_id)
        buildings = buildings.filter(region__path__startswith=region.path)
    return buildings.order_by("id")[offset : offset + min(limit, 500)]


@router.post("/buildings", response={201: BuildingOut}, summary="Add a building to a grid")
def building_create(request: HttpRequest, data: BuildingIn) -> Any:
    region = get_region_for_user(request.user, data.region_id)
    building = services_places.building_save(
        actor=request.user, region=region, data=data.dict(), request=request
    )
    return Status(201, building)


def _patched(instance: Any, fields: tuple[str, ...], data: Schema) -> dict[str, Any]:
    """The stored values of `fields`, overlaid with what a PATCH body sets."""
    values = {field: getattr(instance, field) for field in fields}
    values.update(data.dict(exclude_unset=True))
    return values


@router.get("/buildings/{building_id}", response=BuildingOut, summary="One building")
def building_detail(request: HttpRequest, building_id: int) -> Building:
    return get_building_for_user(request.user, building_id)


@router.patch("/buildings/{building_id}", response=BuildingOut, summary="Change a building")
def building_update(request: HttpRequest, building_id: int, data: BuildingPatch) -> Any:
    building = get_building_for_user(request.user, building_id)
    values = _patched(building, ("name", "address", "floors", "units"), data)
    return services_places.building_save(
        actor=request.user,
        region=building.region,
        data=values,
        building=building,
        request=request,
    )


@router.get(
    "/buildings/{building_id}/dwellings",
    response=list[DwellingOut],
    summary="The dwellings of a building",
)
def dwelling_list(request: HttpRequest, building_id: int) -> Any:
    building = get_building_for_user(request.user, building_id)
    return Dwelling.objects.visible_to(request.user).filter(building=building)


@router.post(
    "/buildings/{building_id}/dwellings",
    response={201: DwellingOut},
    summary="Add a dwelling to a building",
)
def dwelling_create(request: HttpRequest, building_id: int, data: DwellingIn) -> Any:
    building = get_building_for_user(request.user, building_id)
    dwelling = services_places.dwelling_save(
        actor=request.user, building=building, data=data.dict(), request=request
    )
    return Status(201, dwelling)


@router.get("/dwellings/{dwelling_id}", response=DwellingOut, summary="One dwelling")
def dwelling_detail(request: HttpRequest, dwelling_id: int) -> Dwelling:
    return get_dwelling_for_user(request.user, dwelling_id)


@router.patch(
    "/dwellings/{dwelling_id}", response=DwellingOut, summary="Change a dwelling (e.g. its use)"
)
def dwelling_update(request: HttpRequest, dwelling_id: int, data: DwellingPatch) -> Any:
    dwelling = get_dwelling_for_user(request.user, dwelling_id)
    values = _patched(dwelling, ("unit", "floor", "number", "area", "use"), data)
    return services_places.dwelling_save(
        actor=request.user,
        building=dwelling.building,
        data=values,
        dwelling=dwelling,
        request=request,
    )


@router.get(
    "/dwellings/{dwelling_id}/tenancies",
    response=list[TenancyOut],
    summary="The leases of a dwelling",
)
def tenancy_list(request: HttpRequest, dwelling_id: int) -> Any:
    dwelling = get_dwelling_for_user(request.user, dwelling_id)
    tenancies = dwelling.tenancies.visible_to(request.user).prefetch_related("tenants")
    return [_tenancy_out(t) for t in tenancies]


@router.post(
    "/dwellings/{dwelling_id}/tenancies",
    response={201: TenancyOut},
    summary="Record a lease (warns when registered more than 30 days after the start)",
)
def tenancy_create(request: HttpRequest, dwelling_id: int, data: TenancyIn) -> Any:
    user = request.user
    dwelling = get_dwelling_for_user(user, dwelling_id)
    tenancy = services_places.tenancy_create(
        actor=user,
        dwelling=dwelling,
        tenants=[get_person_for_user(user, pk) for pk in data.tenant_ids],
        landlord=_optional(get_person_for_user, user, data.landlord_id),
        landlord_name=data.landlord_name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        registered_on=data.registered_on,
        request=request,
    )
    return Status(201, _tenancy_out(tenancy))


@router.post(
    "/persons/{person_id}/tags",
    response={201: TagOut},
    summary="Add a care tag (sensitive kinds only for the roles that may see them)",
)
def tag_add(request: HttpRequest, person_id: int, data: TagIn) -> Any:
    person = get_person_for_user(request.user, person_id)
    tag = services_care.care_tag_add(
        actor=request.user, person=person, request=request, **data.dict()
    )
    return Status(201, tag)


@router.post("/tags/{tag_id}/end", response=TagOut, summary="End a care tag on a date")
def tag_end(request: HttpRequest, tag_id: int, data: TagEndIn) -> Any:
    tag = get_tag_for_user(request.user, tag_id)
    return services_care.care_tag_end(
        actor=request.user, tag=tag, ended_on=data.ended_on, request=request
    )


@router.post(
    "/persons/{person_id}/visits",
    response={201: VisitOut},
    summary="Record a visit; next_due is computed from the visit plan when not given",
)
def visit_record(request: HttpRequest, person_id: int, data: VisitIn) -> Any:
    person = get_person_for_user(request.user, person_id)
    visit = services_care.visit_record(
        actor=request.user, person=person, data=data.dict(), request=request
    )
    return Status(201, visit)


@router.patch("/visits/{visit_id}", response=VisitOut, summary="Correct a visit")
def visit_update(request: HttpRequest, visit_id: int, data: VisitPatch) -> Any:
    visit = get_visit_for_user(request.user, visit_id)
    values = _patched(visit, ("found", "follow_up", "next_due"), data)
    return services_care.visit_update(actor=request.user, visit=visit, data=values, request=request)


@router.post(
    "/persons/{person_id}/moves",
    response={201: PersonMoveOut},
    summary="Record a move: another dwelling, another household, left or came back",
)
def person_move(request: HttpRequest, person_id: int, data: PersonMoveIn) -> Any:
    user = request.user
    person = get_person_for_user(user, person_id)
    move = services_moves.person_move(
        actor=user,
        person=person,
        kind=data.kind,
        on=data.on,
        to_dwelling=_optional(get_dwelling_for_user, user, data.to_dwelling_id),
        to_household=_optional(get_household_for_user, user, data.to_household_id),
        relation=data.relation,
        new_head=_optional(get_person_for_user, user, data.new_head_id),
        note=data.note,
        request=request,
    )
    return Status(201, move)
