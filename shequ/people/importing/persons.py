"""The persons register: rows checked, households checked across rows, persons written in bulk.

A person is matched by the keyed hash of the identity number: a person already in the register
within the chosen node is updated (or left alone when nothing changed), one outside it is an
error (the import cannot move people between communities). Households are matched by number
within the chosen node; a new household gets the grid and the dwelling of its head.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache, partial
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef
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

CREATE, UPDATE, SAME = 0, 1, 2
BATCH = 2000
# The columns written, in the order of the payload's values from REGION on.
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


@lru_cache(maxsize=200_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Pinyin keys per distinct name: names repeat, and pypinyin is the slowest step of a row."""
    return name_keys(name)


def _seal(identity: Identity, name: str, phone: str) -> tuple[str, ...]:
    """(identity encrypted, phone encrypted, phone's keyed hash, phone masked, pinyin, initials)."""
    return (
        crypto.encrypt(identity.number),
        crypto.encrypt(phone) if phone else "",
        crypto.keyed_hash(phone) if phone else "",
        mask_phone(phone) if phone else "",
        *_pinyin(name),
    )


def _prepare_chunk(
    regions: Regions, chunk: list[tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The rows of a chunk parsed, checked and sealed, without the database (see workers.py)."""
    return [PersonRows._parse(regions, number, values) for number, values in chunk]


class PersonRows:
    """Handler of the persons register (see engine.Handler)."""

    def prepare(self, ctx: Context) -> Prepare:
        return partial(_prepare_chunk, ctx.regions)

    def check(self, ctx: Context, parsed: list[dict[str, Any]]) -> None:
        for item in parsed:
            if item["grid_at"] is not None:  # a grid only the database can explain
                item["region_id"], message = ctx.regions.resolve(item["grid"])
                if message:
                    item["problems"].items.insert(
                        item["grid_at"], ("grid", cell_text(item["grid"]), message)
                    )
        ctx.dwellings.load(item["dwelling_key"] for item in parsed if item["dwelling_key"])
        hashes = [item["hash"] for item in parsed if item["hash"]]
        stored = {
            row[1]: row
            for row in Person.objects.filter(id_number_hash__in=hashes).values_list(
                "pk", "id_number_hash", "region__path", *_COMPARED
            )
        }
        self._households(ctx, {item["household"] for item in parsed if item["household"]})
        rows: list[Any] = []
        keys: list[Any] = []
        members: list[Any] = []
        errors: list[tuple[int, str, str, str]] = []
        for item in parsed:
            number, problems = item["row"], item["problems"]
            dwelling_id = None
            if key := item["dwelling_key"]:
                found = ctx.dwellings.get(key)
                if found is None:
                    problems.add("dwelling_number", key[2], dwelling_missing(key))
                else:
                    dwelling_id = found[0]
            existing = stored.get(item["hash"]) if item["hash"] else None
            if existing is not None and existing[3] not in ctx.regions.paths:
                problems.add(
                    "id_number",
                    item["masked"],
                    _(
                        "This person is in the register outside the node chosen for this "
                        "import: a move between communities is done on the person's page"
                    ),
                )
            if item["hash"]:
                keys.append((item["hash"], number, "id_number", item["masked"]))
            if item["household"] and item["region_id"]:
                head = item["relation"] == Relation.HEAD
                members.append(
                    (item["household"], number, int(head), item["region_id"], dwelling_id)
                )
            if problems.items:
                ctx.problems(number, problems, errors)
                continue
            rows.append(
                (number, self._payload(ctx, item, existing, dwelling_id), item["household"])
            )
        ctx.scratch.add_keys(keys)
        ctx.scratch.add_members(members)
        ctx.scratch.add_errors(errors)
        if ctx.scratch.error_count == 0:
            ctx.scratch.add_rows(rows)

    @staticmethod
    def _parse(regions: Regions, number: int, values: dict[str, Any]) -> dict[str, Any]:
        problems = RowProblems()
        name = fields.text(values, "name", problems, 64, required=True)
        doc_type = fields.choice(values, "doc_type", problems) or DocType.ID_CARD
        identity: Identity | None = None
        raw_id = cell_text(values["id_number"])
        masked = fields.masked_identity(raw_id)
        try:
            identity = parse_identity(raw_id, doc_type)
        except IdentityError as exc:
            problems.add("id_number", masked, str(exc))
        gender = fields.choice(values, "gender", problems)
        birth = fields.date(values, "birth_date", problems)
        if identity is not None:
            masked = identity.masked
            if gender and gender != identity.gender and doc_type == DocType.ID_CARD:
                problems.add(
                    "gender",
                    values["gender"],
                    _("The identity number gives the gender %(gender)s")
                    % {"gender": Gender(identity.gender).label},
                )
            if birth and birth != identity.birth_date and doc_type == DocType.ID_CARD:
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
                _(
                    "A person registered here (户籍) holds no residence permit: clear the permit fields"
                ),
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
            problems.add(
                "household_number", "", _("A relation to the head needs a household number")
            )
        region_id, grid_at = None, None
        answer = regions.lookup(values["grid"], offline=True)
        if answer is None:
            grid_at = len(problems.items)
        else:
            region_id, message = answer
            if message:
                problems.add("grid", values["grid"], message)
        dwelling_key = PersonRows._dwelling_key(values, problems)
        sealed: tuple[str, ...] | None = None
        if identity is not None and not problems.items and grid_at is None:
            # Sealed here, where it may run in a worker process, even though the main
            # process may still find the row unchanged or wrong: one HMAC per value.
            sealed = _seal(identity, name, phone or "")
        return {
            "row": number,
            "problems": problems,
            "name": name,
            "identity": identity,
            "hash": crypto.keyed_hash(identity.number) if identity else "",
            "sealed": sealed,
            "grid": values["grid"],
            "grid_at": grid_at,
            "masked": masked,
            "gender": gender,
            "birth": birth,
            "phone": phone,
            "status": status,
            "place": place,
            "permit": permit,
            "expiry": expiry,
            "household": household,
            "relation": relation,
            "region_id": region_id,
            "dwelling_key": dwelling_key,
        }

    @staticmethod
    def _dwelling_key(values: dict[str, Any], problems: RowProblems) -> tuple[str, int, str] | None:
        address = fields.text(values, "building_address", problems, 200)
        dwelling = fields.text(values, "dwelling_number", problems, 16)
        unit = fields.whole(values, "unit", problems, low=1, high=99, default=1)
        if not address and not dwelling:
            return None
        if not address or not dwelling:
            missing = "building_address" if not address else "dwelling_number"
            problems.add(
                missing, "", _("Give the building address and the dwelling number together")
            )
            return None
        return (address, unit, dwelling) if unit is not None else None

    def _payload(
        self,
        ctx: Context,
        item: dict[str, Any],
        existing: tuple[Any, ...] | None,
        dwelling_id: int | None,
    ) -> tuple[Any, ...]:
        identity: Identity = item["identity"]
        gender = (
            identity.gender
            if identity.doc_type == DocType.ID_CARD
            else item["gender"] or identity.gender
        )
        birth = (
            identity.birth_date
            if identity.doc_type == DocType.ID_CARD
            else item["birth"] or identity.birth_date
        )
        place = item["place"] or identity.province
        sealed = item["sealed"] or _seal(identity, item["name"], item["phone"])
        id_enc, phone_enc, phone_hash, phone_masked, pinyin, initials = sealed
        values = (
            item["region_id"], item["household"], item["relation"], dwelling_id, item["name"],
            gender, birth, identity.doc_type.value, phone_hash, item["status"], place,
            item["permit"], item["expiry"],
        )  # fmt: skip
        state = CREATE
        if existing is not None:
            before = tuple(
                "" if value is None and i in (1, 2) else value
                for i, value in enumerate(existing[3:])
            )
            state = SAME if before == values else UPDATE
        if state == SAME or not ctx.clean:
            return (existing[0] if existing else 0, state)
        return (
            existing[0] if existing else 0, state, item["region_id"], item["relation"], dwelling_id,
            item["name"], pinyin, initials, gender, birth.toordinal(), identity.doc_type.value,
            id_enc, item["hash"], item["masked"], identity.number[-4:],
            phone_enc, phone_hash, phone_masked,
            item["status"], place, item["permit"],
            item["expiry"].toordinal() if item["expiry"] else None,
        )  # fmt: skip

    @staticmethod
    def _households(ctx: Context, numbers: set[str]) -> None:
        """Record the households of the chunk already in the register within the node."""
        if not numbers:
            return
        heads = Person.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD)
        stored = (
            Household.objects.filter(number__in=numbers, region__path__startswith=ctx.node.path)
            .annotate(has_head=Exists(heads))
            .values_list("number", "pk", "region_id", "has_head")
        )
        ctx.scratch.db.executemany(
            "INSERT OR IGNORE INTO stored_households VALUES (?, ?, ?, ?)",
            [
                (n, pk, region, int(head))
                for n, pk, region, head in stored
                if region in ctx.regions.paths
            ],
        )

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
        _create_households(ctx)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        quote = connection.ops.quote_name
        table = quote(Person._meta.db_table)
        names = [quote(name) for name in COLUMNS]
        insert = (
            f"INSERT INTO {table} ({', '.join(names)}, {quote('left_on')}, {quote('created_at')},"
            f" {quote('updated_at')}) VALUES ({', '.join(['%s'] * (len(COLUMNS) + 3))})"
        )
        update = (
            f"UPDATE {table} SET {', '.join(f'{n} = %s' for n in names)}, {quote('updated_at')} = %s"
            f" WHERE {quote('id')} = %s"
        )
        adapt = connection.ops.adapt_datefield_value
        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        done = 0
        with connection.cursor() as cursor:
            for _row, payload, household_id in ctx.scratch.rows():
                done += 1
                pk, state = payload[0], payload[1]
                if state == SAME:
                    ctx.counts.unchanged += 1
                    continue
                expiry = payload[21]
                values = (
                    payload[2], household_id, *payload[3:9],
                    adapt(dt.date.fromordinal(payload[9])), *payload[10:21],
                    adapt(dt.date.fromordinal(expiry)) if expiry else None,
                )  # fmt: skip
                if state == CREATE:
                    creates.append((*values, None, now, now))
                else:
                    updates.append((*values, now, pk))
                if len(creates) >= BATCH:
                    cursor.executemany(insert, creates)
                    ctx.counts.created += len(creates)
                    creates = []
                    ctx.report("writing", done)
                if len(updates) >= BATCH:
                    cursor.executemany(update, updates)
                    ctx.counts.updated += len(updates)
                    updates = []
            if creates:
                cursor.executemany(insert, creates)
                ctx.counts.created += len(creates)
            if updates:
                cursor.executemany(update, updates)
                ctx.counts.updated += len(updates)


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

_NEW_HOUSEHOLDS = """
SELECT number, region_id, dwelling_id FROM members m
WHERE NOT EXISTS (SELECT 1 FROM stored_households s WHERE s.number = m.number)
  AND row = (SELECT row FROM members f WHERE f.number = m.number ORDER BY f.head DESC, f.row LIMIT 1)
"""


def _create_households(ctx: Context) -> None:
    """Create the households the file names and the register lacks, in batches."""
    cursor = ctx.scratch.db.execute(_NEW_HOUSEHOLDS)
    while chunk := cursor.fetchmany(1000):
        made = Household.objects.bulk_create(
            [
                Household(number=number, region_id=region, dwelling_id=dwelling)
                for number, region, dwelling in chunk
            ]
        )
        ctx.scratch.db.executemany(
            "INSERT INTO new_households VALUES (?, ?)", [(h.number, h.pk) for h in made]
        )
