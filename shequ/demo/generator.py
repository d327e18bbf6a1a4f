"""The rows of the demo district, made without touching the database.

`plan_tree` lays out the region tree; `PeopleMaker.grid_rows` makes the buildings, dwellings,
households and persons of one grid as tuples in the column order of `*_FIELDS`, ready for an
INSERT. Everything comes from one `random.Random(seed)` used in a fixed order, so a seed gives
the same names, numbers and structure every time; only the encryption nonces differ.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shequ.demo import names
from shequ.demo.places import (
    BUILDING_SHAPES,
    COMMUNITY_TYPES,
    COMPOUND_SUFFIXES,
    COMPOUND_WORDS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    DISTRICT_PLACE,
    GRID_NUMERALS,
    GRID_TOTAL,
    HEBEI_COUNTIES,
    HMT_PLACES,
    MOBILE_PREFIXES,
    OTHER_COUNTIES,
    ROADS,
    STREETS,
    Box,
    bounding,
    community_boxes,
    grid_boxes,
)
from shequ.lib.idnumbers import DocType, check_char
from shequ.lib.pinyin import name_keys
from shequ.people.models import DwellingUse, Gender, Relation, ResidenceStatus
from shequ.people.services import seal_identity, seal_phone

PERSONS_PER_SCALE = 50_000
# Ages are counted on this day, not on the day the demo is built, so that a seed always gives
# the same birth dates.
REFERENCE_DATE = dt.date(2026, 1, 1)
# The resident demo account logs in with this phone; the head of the first household has it.
DEMO_RESIDENT_PHONE = "13800138000"

BUILDING_FIELDS = ("id", "region_id", "name", "address", "floors", "units")
DWELLING_FIELDS = ("id", "building_id", "region_id", "unit", "floor", "number", "area", "use")
HOUSEHOLD_FIELDS = ("id", "region_id", "dwelling_id", "number")
PERSON_FIELDS = (
    "id", "region_id", "household_id", "relation", "name", "name_pinyin", "name_initials",
    "gender", "birth_date", "doc_type", "id_number_enc", "id_number_hash", "id_number_masked",
    "phone_enc", "phone_hash", "phone_masked", "residence_status", "registration_place",
    "created_at", "updated_at", "dwelling_id", "id_last4", "residence_permit_number",
    "residence_permit_expiry",
)  # fmt: skip

Row = tuple[Any, ...]

HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
HOUSEHOLD_SIZE_WEIGHTS = (15, 30, 28, 17, 10)
# Dwelling use by kind of community: owner-occupied, rented, vacant (per hundred dwellings).
USE_WEIGHTS = {
    "old_town": (60, 28, 12),
    "abandoned": (62, 28, 10),
    "gated": (70, 12, 18),
    "fringe": (45, 45, 10),
    "ordinary": (68, 20, 12),
}
USES = (DwellingUse.OWNER.value, DwellingUse.RENTED.value, DwellingUse.VACANT.value)
# Residence status of a household by the use of its dwelling: registered, resident, floating.
STATUS_WEIGHTS = {DwellingUse.OWNER.value: (80, 17, 3), DwellingUse.RENTED.value: (10, 35, 55)}
STATUSES = (
    ResidenceStatus.REGISTERED.value,
    ResidenceStatus.RESIDENT.value,
    ResidenceStatus.FLOATING.value,
)
# One household in this many is written with dotted names, one in this many bears the
# surname 𠮷, one person in this many has a rare given character, one floating adult in
# this many holds a Hong Kong, Macao or Taiwan residence permit.
DOTTED_HOUSEHOLD_ODDS = 300
RARE_SURNAME_ODDS = 4000
RARE_GIVEN_ODDS = 1500
HMT_ODDS = 400


@dataclass(frozen=True)
class Node:
    """A node of the planned region tree, with its primary key decided in advance."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    box: Box
    community_type: str = ""
    community: str = ""  # short name of the community a grid belongs to
    weight: float = 1.0  # share of the district's people a grid holds, relative


