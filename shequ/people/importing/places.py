"""The registers of places: buildings, dwellings and tenancies.

They are far smaller than the persons register (a district has thousands of buildings, not
millions), so they are written through the ORM in batches. Re-importing matches buildings by
address, dwellings by building, unit and number, tenancies by dwelling and start date, all
within the chosen node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from shequ.lib import crypto
from shequ.lib.idnumbers import IdentityError, parse_identity
from shequ.lib.tabular import cell_text
from shequ.people.importing import fields
from shequ.people.importing.context import RowProblems, dwelling_missing
from shequ.people.importing.engine import Context
from shequ.people.models import Building, Dwelling, Person, Tenancy

CREATE, UPDATE, SAME = 0, 1, 2


class _Rows:
    """What the three registers share: a key per row for duplicates, batched writes."""

    duplicate_column = ""

    def prepare(self, ctx: Context) -> None:
        """Rows of places are checked in the main process (they are few)."""
        return None

    def check_across(self, ctx: Context) -> None:
        errors = [
            (row, column, shown, _("The same record is already on row %(row)d") % {"row": first})
            for _key, first, row, column, shown in ctx.scratch.duplicates()
        ]
        ctx.scratch.add_errors(errors)

    def _finish(self, ctx: Context, rows: list[Any], keys: list[Any], errors: list[Any]) -> None:
        ctx.scratch.add_keys(keys)
        ctx.scratch.add_errors(errors)
        if ctx.scratch.error_count == 0:
            ctx.scratch.add_rows(rows)

    def write(self, ctx: Context) -> None:
        batch: list[tuple[Any, ...]] = []
        done = 0
        for _row, payload in ctx.scratch.rows():
            done += 1
            if payload[1] == SAME:
                ctx.counts.unchanged += 1
                continue
            batch.append(payload)
            if len(batch) >= 500:
                self._write(ctx, batch)
                batch = []
                ctx.report("writing", done)
        if batch:
            self._write(ctx, batch)

    def _write(self, ctx: Context, batch: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    @staticmethod
    def _save(ctx: Context, model: type[Model], objects: Sequence[Model], names: list[str]) -> None:
        new = [obj for obj in objects if obj.pk is None]
        old = [obj for obj in objects if obj.pk is not None]
        model._default_manager.bulk_create(new)
        if old:
            model._default_manager.bulk_update(old, names)
        ctx.counts.created += len(new)
        ctx.counts.updated += len(old)


class BuildingRows(_Rows):
    FIELDS = ["region_id", "name", "address", "floors", "units"]

    def check(self, ctx: Context, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        addresses = {cell_text(values["address"]) for _n, values in chunk}
        stored: dict[str, list[tuple[Any, ...]]] = {}
        for row in Building.objects.filter(
            address__in=addresses, region__path__startswith=ctx.node.path
        ).values_list("pk", "address", *self.FIELDS):
            if row[2] in ctx.regions.paths:
                stored.setdefault(row[1], []).append(row)
        rows: list[Any] = []
        keys: list[Any] = []
        errors: list[tuple[int, str, str, str]] = []
        for number, values in chunk:
            problems = RowProblems()
            name = fields.text(values, "name", problems, 64)
            address = fields.text(values, "address", problems, 200, required=True)
            floors = fields.whole(values, "floors", problems, low=1, high=200, default=6)
            units = fields.whole(values, "units", problems, low=1, high=50, default=1)
            region_id, message = ctx.regions.resolve(values["grid"])
            if message:
                problems.add("grid", values["grid"], message)
            matches = stored.get(address, [])
            if len(matches) > 1:
                problems.add("address", address, _("Several buildings have this address"))
            if address:
                keys.append((address, number, "address", address))
            if problems.items:
                ctx.problems(number, problems, errors)
                continue
            new = (region_id, name or address, address, floors, units)
            pk, state = (matches[0][0], UPDATE) if matches else (None, CREATE)
            if matches and tuple(matches[0][2:]) == new:
                state = SAME
            rows.append((number, (pk, state, *new)))
        self._finish(ctx, rows, keys, errors)

    def _write(self, ctx: Context, batch: list[tuple[Any, ...]]) -> None:
        objects = [
            Building(pk=pk, region_id=r, name=n, address=a, floors=f, units=u)
            for pk, _state, r, n, a, f, u in batch
        ]
        self._save(ctx, Building, objects, self.FIELDS)


class DwellingRows(_Rows):
    FIELDS = ["building_id", "region_id", "unit", "floor", "number", "area", "use"]

    def check(self, ctx: Context, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        addresses = {cell_text(values["building_address"]) for _n, values in chunk}
        buildings: dict[str, list[tuple[int, int, int]]] = {}
        for pk, address, region_id, units in Building.objects.filter(
            address__in=addresses, region__path__startswith=ctx.node.path
        ).values_list("pk", "address", "region_id", "units"):
            if region_id in ctx.regions.paths:
                buildings.setdefault(address, []).append((pk, region_id, units))
        stored = {
            (b, u, n): (pk, b, r, u, f, n, a, use)
            for pk, b, r, u, f, n, a, use in Dwelling.objects.filter(
                building_id__in=[b[0] for found in buildings.values() for b in found]
            ).values_list("pk", *self.FIELDS)
        }
        rows: list[Any] = []
        keys: list[Any] = []
        errors: list[tuple[int, str, str, str]] = []
        for number, values in chunk:
            problems = RowProblems()
            address = fields.text(values, "building_address", problems, 200, required=True)
            unit = fields.whole(values, "unit", problems, low=1, high=99, default=1)
            floor = fields.whole(values, "floor", problems, low=-10, high=200)
            label = fields.text(values, "dwelling_number", problems, 16, required=True)
            area = fields.decimal(values, "area", problems)
            use = fields.choice(values, "use", problems, required=True)
            grid_id: int | None = None
            if cell_text(values["grid"]):
                grid_id, message = ctx.regions.resolve(values["grid"])
                if message:
                    problems.add("grid", values["grid"], message)
            found = buildings.get(address, [])
            if address and not found:
                problems.add(
                    "building_address",
                    address,
                    _(
                        "No building at this address is in the register within the chosen "
                        "node: import it with the buildings template first"
                    ),
                )
            elif len(found) > 1:
                problems.add("building_address", address, _("Several buildings have this address"))
            elif found and unit is not None and unit > found[0][2]:
                problems.add(
                    "unit",
                    unit,
                    _("The building has %(count)d units") % {"count": found[0][2]},
                )
            if found and unit is not None and label:
                keys.append((f"{found[0][0]}/{unit}/{label}", number, "dwelling_number", label))
            if problems.items:
                ctx.problems(number, problems, errors)
                continue
            building_id, building_region, _units = found[0]
            new = (building_id, grid_id or building_region, unit, floor, label, area, use)
            existing = stored.get((building_id, unit, label))
            state = CREATE if existing is None else UPDATE
            if existing is not None and tuple(existing[1:]) == new:
                state = SAME
            payload = (
                existing[0] if existing else None,
                state,
                *new[:5],
                str(area) if area else None,
                use,
            )
            rows.append((number, payload))
        self._finish(ctx, rows, keys, errors)

    def _write(self, ctx: Context, batch: list[tuple[Any, ...]]) -> None:
        objects = [
            Dwelling(
                pk=pk, building_id=b, region_id=r, unit=u, floor=f, number=n,
                area=Decimal(a) if a else None, use=use,
            )
            for pk, _state, b, r, u, f, n, a, use in batch
        ]  # fmt: skip
        self._save(ctx, Dwelling, objects, self.FIELDS)


class TenancyRows(_Rows):
    def check(self, ctx: Context, chunk: list[tuple[int, dict[str, Any]]]) -> None:
        parsed = []
        hashes: set[str] = set()
        for number, values in chunk:
            problems = RowProblems()
            key = self._dwelling(values, problems)
            landlord = self._identity(values, "landlord_id", problems)
            tenants = [
                self._identity({"tenant_ids": part}, "tenant_ids", problems)
                for part in fields.SEPARATORS.split(cell_text(values["tenant_ids"]))
                if part
            ]
            if not cell_text(values["tenant_ids"]):
                problems.add("tenant_ids", "", _("This column must be filled in"))
            name = fields.text(values, "landlord_name", problems, 64)
            if not landlord and not name and not cell_text(values["landlord_id"]):
                problems.add("landlord_name", "", _("Give the landlord's identity number or name"))
            starts = fields.date(values, "starts_on", problems, required=True)
            ends = fields.date(values, "ends_on", problems, required=True)
            registered = fields.date(values, "registered_on", problems)
            if starts and ends and ends < starts:
                problems.add("ends_on", values["ends_on"], _("The end is before the start"))
            hashes.update(h for h, _m in [landlord, *tenants] if h)
            parsed.append(
                (number, problems, key, landlord, tenants, name, starts, ends, registered)
            )
        ctx.dwellings.load(item[2] for item in parsed if item[2])
        persons = {
            h: pk
            for pk, h, region_id in Person.objects.filter(id_number_hash__in=hashes).values_list(
                "pk", "id_number_hash", "region_id"
            )
            if region_id in ctx.regions.paths
        }
        rows: list[Any] = []
        keys: list[Any] = []
        errors: list[tuple[int, str, str, str]] = []
        for number, problems, key, landlord, tenants, name, starts, ends, registered in parsed:
            dwelling = ctx.dwellings.get(key) if key else None
            if key and dwelling is None:
                problems.add("dwelling_number", key[2], dwelling_missing(key))
            missing = _(
                "No person with this identity number is in the register within the chosen node"
            )
            for column, (h, shown) in [
                ("landlord_id", landlord),
                *(("tenant_ids", t) for t in tenants),
            ]:
                if h and h not in persons:
                    problems.add(column, shown, missing)
            if dwelling and starts:
                keys.append(
                    (f"{dwelling[0]}/{starts.isoformat()}", number, "starts_on", str(starts))
                )
            if problems.items:
                ctx.problems(number, problems, errors)
                continue
            assert dwelling is not None and starts is not None and ends is not None
            payload = (
                None, CREATE, dwelling[0], dwelling[1], persons.get(landlord[0]) if landlord[0] else None,
                name, sorted(persons[h] for h, _m in tenants), starts.toordinal(), ends.toordinal(),
                registered.toordinal() if registered else None,
            )  # fmt: skip
            rows.append((number, payload))
        self._finish(ctx, rows, keys, errors)

    @staticmethod
    def _dwelling(values: dict[str, Any], problems: RowProblems) -> tuple[str, int, str] | None:
        address = fields.text(values, "building_address", problems, 200, required=True)
        unit = fields.whole(values, "unit", problems, low=1, high=99, default=1)
        label = fields.text(values, "dwelling_number", problems, 16, required=True)
        return (address, unit, label) if address and label and unit is not None else None

    @staticmethod
    def _identity(values: dict[str, Any], key: str, problems: RowProblems) -> tuple[str, str]:
        raw = cell_text(values[key])
        if not raw:
            return "", ""
        try:
            identity = parse_identity(raw)
        except IdentityError as exc:
            problems.add(key, fields.masked_identity(raw), str(exc))
            return "", ""
        return crypto.keyed_hash(identity.number), identity.masked

    def _write(self, ctx: Context, batch: list[tuple[Any, ...]]) -> None:
        def day(ordinal: int | None) -> Any:
            return dt.date.fromordinal(ordinal) if ordinal else None

        existing = {
            (t.dwelling_id, t.starts_on): t
            for t in Tenancy.objects.filter(dwelling_id__in={p[2] for p in batch})
        }
        for (
            _pk,
            _state,
            dwelling,
            region,
            landlord,
            name,
            tenants,
            starts,
            ends,
            registered,
        ) in batch:
            tenancy = existing.get((dwelling, day(starts)))
            wanted = {
                "region_id": region, "landlord_id": landlord, "landlord_name": name,
                "ends_on": day(ends), "registered_on": day(registered),
            }  # fmt: skip
            if tenancy is None:
                tenancy = Tenancy.objects.create(
                    dwelling_id=dwelling, starts_on=day(starts), **wanted
                )
                ctx.counts.created += 1
            else:
                current = {name: getattr(tenancy, name) for name in wanted}
                known = sorted(tenancy.tenants.values_list("pk", flat=True))
                if current == wanted and known == tenants:
                    ctx.counts.unchanged += 1
                    continue
                for field_name, value in wanted.items():
                    setattr(tenancy, field_name, value)
                tenancy.save(update_fields=list(wanted))
                ctx.counts.updated += 1
            tenancy.tenants.set(tenants)
