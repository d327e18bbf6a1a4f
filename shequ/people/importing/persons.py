"""The persons register: rows checked and written chunk by chunk, households checked across rows.

A person is matched by the keyed hash of the identity number: a person already in the register
within the chosen node is updated (or left alone when nothing changed), one outside it is an
error (the import cannot move people between communities). Households are matched by number
within the chosen node; a new household gets the grid and the dwelling of its head.

While no problem has been found, each checked chunk is written at once into the person and
household tables, inside the import's one transaction (see engine.py): a problem found later,
in a row or across rows, rolls all of it back. The scratch store keeps only what the checks
across rows need (identity hashes, household members, the households met so far).
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.lib import crypto
from shequ.lib.idnumbers import DocType, Identity, IdentityError, parse_identity
from shequ.lib.phones import mask_phone
from shequ.lib.pinyin import name_keys
from shequ.lib.tabular import cell_text
from shequ.people.importing import fields
from shequ.people.importing.context import Regions, RowProblems, dwelling_missing
from shequ.people.importing.engine import Context
from shequ.people.importing.workers import Prepare
from shequ.people.models import Gender, Household, Person, Relation, ResidenceStatus

# The columns written, in the order of a checked row's values.
COLUMNS = (
    "region_id", "household_id", "relation", "dwelling_id", "name", "name_pinyin",
    "name_initials", "gender", "birth_date", "doc_type", "id_number_enc", "id_number_hash",
    "id_number_masked", "id_last4", "phone_enc", "phone_hash", "phone_masked",
    "residence_status", "registration_place", "residence_permit_number",
    "residence_permit_expiry",
)  # fmt: skip
# What "unchanged" compares: everything but the sealed values, whose nonces differ each time.
_COMPARED = (
    "region_id", "household__number", "relation", "dwelling_id", "name", "gender", "birth_date",
    "doc_type", "phone_hash", "residence_status", "registration_place",
    "residence_permit_number", "residence_permit_expiry",
)  # fmt: skip
# The same, as positions in a checked row's values (household and dwelling are filled in by
# the main process: their ids come from the database).
_COMPARED_AT = (0, 1, 2, 3, 4, 7, 8, 9, 15, 17, 18, 19, 20)
# The parts of a checked row as `_parse` returns it (a tuple: it may come from a worker).
ROW, PROBLEMS, GRID_AT, GRID, HASH, MASKED = 0, 1, 2, 3, 4, 5
HOUSEHOLD, RELATION, REGION, DWELLING, VALUES = 6, 7, 8, 9, 10


@lru_cache(maxsize=200_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Pinyin keys per distinct name: names repeat, and pypinyin is the slowest step of a row."""
    return name_keys(name)


def _prepare_chunk(
    regions: Regions, chunk: list[tuple[int, dict[str, Any]]]
) -> list[tuple[Any, ...]]:
    """The rows of a chunk parsed, checked and sealed, without the database (see workers.py)."""
    adapt = connection.ops.adapt_datefield_value
    return [_parse(regions, adapt, number, values) for number, values in chunk]


