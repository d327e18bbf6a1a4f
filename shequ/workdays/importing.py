"""Importing holidays and make-up working days from a file: whole or not at all.

The file is CSV or xlsx with the columns 日期/date, 类型/kind, 名称/name; every bad row is
reported (row, column, value, reason) and then nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.workdays.models import CalendarYear, DayKind, Source, SpecialDay
from shequ.workdays.services import (
    MAX_YEAR,
    MIN_YEAR,
    _calendar_changed,
    _kind_problem,
)

if TYPE_CHECKING:
    from shequ.accounts.models import User

MAX_IMPORT_ROWS = 2000  # a year has about forty special days; anything bigger is a wrong file

# Column headers the importer recognises (compared after stripping and lower-casing).
COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "date"),
    "kind": ("类型", "kind"),
    "name": ("名称", "name"),
}
# The template file's headers: the first of each list above.
TEMPLATE_HEADERS = tuple(names[0] for names in COLUMN_HEADERS.values())
KIND_VALUES: dict[str, str] = {
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "holiday": DayKind.HOLIDAY,
    "班": DayKind.WORKDAY,
    "补班": DayKind.WORKDAY,
    "workday": DayKind.WORKDAY,
}
_DATE_TEXT = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class RowError(NamedTuple):
    """One problem of an imported file. Row numbers are the spreadsheet's (header = row 1)."""

    row: int
    column: str
    value: str
    reason: str