def plan_tree(rng: random.Random, first_id: int = 1) -> list[Node]:
    """The district, its 3 streets, 62 communities and 221 grids, parents before children."""
    cells = community_boxes()
    community_count = sum(len(short_names) for _, short_names in STREETS)
    four = set(rng.sample(range(community_count), GRID_TOTAL - 3 * community_count))
    nodes: list[Node] = []
    next_id = first_id
    district_box = bounding([bounding(street_cells) for street_cells in cells])
    district = Node(next_id, DISTRICT_CODE, DISTRICT_NAME, "district", None, district_box)
    nodes.append(district)
    next_id += 1
    index = 0
    for street_no, ((street_name, short_names), street_cells) in enumerate(
        zip(STREETS, cells, strict=True), start=1
    ):
        street_code = f"{DISTRICT_CODE}{street_no:03d}"
        splits = [
            grid_boxes(cell, 4 if index + i in four else 3) for i, cell in enumerate(street_cells)
        ]
        street_box = bounding([bounding(boxes) for boxes in splits])
        street = Node(next_id, street_code, street_name, "street", district.id, street_box)
        nodes.append(street)
        next_id += 1
        for community_no, (short, boxes) in enumerate(zip(short_names, splits, strict=True), 1):
            kind = COMMUNITY_TYPES.get(short, "ordinary")
            community = Node(
                next_id,
                f"{street_code}{community_no:03d}",
                f"{short}社区",
                "community",
                street.id,
                bounding(boxes),
                community_type=kind,
            )
            nodes.append(community)
            next_id += 1
            for grid_no, box in enumerate(boxes, start=1):
                nodes.append(
                    Node(
                        next_id,
                        f"{community.code}{grid_no:03d}",
                        f"{short}社区第{GRID_NUMERALS[grid_no - 1]}网格",
                        "grid",
                        community.id,
                        box,
                        community_type=kind,
                        community=short,
                        weight=rng.uniform(0.7, 1.3),
                    )
                )
                next_id += 1
        index += len(short_names)
    return nodes


def grid_targets(grids: list[Node], persons: int) -> list[int]:
    """How many persons each grid gets: the total split by the grids' weights."""
    total = sum(grid.weight for grid in grids)
    return [max(1, round(persons * grid.weight / total)) for grid in grids]


@dataclass
class GridRows:
    buildings: list[Row] = field(default_factory=list)
    dwellings: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)
    persons: list[Row] = field(default_factory=list)


@dataclass
class Member:
    relation: str
    gender: str
    age: int
    name: str = ""