def _parse(regions: Regions, adapt: Any, number: int, values: dict[str, Any]) -> tuple[Any, ...]:
    """One row checked cell by cell; its values ready to write when nothing was wrong."""
    problems = RowProblems()
    name = fields.text(values, "name", problems, 64, required=True)
    doc_type = fields.choice(values, "doc_type", problems) or DocType.ID_CARD
    identity: Identity | None = None
    raw_id = fields.cell(values["id_number"])
    try:
        identity = parse_identity(raw_id, doc_type)
    except IdentityError as exc:
        problems.add("id_number", fields.masked_identity(raw_id), str(exc))
    gender = fields.choice(values, "gender", problems)
    birth = fields.date(values, "birth_date", problems)
    if identity is not None and identity.doc_type == DocType.ID_CARD:
        if gender and gender != identity.gender:
            problems.add(
                "gender",
                values["gender"],
                _("The identity number gives the gender %(gender)s")
                % {"gender": Gender(identity.gender).label},
            )
        if birth and birth != identity.birth_date:
            problems.add(
                "birth_date",
                values["birth_date"],
                _("The identity number gives the birth date %(date)s")
                % {"date": identity.birth_date.isoformat()},
            )
    phone = fields.phone(values, "phone", problems)
    status = fields.choice(values, "residence_status", problems, required=True)
    place = fields.text(values, "registration_place", problems, 100)
    permit = fields.text(values, "permit_number", problems, 32)
    expiry = fields.date(values, "permit_expiry", problems)
    if status == ResidenceStatus.REGISTERED and (permit or expiry):
        problems.add(
            "permit_number",
            permit,
            _("A person registered here (户籍) holds no residence permit: clear the permit fields"),
        )
    elif permit and not expiry and not values["permit_expiry"]:
        problems.add("permit_expiry", "", _("Enter the permit's expiry date"))
    elif expiry and not permit:
        problems.add("permit_number", "", _("Enter the permit number"))
    household = fields.text(values, "household_number", problems, 32)
    relation = fields.choice(values, "relation", problems)
    if household and not relation and not values["relation"]:
        problems.add(
            "relation",
            "",
            _("Enter the relation to the head of household (%(names)s)")
            % {"names": "户主、配偶、子女、父母、孙子女、兄弟姐妹、其他"},
        )
    elif relation and not household:
        problems.add("household_number", "", _("A relation to the head needs a household number"))
    region_id, grid_at = None, None
    answer = regions.lookup(values["grid"], offline=True)
    if answer is None:
        grid_at = len(problems.items)
    else:
        region_id, message = answer
        if message:
            problems.add("grid", values["grid"], message)
    dwelling_key = _dwelling_key(values, problems)
    if identity is None:
        return (
            number, problems.items, grid_at, values["grid"], "", fields.masked_identity(raw_id),
            household, relation, region_id, dwelling_key, None,
        )  # fmt: skip
    # One keyed hash per value: the lookup's is the one stored.
    hashed = crypto.keyed_hash(identity.number)
    masked = identity.masked
    row = None
    if not problems.items and grid_at is None:
        # Sealed here, where it may run in a worker process, even though the main process
        # may still find the row unchanged or wrong.
        card = identity.doc_type == DocType.ID_CARD
        pinyin, initials = _pinyin(name)
        row = (
            region_id, household, relation, None, name, pinyin, initials,
            identity.gender if card else gender or identity.gender,
            adapt(identity.birth_date if card else birth or identity.birth_date),
            identity.doc_type.value, crypto.encrypt(identity.number), hashed, masked,
            identity.number[-4:],
            crypto.encrypt(phone) if phone else "", crypto.keyed_hash(phone) if phone else "",
            mask_phone(phone) if phone else "",
            status, place or identity.province, permit, adapt(expiry) if expiry else None,
        )  # fmt: skip
    return (
        number, problems.items, grid_at, values["grid"], hashed, masked, household, relation,
        region_id, dwelling_key, row,
    )  # fmt: skip


def _dwelling_key(values: dict[str, Any], problems: RowProblems) -> tuple[str, int, str] | None:
    address = fields.text(values, "building_address", problems, 200)
    dwelling = fields.text(values, "dwelling_number", problems, 16)
    unit = fields.whole(values, "unit", problems, low=1, high=99, default=1)
    if not address and not dwelling:
        return None
    if not address or not dwelling:
        missing = "building_address" if not address else "dwelling_number"
        problems.add(missing, "", _("Give the building address and the dwelling number together"))
        return None
    return (address, unit, dwelling) if unit is not None else None


