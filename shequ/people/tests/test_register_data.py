"""Builders shared by the register's tests (this module holds no tests of its own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shequ.lib.idnumbers import check_char
from shequ.people.models import Building, Dwelling, DwellingUse, Household, Person
from shequ.people.services import person_create
from shequ.regions.tests.factories import World


def idn(birth: str = "19800101", seq: str = "123", area: str = "110105") -> str:
    """A valid identity number; an odd sequence number is a man's."""
    first17 = area + birth + seq
    return first17 + check_char(first17)


def born_years_ago(years: int, today: dt.date) -> str:
    return f"{today.year - years}0101"


def place(world: World, region: Any = None) -> tuple[Building, Dwelling]:
    region = region or world.grid
    building = Building.objects.create(
        region=region, name="3号楼", address="幸福路12号", floors=6, units=2
    )
    dwelling = Dwelling.objects.create(
        building=building, region=region, unit=1, floor=3, number="302", use=DwellingUse.OWNER
    )
    return building, dwelling


def household_of(
    world: World, dwelling: Dwelling, *names: str, start: int = 0
) -> tuple[Household, list[Person]]:
    """A household in the dwelling: the first name is the head, the others children.

    `start` shifts the identity numbers, for a second household in the same test.
    """
    household = Household.objects.create(region=dwelling.region, dwelling=dwelling)
    people = [
        person_create(
            actor=world.users["admin"],
            region=dwelling.region,
            name=name,
            id_number=idn(seq=f"{101 + 2 * (i + start):03d}", birth=f"19{60 + i}0101"),
            household=household,
            dwelling=dwelling,
            relation="head" if i == 0 else "child",
        )
        for i, name in enumerate(names)
    ]
    return household, people


def member(name: str, number: str, relation: str = "child", **extra: Any) -> dict[str, Any]:
    return {"name": name, "id_number": number, "relation": relation, **extra}
