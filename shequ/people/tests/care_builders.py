"""Register rows for the reminder, figure and visit-plan tests, inserted directly.

The tests need persons of exact ages, statuses and permit dates in given grids; going through
`person_create` would add nothing they check. Identity columns hold unique placeholders.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from shequ.people.models import (
    CareTag,
    Dwelling,
    DwellingUse,
    Household,
    Person,
    ResidenceStatus,
    Tenancy,
    Visit,
)
from shequ.people.reminders import years_before
from shequ.regions.models import Region

_serial = itertools.count(1)


def person(
    region: Region,
    *,
    age: int = 40,
    on: dt.date,
    status: str = ResidenceStatus.REGISTERED,
    household: Household | None = None,
    **fields: Any,
) -> Person:
    """A person `age` years old on `on` (born 100 days before that birthday)."""
    n = next(_serial)
    birth = years_before(on, age) - dt.timedelta(days=100)
    return Person.objects.create(
        region=region,
        household=household,
        name=f"测试{n}",
        name_pinyin=f"ceshi{n}",
        name_initials="cs",
        gender="M",
        birth_date=birth,
        id_number_enc="x",
        id_number_hash=f"hash-{n}",
        id_number_masked=f"110105********{n:04d}"[-18:],
        registration_place="北京市",
        residence_status=status,
        **fields,
    )


def tag(who: Person, kind: str, *, since: dt.date, ended_on: dt.date | None = None) -> CareTag:
    return CareTag.objects.create(person=who, kind=kind, since=since, ended_on=ended_on)


def visit(who: Person, visitor: Any, *, on: dt.date, next_due: dt.date | None = None) -> Visit:
    return Visit.objects.create(
        person=who,
        region=who.region,
        visitor=visitor,
        visited_on=on,
        found="良好",
        next_due=next_due,
    )


def dwelling(region: Region, use: str = DwellingUse.OWNER, number: str = "") -> Dwelling:
    from shequ.people.models import Building

    building = Building.objects.filter(region=region).first() or Building.objects.create(
        region=region, name="1号楼", address=f"{region.name}1号楼"
    )
    return Dwelling.objects.create(
        building=building,
        region=region,
        floor=1,
        number=number or str(next(_serial)),
        use=use,
    )


def tenancy(home: Dwelling, tenants: list[Person], *, starts: dt.date, ends: dt.date) -> Tenancy:
    lease = Tenancy.objects.create(
        dwelling=home, region=home.region, landlord_name="房东", starts_on=starts, ends_on=ends
    )
    lease.tenants.set(tenants)
    return lease