class PersonRows:
    """Handler of the persons register (see engine.Handler)."""

    def __init__(self) -> None:
        self._statements: tuple[str, str] | None = None
        self._now: Any = None

    def prepare(self, ctx: Context) -> Prepare:
        return partial(_prepare_chunk, ctx.regions)

    def check(self, ctx: Context, parsed: list[tuple[Any, ...]]) -> None:
        for item in parsed:
            if item[GRID_AT] is not None:  # a grid only the database can explain
                _region, message = ctx.regions.resolve(item[GRID])
                item[PROBLEMS].insert(item[GRID_AT], ("grid", cell_text(item[GRID]), message))
        wanted = [item[DWELLING] for item in parsed if item[DWELLING]]
        if wanted:
            ctx.dwellings.load(wanted)
        stored = _stored_persons([item[HASH] for item in parsed if item[HASH]])
        households = _households(ctx, {item[HOUSEHOLD] for item in parsed if item[HOUSEHOLD]})
        inside = ctx.regions.paths
        keys: list[tuple[str, int, str, str]] = []
        members: list[tuple[str, int, int, int]] = []
        errors: list[tuple[int, str, str, str]] = []
        # (values, the stored person or None, dwelling id) of the good rows.
        good: list[tuple[tuple[Any, ...], tuple[Any, ...] | None, int | None]] = []
        seen: set[str] = set()
        for item in parsed:
            number, problems, hashed = item[ROW], item[PROBLEMS], item[HASH]
            dwelling_id = None
            if key := item[DWELLING]:
                found = ctx.dwellings.get(key)
                if found is None:
                    problems.append(("dwelling_number", key[2], dwelling_missing(key)))
                else:
                    dwelling_id = found[0]
            existing = stored.get(hashed) if stored and hashed else None
            if existing is not None and existing[2] not in inside:  # its grid
                problems.append(("id_number", item[MASKED], _outside()))
            if hashed:
                keys.append((hashed, number, "id_number", item[MASKED]))
            if item[HOUSEHOLD] and item[REGION]:
                head = item[RELATION] == Relation.HEAD
                members.append((item[HOUSEHOLD], number, int(head), item[REGION]))
            if problems:
                errors.extend((number, column, shown, text) for column, shown, text in problems)
            elif hashed not in seen:
                # A number twice in one chunk is written once; the check across rows reports
                # it (and with it the whole import is rolled back).
                seen.add(hashed)
                good.append((item[VALUES], existing, dwelling_id))
        ctx.scratch.add_keys(keys)
        ctx.scratch.add_members(members)
        ctx.scratch.add_errors(errors)
        if ctx.clean:
            self._write(ctx, good, households)

    def _write(
        self,
        ctx: Context,
        good: list[tuple[tuple[Any, ...], tuple[Any, ...] | None, int | None]],
        households: dict[str, tuple[int, bool]],
    ) -> None:
        """Write a chunk's good rows: the households they lack first, then the persons."""
        if self._statements is None:
            self._statements = _statements()
            self._now = connection.ops.adapt_datetimefield_value(timezone.now())
        insert, update = self._statements
        now = self._now
        todo: list[tuple[tuple[Any, ...], tuple[Any, ...] | None, int | None]] = []
        for entry in good:
            values, existing, dwelling_id = entry
            if existing is not None and _unchanged(values, existing, dwelling_id):
                ctx.counts.unchanged += 1
            else:
                todo.append(entry)
        ids = _household_ids(ctx, todo, households)
        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for values, existing, dwelling_id in todo:
            household_id = ids[values[1]] if values[1] else None
            if existing is None:
                creates.append(
                    (values[0], household_id, values[2], dwelling_id, *values[4:], None, now, now)
                )
            else:
                updates.append(
                    (values[0], household_id, values[2], dwelling_id, *values[4:], now, existing[0])
                )
        with connection.cursor() as cursor:
            if creates and connection.vendor == "postgresql":
                # COPY: on PostgreSQL several times faster than INSERTs for the same rows,
                # with the same constraints (the foreign keys are checked at the commit).
                with cursor.cursor.copy(insert) as copy:
                    for row in creates:
                        copy.write_row(row)
            elif creates:
                cursor.executemany(insert, creates)
            if updates:
                cursor.executemany(update, updates)
        ctx.counts.created += len(creates)
        ctx.counts.updated += len(updates)

    def check_across(self, ctx: Context) -> None:
        db, errors = ctx.scratch.db, []
        for _key, first, row, column, shown in ctx.scratch.duplicates():
            message = _("This identity number is already on row %(row)d") % {"row": first}
            errors.append((row, column, shown, message))
        last, first_head = None, 0
        for number, row in db.execute(
            "SELECT number, row FROM members WHERE head = 1 ORDER BY number, row"
        ):
            if number == last:
                message = _("Household %(number)s already has a head on row %(row)d")
                errors.append(
                    (row, "relation", "户主", message % {"number": number, "row": first_head})
                )
            else:
                last, first_head = number, row
        for number, row in db.execute(
            "SELECT m.number, m.row FROM members m WHERE NOT EXISTS (SELECT 1 FROM members h"
            " WHERE h.number = m.number AND h.head = 1) AND NOT EXISTS (SELECT 1 FROM"
            " stored_households s WHERE s.number = m.number AND s.has_head = 1)"
        ):
            message = _("Household %(number)s has no head (户主) in this file or in the register")
            errors.append((row, "household_number", number, message % {"number": number}))
        for number, row in db.execute(_OTHER_GRID):
            message = _("All members of household %(number)s must be in the grid of its head")
            errors.append((row, "grid", "", message % {"number": number}))
        ctx.scratch.add_errors(errors)

    def write(self, ctx: Context) -> None:
        """Nothing is left to write: each chunk was written as soon as it was checked."""


