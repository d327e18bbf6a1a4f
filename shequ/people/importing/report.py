"""The error report of a refused import, and the row count that the progress bar divides by.

The report is an .xlsx workbook written as it goes (openpyxl's write-only mode): one line per
problem with the row, the column's header and letter, the value as the file had it (identity
numbers and phones masked: the report is a file that travels) and the reason, in the language
of the import (Simplified Chinese by default).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _

from shequ.lib.tabular import _xlsx_cell  # the same formula-safe cells as every export
from shequ.people.importing.columns import COLUMNS

# How many problems the page lists; the report has them all.
FIRST_ERRORS = 50
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')
ErrorLine = tuple[int, str, str, str, str]


def error_report(
    errors: Iterable[tuple[int, str, str, str]],
    kind: str,
    labels: dict[str, str],
    positions: dict[str, int],
) -> tuple[bytes, list[ErrorLine]]:
    """The workbook, and its first lines (row, column, letter, value, reason) for the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    names = {column.key: str(column.label) for column in COLUMNS[kind]}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Problems"))
    for letter, width in zip("ABCDE", (8, 22, 8, 26, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = [_("Row"), _("Column"), _("Column letter"), _("Value"), _("Problem")]
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    first: list[ErrorLine] = []
    for row, key, shown, message in errors:
        column = labels.get(key) or names.get(key) or key
        letter = get_column_letter(positions[key] + 1) if key in positions else ""
        line = (row, column, letter, shown, message)
        if len(first) < FIRST_ERRORS:
            first.append(line)
        sheet.append(
            [_xlsx_cell(sheet, value) if isinstance(value, str) else value for value in line]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), first


def estimate_rows(file: IO[bytes], filename: str) -> int:
    """About how many data rows the file has, cheaply: lines of a CSV, the sheet's dimension.

    Only the progress bar uses it; the counts of the import are the rows actually read.
    """
    suffix = PurePath(filename).suffix.lower()
    try:
        file.seek(0)
        if suffix == ".csv":
            lines = sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
            return max(0, lines - 1)
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(file) as archive:
                sheets = sorted(
                    name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")
                )
                if sheets:
                    with archive.open(sheets[0]) as sheet:
                        if match := _DIMENSION.search(sheet.read(4096)):
                            return max(0, int(match.group(1)) - 1)
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0
    finally:
        file.seek(0)
    return 0