class PeopleMaker:
    """Makes the rows of each grid in turn; keeps the state that spans grids.

    Identity numbers are unique across the district (the set of used numbers), pinyin keys are
    computed once per distinct name. `ids` holds the next primary key of each table.
    """

    def __init__(self, rng: random.Random, *, ids: dict[str, int], stamp: Any) -> None:
        self.rng = rng
        self.ids = dict(ids)
        self.stamp = stamp
        # Permit expiries fall around the day of the load, so the reminders have work.
        self.today = dt.date.today()
        self.used_numbers: set[int] = set()
        self.keys: dict[str, tuple[str, str]] = {}
        # The first households made get what the demo and its tests rely on: the demo
        # resident's phone, the surname 𠮷, a household with dotted names.
        self.specials = ["resident", "rare", "dotted"]
        self.resident_name = ""

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # Places ---------------------------------------------------------------------------------

    def _compounds(self, grid: Node) -> list[tuple[str, str, int]]:
        rng = self.rng
        suffixes = COMPOUND_SUFFIXES[grid.community_type or "ordinary"]
        count = rng.choice((1, 1, 2, 2, 3))
        words = [grid.community, *rng.sample(COMPOUND_WORDS, count - 1)]
        return [(w + rng.choice(suffixes), rng.choice(ROADS), rng.randint(1, 399)) for w in words]

    def _dwellings(self, grid: Node, rows: GridRows) -> Any:
        """Yield (dwelling id, use) for ever, adding buildings as the grid fills up."""
        rng = self.rng
        kind = grid.community_type or "ordinary"
        (f_lo, f_hi), (u_lo, u_hi), (d_lo, d_hi) = BUILDING_SHAPES[kind]
        use_weights = USE_WEIGHTS[kind]
        compounds = self._compounds(grid)
        numbers = [0] * len(compounds)
        while True:
            which = len(rows.buildings) % len(compounds)
            compound, road, street_no = compounds[which]
            numbers[which] += 1
            floors, units, doors = (
                rng.randint(f_lo, f_hi),
                rng.randint(u_lo, u_hi),
                rng.randint(d_lo, d_hi),
            )
            building_id = self._next("building")
            name = f"{compound}{numbers[which]}号楼"
            address = f"{DISTRICT_NAME}{road}{street_no}号{name}"
            rows.buildings.append((building_id, grid.id, name, address, floors, units))
            base_area = {2: 7800, 3: 6800, 4: 5600}[doors] + (3000 if kind == "gated" else 0)
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in range(1, doors + 1):
                        if floor == 1 and kind != "gated" and rng.random() < 0.15:
                            use = DwellingUse.COMMERCIAL.value
                        else:
                            use = rng.choices(USES, weights=use_weights)[0]
                        area = Decimal(base_area + rng.randrange(-1500, 4000)).scaleb(-2)
                        dwelling_id = self._next("dwelling")
                        rows.dwellings.append(
                            (
                                dwelling_id,
                                building_id,
                                grid.id,
                                unit,
                                floor,
                                f"{floor}{door:02d}",
                                area,
                                use,
                            )
                        )
                        yield dwelling_id, use

    # People ---------------------------------------------------------------------------------

    def grid_rows(self, grid: Node, persons: int) -> GridRows:
        """Rows for one grid: households until the grid holds `persons` people (at least one)."""
        rows = GridRows()
        dwellings = self._dwellings(grid, rows)
        made = 0
        while made < persons or self.specials:
            dwelling_id, use = next(dwellings)
            if use in (DwellingUse.VACANT, DwellingUse.COMMERCIAL):
                continue
            special = self.specials.pop(0) if self.specials else ""
            made += self._household(grid, rows, dwelling_id, use, special)
        return rows

    def _household(
        self, grid: Node, rows: GridRows, dwelling_id: int, use: str, special: str
    ) -> int:
        rng = self.rng
        household_id = self._next("household")
        number = f"{grid.code}{len(rows.households) + 1:04d}"
        rows.households.append((household_id, grid.id, dwelling_id, number))
        status = rng.choices(STATUSES, weights=STATUS_WEIGHTS[use])[0]
        if special == "resident":
            status = ResidenceStatus.REGISTERED.value
        home_code, home_place = self._home(status)
        members = self._members(special)
        dotted = special == "dotted" or (not special and rng.randrange(DOTTED_HOUSEHOLD_ODDS) == 0)
        if dotted:
            self._dotted_names(members)
        else:
            self._han_names(members, rare_surname=special == "rare")
        for member in members:
            rows.persons.append(
                self._person(
                    grid, household_id, dwelling_id, member, status, home_code, home_place, special
                )
            )
            if special == "resident" and member.relation == Relation.HEAD:
                self.resident_name = member.name
        return len(members)

    def _home(self, status: str) -> tuple[str, str]:
        """The county a household comes from: here for registered households."""
        rng = self.rng
        if status == ResidenceStatus.REGISTERED:
            return DISTRICT_CODE, DISTRICT_PLACE
        elsewhere = 0.4 if status == ResidenceStatus.RESIDENT else 0.8
        return rng.choice(OTHER_COUNTIES if rng.random() < elsewhere else HEBEI_COUNTIES)

    def _members(self, special: str) -> list[Member]:
        rng = self.rng
        size = rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_SIZE_WEIGHTS)[0]
        if size == 1:
            head_age = rng.randint(20, 95) if rng.random() < 0.5 else rng.randint(60, 95)
        else:
            head_age = rng.randint(25, 80)
        if special == "resident":
            head_age = rng.randint(30, 50)
        head_gender = Gender.MALE.value if rng.random() < 0.7 else Gender.FEMALE.value
        members = [Member(Relation.HEAD.value, head_gender, head_age)]
        if size >= 2 and rng.random() < 0.85:
            other = Gender.FEMALE.value if head_gender == Gender.MALE else Gender.MALE.value
            members.append(
                Member(
                    Relation.SPOUSE.value, other, min(95, max(20, head_age + rng.randint(-5, 5)))
                )
            )
        parents = 0
        while len(members) < size:
            gender = rng.choice((Gender.MALE.value, Gender.FEMALE.value))
            roll = rng.random()
            if roll < 0.05:
                age = max(0, min(95, head_age + rng.randint(-8, 8)))
                members.append(Member(Relation.SIBLING.value, gender, age))
            elif roll < 0.08:
                members.append(Member(Relation.OTHER.value, gender, rng.randint(18, 70)))
            elif head_age >= 52 and roll < 0.40:
                age = rng.randint(0, min(17, head_age - 46))
                members.append(Member(Relation.GRANDCHILD.value, gender, age))
            elif head_age <= 62 and parents < 2 and roll < 0.60:
                parents += 1
                gender = Gender.MALE.value if parents == 1 else Gender.FEMALE.value
                age = min(95, head_age + rng.randint(22, 34))
                members.append(Member(Relation.PARENT.value, gender, age))
            else:
                age = max(0, head_age - rng.randint(22, 38))
                members.append(Member(Relation.CHILD.value, gender, age))
        return members

    def _han_names(self, members: list[Member], *, rare_surname: bool) -> None:
        rng = self.rng
        head = members[0]
        head_family = names.RARE_SURNAME if rare_surname else names.surname(rng)
        if not rare_surname and rng.randrange(RARE_SURNAME_ODDS) == 0:
            head_family = names.RARE_SURNAME
        spouse_family = names.surname(rng)
        # Children carry the father's surname; the head's father carries the head's.
        father_family = head_family if head.gender == Gender.MALE else spouse_family
        if not any(m.relation == Relation.SPOUSE for m in members):
            father_family = head_family
        for member in members:
            if member.relation in (Relation.HEAD, Relation.SIBLING):
                family = head_family
            elif member.relation == Relation.SPOUSE:
                family = spouse_family
            elif member.relation == Relation.PARENT:
                family = head_family if member.gender == Gender.MALE else names.surname(rng)
            elif member.relation == Relation.OTHER:
                family = names.surname(rng)
            else:
                family = father_family
            if family != names.RARE_SURNAME and rng.randrange(RARE_GIVEN_ODDS) == 0:
                member.name = names.rare_name(rng, family)
            else:
                birth_year = REFERENCE_DATE.year - member.age
                member.name = family + names.given_name(rng, member.gender, birth_year)

    def _dotted_names(self, members: list[Member]) -> None:
        rng = self.rng
        head = members[0]
        head.name = names.dotted_name(rng, head.gender)
        head_father = head.name.partition("·")[2]
        spouse = next((m for m in members if m.relation == Relation.SPOUSE), None)
        if spouse is not None:
            spouse.name = names.dotted_name(rng, spouse.gender)
        father = head if head.gender == Gender.MALE or spouse is None else spouse
        for member in members:
            if member.relation == Relation.CHILD:
                member.name = names.dotted_name(rng, member.gender, names.own_part(father.name))
            elif member.relation == Relation.SIBLING:
                member.name = names.dotted_name(rng, member.gender, head_father)
            elif member.relation == Relation.PARENT and member.gender == Gender.MALE:
                member.name = f"{head_father}·{rng.choice(names.DOTTED_FATHER)}"
            elif not member.name:
                member.name = names.dotted_name(rng, member.gender)

    def _person(
        self,
        grid: Node,
        household_id: int,
        dwelling_id: int,
        member: Member,
        status: str,
        home_code: str,
        home_place: str,
        special: str,
    ) -> Row:
        rng = self.rng
        doc_type = DocType.ID_CARD.value
        place = DISTRICT_PLACE if status == ResidenceStatus.REGISTERED else home_place
        if status == ResidenceStatus.FLOATING and member.age >= 18 and rng.randrange(HMT_ODDS) == 0:
            doc_type = DocType.HMT_PERMIT.value
            code, place = rng.choice(HMT_PLACES)
        elif status == ResidenceStatus.REGISTERED:
            born_here = 0.8 if member.age < 30 else 0.6
            if rng.random() < born_here:
                code = DISTRICT_CODE
            else:
                code = rng.choice(HEBEI_COUNTIES if rng.random() < 0.85 else OTHER_COUNTIES)[0]
        else:
            code = home_code if rng.random() < 0.8 else self._home(status)[0]
        days = int((member.age + rng.random()) * 365.2425)
        birth = REFERENCE_DATE - dt.timedelta(days=days + 1)
        number = self._identity(code, birth, member.gender)
        if special == "resident" and member.relation == Relation.HEAD:
            phone = DEMO_RESIDENT_PHONE
        else:
            phone = self._phone(member.age)
        keys = self.keys.get(member.name)
        if keys is None:
            keys = self.keys[member.name] = name_keys(member.name)
        sealed_id = seal_identity(number)
        sealed_phone = seal_phone(phone) if phone else None
        permit, expiry = "", None
        if status == ResidenceStatus.FLOATING and member.age >= 16:
            # 居住证: endorsed yearly; some expire within the month (the reminders show them).
            permit = f"{DISTRICT_CODE}{rng.randrange(10**9):09d}"
            expiry = self.today + dt.timedelta(days=rng.randrange(-20, 365))
        return (
            self._next("person"),
            grid.id,
            household_id,
            member.relation,
            member.name,
            keys[0],
            keys[1],
            member.gender,
            birth,
            doc_type,
            sealed_id.enc,
            sealed_id.hash,
            sealed_id.masked,
            sealed_phone.enc if sealed_phone else "",
            sealed_phone.hash if sealed_phone else "",
            sealed_phone.masked if sealed_phone else "",
            status,
            place,
            self.stamp,
            self.stamp,
            dwelling_id,
            number[-4:],
            permit,
            expiry,
        )

    def _identity(self, code: str, birth: dt.date, gender: str) -> str:
        """A GB 11643 number not yet used: sequence parity by gender, MOD 11-2 check."""
        rng = self.rng
        head = f"{code}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        odd = gender == Gender.MALE
        for _attempt in range(1000):
            sequence = rng.randrange(0, 500) * 2 + 1 if odd else rng.randrange(1, 500) * 2
            first17 = f"{head}{sequence:03d}"
            key = int(first17)
            if key not in self.used_numbers:
                self.used_numbers.add(key)
                return first17 + check_char(first17)
        raise RuntimeError(f"no free identity number for {head}")

    def _phone(self, age: int) -> str:
        rng = self.rng
        if age < 14 or (age < 16 and rng.random() < 0.5) or (age >= 80 and rng.random() < 0.5):
            return ""
        return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