def _outside() -> str:
    return _(
        "This person is in the register outside the node chosen for this import: a move "
        "between communities is done on the person's page"
    )


def _unchanged(values: tuple[Any, ...], existing: tuple[Any, ...], dwelling_id: int | None) -> bool:
    """Whether a stored person (as `_stored_persons` reads it) already has the row's values;
    the row's dates are as written (`adapt_datefield_value`), so the stored ones are adapted."""
    adapt = connection.ops.adapt_datefield_value
    stored = list(existing[2:])
    for at in (1, 2):  # no household: its number reads NULL
        if stored[at] is None:
            stored[at] = ""
    for at in (6, 12):  # birth date, permit expiry
        if stored[at] is not None:
            stored[at] = adapt(stored[at])
    return stored == [dwelling_id if at == 3 else values[at] for at in _COMPARED_AT]


def _stored_persons(hashes: list[str]) -> dict[str, tuple[Any, ...]]:
    """The persons of the register with these identity hashes, anywhere in the district:
    (id, hash, then the `_COMPARED` values as the database holds them), by hash."""
    if not hashes:
        return {}
    quote = connection.ops.quote_name
    person, household = quote(Person._meta.db_table), quote(Household._meta.db_table)
    compared = ", ".join(
        "h.number" if name == "household__number" else f"p.{quote(name)}" for name in _COMPARED
    )
    found: dict[str, tuple[Any, ...]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), _LOOKUP):
            part = hashes[start : start + _LOOKUP]
            cursor.execute(
                f"SELECT p.id, p.id_number_hash, {compared} FROM {person} p"
                f" LEFT JOIN {household} h ON h.id = p.household_id"
                f" WHERE p.id_number_hash IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            for row in cursor.fetchall():
                found[row[1]] = row
    return found


def _households(ctx: Context, numbers: set[str]) -> dict[str, tuple[int, bool]]:
    """The households with these numbers met so far, by number: (id, whether its grid and
    dwelling are settled). Those not met yet are looked up in the register within the node
    and recorded in the scratch store, with whether they have a head (for the checks across
    rows); a stored household is never changed, so it counts as settled.
    """
    if not numbers:
        return {}
    known = ctx.scratch.households(numbers)
    missing = sorted(numbers.difference(known))
    if not missing:
        return known
    quote = connection.ops.quote_name
    household, person = quote(Household._meta.db_table), quote(Person._meta.db_table)
    stored: list[tuple[str, int, int, int]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(missing), _LOOKUP):
            part = missing[start : start + _LOOKUP]
            cursor.execute(
                f"SELECT h.number, h.id, h.region_id, EXISTS (SELECT 1 FROM {person} p"
                f" WHERE p.household_id = h.id AND p.relation = %s) FROM {household} h"
                f" WHERE h.number IN ({', '.join(['%s'] * len(part))})",
                [Relation.HEAD, *part],
            )
            stored.extend(
                (number, pk, region_id, int(bool(head)))
                for number, pk, region_id, head in cursor.fetchall()
                if region_id in ctx.regions.paths
            )
    ctx.scratch.add_stored_households(stored)
    for number, pk, _region, _head in stored:
        known.setdefault(number, (pk, True))
    return known


def _household_ids(
    ctx: Context,
    rows: list[tuple[tuple[Any, ...], tuple[Any, ...] | None, int | None]],
    households: dict[str, tuple[int, bool]],
) -> dict[str, int]:
    """The household id of each number the rows name, creating the households the register
    lacks: with the grid and dwelling of the head, or of the first row until the head comes."""
    new: dict[str, tuple[int, int | None, bool]] = {}
    settle: list[tuple[int, int | None, int]] = []
    settled: list[str] = []
    for values, _existing, dwelling_id in rows:
        number = values[1]
        if not number:
            continue
        head = values[2] == Relation.HEAD
        if number in households:
            pk, done = households[number]
            if head and not done:
                settle.append((values[0], dwelling_id, pk))
                settled.append(number)
                households[number] = (pk, True)
        elif number not in new or (head and not new[number][2]):
            new[number] = (values[0], dwelling_id, head)
    if settle:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(Household._meta.db_table)} SET {quote('region_id')} = %s,"
                f" {quote('dwelling_id')} = %s WHERE {quote('id')} = %s",
                settle,
            )
        ctx.scratch.settle_households(settled)
    if new:
        made = _insert_households(new)
        ctx.scratch.add_new_households(
            [(number, pk, int(new[number][2])) for number, pk in made.items()]
        )
        for number, pk in made.items():
            households[number] = (pk, new[number][2])
    return {number: pk for number, (pk, _done) in households.items()}


