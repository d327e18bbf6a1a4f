"""Export of any filtered person list to Excel: masked by default, audited always.

The rows are the ones `person_search` finds for the same filters. Identity numbers and phones
are masked unless the actor asked for them in full, stated a reason, and holds a reveal role
at each person's region (rows where he does not stay masked). Sensitive care tags appear only
where `can_see_sensitive` holds. The workbook is written row by row in openpyxl's write-only
mode into a temporary file while the rows are read in chunks, so memory stays flat however
long the list is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.lib import crypto
from shequ.lib.tabular import _xlsx_cell
from shequ.people.models import CareTag, Person
from shequ.people.search import person_search
from shequ.people.selectors import PersonFilters
from shequ.people.services import age_on
from shequ.regions.permissions import (
    can_export,
    can_reveal_identity,
    can_reveal_phone,
    can_see_sensitive,
    role_paths,
)
from shequ.regions.scoping import scope_prefixes
from shequ.workdays.calendar import today

CHUNK = 2000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFile:
    """A finished workbook in a temporary file (deleted when closed) and its row count."""

    file: IO[bytes]
    filename: str
    rows: int


def may_export(user: Any, filters: PersonFilters) -> bool:
    """Export needs an export role at the chosen node, or at one of the user's own nodes."""
    if filters.region is not None:
        return can_export(user, filters.region)
    return any(can_export(user, path) for _role, path in role_paths(user))


def headers(sensitive: bool) -> list[str]:
    columns = [
        _("Name"),
        _("Gender"),
        _("Birth date"),
        _("Age"),
        _("Identity number"),
        _("Phone"),
        _("Residence status"),
        _("Residence permit expiry"),
        _("Grid"),
        _("Address"),
        _("Care tags"),
    ]
    if sensitive:
        columns.append(_("Sensitive care tags"))
    return [str(c) for c in columns]


def person_export(
    *,
    actor: Any,
    filters: PersonFilters,
    reveal_identity: bool = False,
    reveal_phone: bool = False,
    reason: str = "",
    request: HttpRequest | None = None,
) -> ExportFile:
    """Write the filtered list to a workbook; audit the filters, row count and reason.

    Raises PermissionDenied without an export role, or when full values are asked for by a
    role that may reveal neither; ValidationError when full values come without a reason.
    """
    if not may_export(actor, filters):
        raise PermissionDenied(_("Your role may not export the register"))
    reason = reason.strip()
    if reveal_identity or reveal_phone:
        where = filters.region or next(iter(scope_prefixes(actor)), None)
        allowed_identity = reveal_identity and can_reveal_identity(actor, where)
        allowed_phone = reveal_phone and can_reveal_phone(actor, where)
        if not (allowed_identity or allowed_phone):
            raise PermissionDenied(_("Your role may not export these values in full"))
        if len(reason) < 2:
            raise ValidationError({"reason": _("State why the export needs the full values")})
    persons = person_search(actor, filters=filters)
    sensitive = _sees_any_sensitive(actor)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(_("Persons"))[:31])
    sheet.append(headers(sensitive))
    count = 0
    rights: dict[int, tuple[bool, bool, bool]] = {}
    day = today()
    for chunk in _chunks(persons):
        tags = _tags_of([p.pk for p in chunk])
        for person in chunk:
            if person.region_id not in rights:
                rights[person.region_id] = (
                    reveal_identity and can_reveal_identity(actor, person.region),
                    reveal_phone and can_reveal_phone(actor, person.region),
                    can_see_sensitive(actor, person.region),
                )
            full_id, full_phone, sees = rights[person.region_id]
            row = _row(person, tags.get(person.pk, []), day, full_id, full_phone, sees, sensitive)
            # Text is never a formula (a value starting with "=" stays text).
            sheet.append([_xlsx_cell(sheet, value) for value in row])
            count += 1
    # Handed to the response, which closes (and so deletes) it once sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    book.save(file)
    file.seek(0)
    region_path = filters.region.path if filters.region is not None else ""
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=Target("people.person", object_repr=str(_("Person list"))),
        changes={
            "filters": filters.describe(),
            "rows": count,
            "full": [
                n for n, on in (("id_number", reveal_identity), ("phone", reveal_phone)) if on
            ],
        },
        reason=reason,
        request=request,
        region_path=region_path or (scope_prefixes(actor) or [""])[0],
    )
    filename = f"persons-{timezone.localdate():%Y%m%d}.xlsx"
    return ExportFile(file, filename, count)


def _sees_any_sensitive(user: Any) -> bool:
    return any(can_see_sensitive(user, path) for _role, path in role_paths(user))


def _chunks(persons: Any) -> Iterator[list[Person]]:
    """The rows in order, CHUNK at a time, each chunk one query (no server cursor needed)."""
    rows = persons.select_related("region", "dwelling__building")
    chunk: list[Person] = []
    for person in rows.iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tags_of(ids: list[int]) -> dict[int, list[CareTag]]:
    tags: dict[int, list[CareTag]] = {}
    for tag in CareTag.objects.current().filter(person_id__in=ids).order_by("kind"):
        tags.setdefault(tag.person_id, []).append(tag)
    return tags


def address_of(person: Person) -> str:
    dwelling = person.dwelling
    if dwelling is None:
        return ""
    return _("%(address)s unit %(unit)s, %(number)s") % {
        "address": dwelling.building.address,
        "unit": dwelling.unit,
        "number": dwelling.number,
    }


def _row(
    person: Person,
    tags: list[CareTag],
    day: Any,
    full_id: bool,
    full_phone: bool,
    sees: bool,
    sensitive_column: bool,
) -> list[Any]:
    identity = crypto.decrypt(person.id_number_enc) if full_id else person.id_number_masked
    phone = (
        crypto.decrypt(person.phone_enc) if full_phone and person.phone_enc else person.phone_masked
    )
    plain = "、".join(str(t) for t in tags if not t.sensitive)
    row: list[Any] = [
        person.name,
        person.get_gender_display(),
        person.birth_date,
        age_on(person.birth_date, day),
        identity,
        phone,
        person.get_residence_status_display(),
        person.residence_permit_expiry,
        person.region.name,
        address_of(person),
        plain,
    ]
    if sensitive_column:
        row.append("、".join(str(t) for t in tags if t.sensitive) if sees else "")
    return row
