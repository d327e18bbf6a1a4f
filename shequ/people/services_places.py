"""Writes to the register of places: buildings in a grid, dwellings in a building, tenancies.

Each write checks that the actor may write at the node (`permissions.can_write`: a read-only
role or a role elsewhere gets 403), validates with messages keyed by field, runs in one
transaction and appends to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record, diff, snapshot
from shequ.people.models import Building, Dwelling, DwellingUse, Person, Tenancy
from shequ.people.services import check_date, require_write
from shequ.regions.models import Region
from shequ.workdays.calendar import today

# Buildings belong to a grid or a node below it (sub-grid, cell), never to a community.
BUILDING_LEVELS = frozenset({"grid", "subgrid", "cell"})
MAX_FLOORS = 200
MAX_UNITS = 50
LOWEST_FLOOR = -5
# A lease is registered within 30 days of signing (STANDARDS.md "Residence permits and rentals").
LEASE_REGISTRATION_DAYS = 30


def _int_in(
    value: Any, low: int, high: int, key: str, errors: dict[str, str], message: str
) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[key] = _("Enter a whole number")
        return None
    if not low <= number <= high:
        errors[key] = message
        return None
    return number


def building_save(
    *,
    actor: Any,
    region: Region,
    data: dict[str, Any],
    building: Building | None = None,
    request: HttpRequest | None = None,
) -> Building:
    """Create a building in a grid, or change its name, address, floors and units.

    A building does not change grid here: its dwellings, households and persons would have
    to follow, which is the work of moving a grid (regions).
    """
    require_write(actor, region)
    errors: dict[str, str] = {}
    if building is not None and building.region_id != region.pk:
        errors["region"] = _("A building keeps its grid; move the grid instead")
    if region.level.key not in BUILDING_LEVELS:
        errors["region"] = _("Choose a grid: buildings belong to a grid, not to a %(level)s") % {
            "level": region.level.name
        }
    name = str(data.get("name") or "").strip()
    address = str(data.get("address") or "").strip()
    if not name:
        errors["name"] = _("Enter the building's name, e.g. 3号楼")
    elif len(name) > 64:
        errors["name"] = _("At most 64 characters")
    if not address:
        errors["address"] = _("Enter the address, e.g. 幸福路12号")
    elif len(address) > 200:
        errors["address"] = _("At most 200 characters")
    floors = _int_in(
        data.get("floors"),
        1,
        MAX_FLOORS,
        "floors",
        errors,
        _("A building has 1 to %(max)d floors") % {"max": MAX_FLOORS},
    )
    units = _int_in(
        data.get("units"),
        1,
        MAX_UNITS,
        "units",
        errors,
        _("A building has 1 to %(max)d units") % {"max": MAX_UNITS},
    )
    if name and address:
        clash = Building.objects.filter(region=region, name=name, address=address)
        if building is not None:
            clash = clash.exclude(pk=building.pk)
        if clash.exists():
            errors["name"] = _("This grid already has a building %(name)s at this address") % {
                "name": name
            }
    if building is not None and floors and units:
        if building.dwellings.filter(floor__gt=floors).exists():
            errors["floors"] = _("Dwellings are recorded above floor %(n)d") % {"n": floors}
        if building.dwellings.filter(unit__gt=units).exists():
            errors["units"] = _("Dwellings are recorded in units above %(n)d") % {"n": units}
    if errors:
        raise ValidationError(errors)
    assert floors is not None and units is not None
    fields = ("name", "address", "floors", "units")
    with transaction.atomic():
        if building is None:
            building = Building.objects.create(
                region=region, name=name, address=address, floors=floors, units=units
            )
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=building,
                changes={"address": [None, address]},
                request=request,
            )
            return building
        building = Building.objects.select_for_update().get(pk=building.pk)
        before = snapshot(building, fields)
        building.name, building.address = name, address
        building.floors, building.units = floors, units
        changes = diff(before, snapshot(building, fields))
        if changes:
            building.save(update_fields=list(fields))
            audit_record(
                actor=actor, action=Action.UPDATE, obj=building, changes=changes, request=request
            )
    return building


def check_dwelling_fields(
    building: Building, data: dict[str, Any], *, current: Dwelling | None = None, prefix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a dwelling's unit, floor, number, area and use against its building."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    unit = _int_in(
        data.get("unit") or 1,
        1,
        building.units,
        prefix + "unit",
        errors,
        _("This building has units 1 to %(n)d") % {"n": building.units},
    )
    floor = _int_in(
        data.get("floor"),
        LOWEST_FLOOR,
        building.floors,
        prefix + "floor",
        errors,
        _("This building has floors 1 to %(n)d (basements -1 to -5)") % {"n": building.floors},
    )
    if floor == 0:
        errors[prefix + "floor"] = _("There is no floor 0: the ground floor is 1")
    number = str(data.get("number") or "").strip()
    if not number:
        errors[prefix + "number"] = _("Enter the dwelling number, e.g. 302")
    elif len(number) > 16:
        errors[prefix + "number"] = _("At most 16 characters")
    area = None
    if str(data.get("area") or "").strip():
        try:
            area = Decimal(str(data["area"]).strip())
        except InvalidOperation:
            errors[prefix + "area"] = _("Enter the area in square metres, e.g. 68.5")
        else:
            if not Decimal("1") <= area <= Decimal("99999"):
                errors[prefix + "area"] = _("The area should be between 1 and 99999 m²")
    use = str(data.get("use") or "")
    if use not in DwellingUse.values:
        errors[prefix + "use"] = _("Choose the use: owner-occupied, rented, vacant or commercial")
    if unit and number:
        clash = Dwelling.objects.filter(building=building, unit=unit, number=number)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors[prefix + "number"] = _("Unit %(unit)d already has a dwelling %(number)s") % {
                "unit": unit,
                "number": number,
            }
    values.update(unit=unit, floor=floor, number=number, area=area, use=use)
    return values, errors


def dwelling_save(
    *,
    actor: Any,
    building: Building,
    data: dict[str, Any],
    dwelling: Dwelling | None = None,
    request: HttpRequest | None = None,
) -> Dwelling:
    """Create a dwelling in a building, or change its number, floor, area or use."""
    require_write(actor, building.region)
    values, errors = check_dwelling_fields(building, data, current=dwelling)
    if errors:
        raise ValidationError(errors)
    fields = ("unit", "floor", "number", "area", "use")
    with transaction.atomic():
        if dwelling is None:
            dwelling = Dwelling.objects.create(building=building, region=building.region, **values)
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=dwelling,
                changes={name: [None, str(values[name])] for name in ("number", "use")},
                request=request,
            )
            return dwelling
        dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
        before = snapshot(dwelling, fields)
        for name, value in values.items():
            setattr(dwelling, name, value)
        changes = diff(before, snapshot(dwelling, fields))
        if changes:
            dwelling.save(update_fields=list(fields))
            audit_record(
                actor=actor, action=Action.UPDATE, obj=dwelling, changes=changes, request=request
            )
    return dwelling


def lease_registration_late(tenancy: Tenancy) -> int:
    """Days by which the lease was registered later than 30 days after its start (0 if not)."""
    if tenancy.registered_on is None:
        return 0
    late = (tenancy.registered_on - tenancy.starts_on).days - LEASE_REGISTRATION_DAYS
    return max(late, 0)


def lease_warning(tenancy: Tenancy) -> str:
    """The warning shown beside a lease registered more than 30 days after it started."""
    late = lease_registration_late(tenancy)
    if not late:
        return ""
    return _(
        "The lease was registered %(days)d days after it started: a lease is registered "
        "within 30 days"
    ) % {"days": late + LEASE_REGISTRATION_DAYS}


def tenancy_create(
    *,
    actor: Any,
    dwelling: Dwelling,
    tenants: Sequence[Person],
    starts_on: Any,
    ends_on: Any,
    landlord: Person | None = None,
    landlord_name: str = "",
    registered_on: Any = None,
    request: HttpRequest | None = None,
) -> Tenancy:
    """Record a lease of a dwelling; the dwelling's use becomes "rented".

    The caller fetches the landlord and the tenants within the actor's scope. A lease
    registered more than 30 days after its start is accepted: `lease_warning` says so.
    """
    require_write(actor, dwelling.region)
    errors: dict[str, str] = {}
    start = check_date(starts_on, errors, "starts_on")
    end = check_date(ends_on, errors, "ends_on")
    registered = check_date(registered_on, errors, "registered_on")
    if start is None and "starts_on" not in errors:
        errors["starts_on"] = _("Enter the date the lease starts")
    if end is None and "ends_on" not in errors:
        errors["ends_on"] = _("Enter the date the lease ends")
    if start and end and end <= start:
        errors["ends_on"] = _("The lease should end after it starts (%(date)s)") % {
            "date": start.isoformat()
        }
    if registered and registered > today():
        errors["registered_on"] = _("The registration date cannot be in the future")
    landlord_name = landlord_name.strip()
    if landlord is None and not landlord_name:
        errors["landlord"] = _("Choose the landlord from the register or type the name")
    if len(landlord_name) > 64:
        errors["landlord_name"] = _("At most 64 characters")
    if not tenants:
        errors["tenants"] = _("Choose at least one tenant from the register")
    elif landlord is not None and any(t.pk == landlord.pk for t in tenants):
        errors["tenants"] = _("The landlord cannot be a tenant of the same lease")
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        tenancy = Tenancy.objects.create(
            dwelling=dwelling,
            region=dwelling.region,
            landlord=landlord,
            landlord_name=landlord_name if landlord is None else landlord.name,
            starts_on=start,
            ends_on=end,
            registered_on=registered,
        )
        tenancy.tenants.set(tenants)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=tenancy,
            changes={
                "dwelling": [None, dwelling.pk],
                "tenants": [None, sorted(t.pk for t in tenants)],
                "starts_on": [None, start.isoformat()],
                "ends_on": [None, end.isoformat()],
            },
            request=request,
        )
        if dwelling.use != DwellingUse.RENTED:
            old = dwelling.use
            Dwelling.objects.filter(pk=dwelling.pk).update(use=DwellingUse.RENTED)
            dwelling.use = DwellingUse.RENTED
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=dwelling,
                changes={"use": [old, DwellingUse.RENTED.value]},
                request=request,
            )
    return tenancy


def tenancy_current(tenancy: Tenancy, day: dt.date | None = None) -> bool:
    day = day or today()
    return tenancy.starts_on <= day <= tenancy.ends_on