def _insert_households(new: dict[str, tuple[int, int | None, bool]]) -> dict[str, int]:
    """Insert households (number: grid, dwelling, head) with multi-row INSERTs returning the
    keys, which the persons written next need."""
    quote = connection.ops.quote_name
    table = quote(Household._meta.db_table)
    columns = ", ".join(quote(name) for name in ("number", "region_id", "dwelling_id"))
    items = list(new.items())
    batch = max(1, min(500, (connection.features.max_query_params or 999) // 3))
    made: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(items), batch):
            part = items[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(part))
                + f" RETURNING {quote('id')}, {quote('number')}",
                [value for number, row in part for value in (number, *row[:2])],
            )
            for pk, number in cursor.fetchall():
                made[number] = pk
    return made


def _statements() -> tuple[str, str]:
    """The INSERT (a COPY on PostgreSQL) and the UPDATE of a person row (`COLUMNS`, then the
    timestamps)."""
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    names = [quote(name) for name in COLUMNS]
    columns = (
        f"{', '.join(names)}, {quote('left_on')}, {quote('created_at')}, {quote('updated_at')}"
    )
    if connection.vendor == "postgresql":
        insert = f"COPY {table} ({columns}) FROM STDIN"
    else:
        insert = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(COLUMNS) + 3))})"
        )
    update = (
        f"UPDATE {table} SET {', '.join(f'{n} = %s' for n in names)}, {quote('updated_at')} = %s"
        f" WHERE {quote('id')} = %s"
    )
    return insert, update


# Identity hashes or household numbers per lookup statement.
_LOOKUP = 500

# Members whose grid differs from their household's: the head's grid in the file, else the
# stored household's, else the grid of the household's first row.
_OTHER_GRID = """
SELECT number, row FROM (
    SELECT m.number, m.row, m.region_id, COALESCE(
        (SELECT h.region_id FROM members h WHERE h.number = m.number AND h.head = 1
         ORDER BY h.row LIMIT 1),
        (SELECT s.region_id FROM stored_households s WHERE s.number = m.number),
        (SELECT f.region_id FROM members f WHERE f.number = m.number ORDER BY f.row LIMIT 1)
    ) AS home FROM members m
) WHERE region_id != home ORDER BY row
"""