class SpecialDayImportError(ValidationError):
    """The file was refused and nothing was changed; `row_errors` lists every problem."""

    def __init__(self, row_errors: Sequence[RowError]) -> None:
        self.row_errors = list(row_errors)
        super().__init__(
            [
                _("Row %(row)d, column %(column)s (%(value)s): %(reason)s")
                % {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
                for e in self.row_errors
            ]
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class _Row:
    number: int
    date: dt.date
    kind: str
    name: str


def read_table(file: IO[bytes] | IO[str]) -> list[list[Any]]:
    """The cells of an .xlsx workbook's first sheet or of a CSV file (UTF-8, or GB 18030)."""
    data = file.read()
    if isinstance(data, str):
        data = data.encode()
    if data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # a damaged workbook raises from zipfile, xml or openpyxl
            raise SpecialDayImportError(
                [RowError(0, "", "", _("The file is not a readable Excel workbook (.xlsx)."))]
            ) from exc
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    # Excel on a Chinese system saves "CSV" in GB 18030, so try it when UTF-8 does not fit.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    raise SpecialDayImportError(
        [RowError(0, "", "", _("The file is neither an Excel workbook (.xlsx) nor a CSV file."))]
    )


def parse_date_cell(value: Any) -> dt.date | None:
    """A date from a spreadsheet cell: a date cell, 2027-01-01, 2027/1/1, 2027年1月1日, 20270101."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    for pattern in _DATE_TEXT:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_rows(table: list[list[Any]]) -> list[_Row]:
    """Check every row of the table; raise with all the problems found, or return the rows."""
    lines = [
        (number, row)
        for number, row in enumerate(table, start=1)
        if any(_cell_text(c) for c in row)
    ]
    if not lines:
        raise SpecialDayImportError([RowError(0, "", "", _("The file has no rows to import."))])
    header_number, header = lines[0]
    columns: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(header):
        text = _cell_text(cell)
        for field, names in COLUMN_HEADERS.items():
            if text.lower() in names and field not in columns:
                columns[field] = (index, text)
    missing = [
        RowError(header_number, " / ".join(COLUMN_HEADERS[field]), "", _("This column is missing."))
        for field in ("date", "kind")
        if field not in columns
    ]
    if missing:
        raise SpecialDayImportError(missing)
    if len(lines) - 1 > MAX_IMPORT_ROWS:
        raise SpecialDayImportError(
            [
                RowError(
                    0, "", "", _("The file has more than %(max)d rows.") % {"max": MAX_IMPORT_ROWS}
                )
            ]
        )

    def value_of(row: list[Any], field: str) -> Any:
        index = columns[field][0] if field in columns else -1
        return row[index] if 0 <= index < len(row) else None

    errors: list[RowError] = []
    rows: list[_Row] = []
    seen: dict[dt.date, int] = {}
    for number, row in lines[1:]:
        date_value, kind_value = value_of(row, "date"), value_of(row, "kind")
        date_text, kind_text = _cell_text(date_value), _cell_text(kind_value)
        name = _cell_text(value_of(row, "name"))
        date_column, kind_column = columns["date"][1], columns["kind"][1]
        problems: list[RowError] = []
        date = parse_date_cell(date_value) if date_text else None
        if not date_text:
            problems.append(RowError(number, date_column, "", _("This field is required.")))
        elif date is None:
            problems.append(RowError(number, date_column, date_text, _("Enter a valid date.")))
        elif not MIN_YEAR <= date.year <= MAX_YEAR:
            reason = _("The year must be between %(min)d and %(max)d.") % {
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
            problems.append(RowError(number, date_column, date_text, reason))
        elif date in seen:
            reason = _("This date is already in row %(row)d.") % {"row": seen[date]}
            problems.append(RowError(number, date_column, date_text, reason))
        kind = KIND_VALUES.get(kind_text.lower(), "")
        if not kind_text:
            problems.append(RowError(number, kind_column, "", _("This field is required.")))
        elif not kind:
            reason = _("Select a valid choice. %(value)s is not one of the available choices.") % {
                "value": kind_text
            }
            problems.append(RowError(number, kind_column, kind_text, reason))
        elif date is not None and (reason := _kind_problem(date, kind)):
            problems.append(RowError(number, kind_column, kind_text, reason))
        if len(name) > 64:
            problems.append(
                RowError(
                    number, columns["name"][1], name, _("The name is at most 64 characters long.")
                )
            )
        if date is not None and date not in seen:
            seen[date] = number
        if problems:
            errors.extend(problems)
        elif date is not None:
            rows.append(_Row(number, date, kind, name))
    if errors:
        raise SpecialDayImportError(errors)
    if not rows:
        raise SpecialDayImportError([RowError(0, "", "", _("The file has no rows to import."))])
    return rows


@transaction.atomic
def special_days_import(
    *,
    actor: User,
    rows: list[list[Any]] | None = None,
    file: IO[bytes] | IO[str] | None = None,
    filename: str = "",
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import holidays and make-up days from a table (header first) or an .xlsx / CSV file.

    All or nothing: any bad row raises SpecialDayImportError listing (row, column, value,
    reason) for every problem, and the table is not touched. On success the imported rows
    replace what the table said of their dates, and their years are marked as covered.
    """
    if (rows is None) == (file is None):
        raise ValueError("pass either rows or file")
    table = rows if rows is not None else read_table(file)  # type: ignore[arg-type]
    parsed = _parse_rows(table)
    existing = {
        day.date: day
        for day in SpecialDay.objects.select_for_update().filter(date__in=[r.date for r in parsed])
    }
    created: list[SpecialDay] = []
    updated = unchanged = 0
    for row in parsed:
        day = existing.get(row.date)
        if day is None:
            created.append(
                SpecialDay(date=row.date, kind=row.kind, name=row.name, source=Source.IMPORT)
            )
        elif (day.kind, day.name, day.source) == (row.kind, row.name, Source.IMPORT):
            unchanged += 1
        else:
            day.kind, day.name, day.source = row.kind, row.name, Source.IMPORT
            day.save(update_fields=["kind", "name", "source", "updated_at"])
            updated += 1
    SpecialDay.objects.bulk_create(created)
    years = tuple(sorted({row.date.year for row in parsed}))
    note = _("Imported from %(file)s") % {"file": filename} if filename else _("Imported")
    for year in years:
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": Source.IMPORT, "note": note[:200]}
        )
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        obj=Target("workdays.specialday", object_repr=(filename or "rows")[:200]),
        changes={
            "created": len(created),
            "updated": updated,
            "unchanged": unchanged,
            "years": list(years),
        },
        request=request,
    )
    _calendar_changed()
    return ImportResult(len(created), updated, unchanged, years)


def import_summary(result: ImportResult) -> str:
    """A one-line account of an import for the page."""
    return _(
        "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged. "
        "Marked as covered: %(years)s."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "years": ", ".join(str(year) for year in result.years),
    }
