"""Reading and writing the spreadsheets that every import and export in Shequ uses.

`read_rows` streams the data rows of an .xlsx workbook (its first sheet) or a .csv file as
`(row number, {column key: value})`, the row number being the one the user sees in Excel (the
header is row 1). Column names are matched through the caller's alias table, so a sheet may say
"编码", "代码" or "code" for the same column. Problems are reported as `RowError`s inside
`ImportFailed`, so that an import can show every bad row at once.

Excel workbooks are opened with openpyxl in read-only mode (workbook, styles, shared strings);
the sheet itself is streamed by `_sheet_values`, a lean loop over `iterparse` that reads the
common cells itself and hands the others to openpyxl's cell parser. Memory stays flat however
long the file is (python-calamine is faster but loads the whole sheet before its row iterator
starts).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

# Excel refuses to open a workbook with a longer cell.
XLSX_CELL_LIMIT = 32_767
# How much of a CSV file decides its encoding.
_SNIFF_BYTES = 64 * 1024
# Characters that make a spreadsheet treat a CSV cell as a formula; such cells are written with a
# leading apostrophe, which `read_rows` removes again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A boundary polygon in one CSV cell can pass the csv module's default limit of 128 KB.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOTE = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: row 1 is the header, row 0 the file as a whole."""

    row: int
    column: str
    value: str
    message: str


class ImportFailed(Exception):
    """An import refused as a whole, with every problem found; nothing has been written."""

    def __init__(self, errors: list[RowError]) -> None:
        first = f"; row {errors[0].row}: {errors[0].message}" if errors else ""
        super().__init__(f"{len(errors)} problem(s) in the file{first}")
        self.errors = errors


def cell_text(value: Any) -> str:
    """A cell as text: codes that Excel stored as numbers come back without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def normalise_header(text: str) -> str:
    """Header names compare without width, case, spaces, "*" marks and a trailing "(note)"."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"[\s*_\-]", "", text)
    return _NOTE.sub("", text).casefold()


def match_header(
    header: Sequence[Any],
    aliases: Mapping[str, Sequence[str]] | None,
    required: Collection[str] = (),
) -> tuple[dict[str, int], dict[str, str]]:
    """Map column keys to positions in the header row, and to the header text the file uses.

    Without an alias table every non-empty header is a key of its own. The first alias of a key
    names the column in messages when the file lacks it. Raises `ImportFailed` when a required
    column is missing or two columns claim the same key.
    """
    if aliases is None:
        aliases = {cell_text(cell): () for cell in header if cell_text(cell)}
    lookup = {
        normalise_header(alias): key for key, names in aliases.items() for alias in (key, *names)
    }
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        key = lookup.get(normalise_header(text)) if text else None
        if key is None:
            continue
        if key in positions:
            message = _("The columns “%(first)s” and “%(second)s” hold the same thing") % {
                "first": labels[key],
                "second": text,
            }
            errors.append(RowError(1, text, text, message))
            continue
        positions[key], labels[key] = index, text
    for key in required:
        if key not in positions:
            name = next(iter(aliases.get(key) or ()), key)
            message = _("The column “%(name)s” is missing") % {"name": name}
            errors.append(RowError(1, name, "", message))
    if errors:
        raise ImportFailed(errors)
    return positions, labels


# What a file that breaks half-way through raises: bad text encoding, bad CSV quoting, a
# damaged workbook (the XML parser's errors are SyntaxErrors).
_BROKEN = (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, SyntaxError, EOFError)


class RowReader(Iterator[tuple[int, dict[str, Any]]]):
    """The data rows of a file, after its header has been read and matched.

    `labels` maps each key found to the header text of the file, for naming columns in errors.
    Every key of the alias table is in every row (None when the column is absent or the cell
    empty); rows with nothing in them are skipped. Use it in a `with` block, or iterate it to
    the end, so that the file is released.
    """

    def __init__(
        self,
        rows: Iterator[Sequence[Any]],
        aliases: Mapping[str, Sequence[str]] | None,
        required: Collection[str],
        *,
        broken: str,
        unescape: bool = False,
        close: Callable[[], Any] | None = None,
    ) -> None:
        self._rows = rows
        self._broken = broken
        self._unescape = unescape
        self._close = close
        self._number = 0
        try:
            header = self._next_cells()
            if header is None:
                raise ImportFailed(
                    [RowError(1, "", "", _("The file is empty: row 1 should name the columns"))]
                )
            self.positions, self.labels = match_header(header, aliases, required)
        except BaseException:
            self.close()
            raise
        self.keys = list(aliases) if aliases is not None else list(self.positions)

    def _next_cells(self) -> Sequence[Any] | None:
        try:
            cells = next(self._rows, None)
        except _BROKEN as exc:
            raise ImportFailed([RowError(self._number + 1, "", "", self._broken)]) from exc
        if cells is not None:
            self._number += 1
        return cells

    def __next__(self) -> tuple[int, dict[str, Any]]:
        while (cells := self._next_cells()) is not None:
            values: dict[str, Any] = dict.fromkeys(self.keys)
            for key, index in self.positions.items():
                if index < len(cells):
                    values[key] = self._value(cells[index])
            if any(value is not None for value in values.values()):
                return self._number, values
        self.close()
        raise StopIteration

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if self._unescape and value[0] == "'" and value[1:2].startswith(_FORMULA_START):
                return value[1:]
        return value

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> RowReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_rows(
    file: IO[bytes],
    filename: str,
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    required: Collection[str] = (),
) -> RowReader:
    """Open an .xlsx or .csv upload; the header is read at once, the rows as they are iterated.

    CSV is read as UTF-8 (with or without the byte order mark that Excel writes) and, when that
    fails, as GB 18030, the superset of the GBK that Chinese Excel saves "CSV" in.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(file, aliases, required)
    if suffix == ".csv":
        return _read_csv(file, aliases, required)
    if suffix in (".xls", ".et"):
        message = _("Save the file as an Excel workbook (.xlsx) and upload it again")
    else:
        message = _("Upload an Excel workbook (.xlsx) or a CSV file (.csv)")
    raise ImportFailed([RowError(0, "", filename, message)])


def _seekable(file: IO[bytes]) -> IO[bytes]:
    if getattr(file, "seekable", lambda: False)():
        file.seek(0)
        return file
    return io.BytesIO(file.read())


def _read_xlsx(
    file: IO[bytes], aliases: Mapping[str, Sequence[str]] | None, required: Collection[str]
) -> RowReader:
    from openpyxl import load_workbook

    broken = _("The file cannot be read as an Excel workbook (.xlsx)")
    try:
        # data_only: a formula cell gives the value Excel computed when it saved the file.
        book = load_workbook(_seekable(file), read_only=True, data_only=True, keep_links=False)
    except (*_BROKEN, KeyError, OSError, ValueError) as exc:
        raise ImportFailed([RowError(0, "", "", broken)]) from exc
    sheet = book.worksheets[0]
    return RowReader(_sheet_values(sheet), aliases, required, broken=broken, close=book.close)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v"
_INLINE, _TEXT, _RUN = f"{_MAIN}is", f"{_MAIN}t", f"{_MAIN}r"
_SHEET_DATA = f"{_MAIN}sheetData"


def _sheet_values(sheet: Any) -> Iterator[Sequence[Any]]:
    """The rows of a read-only openpyxl sheet as `iter_rows(values_only=True)` gives them
    after `reset_dimensions()` (missing rows as empty ones, every row as wide as its last
    cell), parsed about four times faster: the common cells (shared and inline strings,
    plain numbers) are read here, any other cell (dates, booleans, errors) by openpyxl's own
    cell parser. Rows are dropped from the tree as soon as they are read: memory stays flat.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    shared = sheet._shared_strings
    dates = book._date_formats
    columns: dict[str, int] = {}
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source, shared, data_only=True, epoch=book.epoch, date_formats=dates,
            timedelta_formats=book._timedelta_formats,
        )  # fmt: skip
        counter, data = 1, None
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    data = element
                continue
            if element.tag != _ROW:
                continue
            number = element.get("r")
            parser.row_counter = int(float(number)) if number else parser.row_counter + 1
            if parser.row_counter < counter:  # a row number again: openpyxl skips it too
                element.clear()
                continue
            while counter < parser.row_counter:  # rows the file leaves out
                counter += 1
                yield ()
            counter += 1
            cells: dict[int, Any] = {}
            column = 0
            for cell in element:
                if cell.tag != _CELL:
                    continue
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    if (found := columns.get(letters)) is None:
                        found = columns[letters] = column_index_from_string(letters)
                    column = found
                else:
                    column += 1
                kind = cell.get("t", "n")
                if kind == "s":
                    value = cell.findtext(_VALUE)
                    cells[column] = shared[int(value)] if value else None
                elif kind == "inlineStr":
                    inline = cell.find(_INLINE)
                    cells[column] = None if inline is None else _inline_text(inline)
                elif kind == "str":
                    cells[column] = cell.findtext(_VALUE) or None
                elif kind == "n" and int(cell.get("s", 0)) not in dates:
                    value = cell.findtext(_VALUE)
                    cells[column] = (
                        (
                            float(value)
                            if "." in value or "E" in value or "e" in value
                            else int(value)
                        )
                        if value
                        else None
                    )
                else:
                    parser.col_counter = column - 1
                    cells[column] = parser.parse_cell(cell)["value"]
            element.clear()
            if data is not None:
                data.clear()  # the rows read so far: without this the tree keeps them all
            if not cells:
                yield ()
                continue
            row: list[Any] = [None] * max(cells)
            for index, value in cells.items():
                row[index - 1] = value
            yield row


def _inline_text(inline: Any) -> str:
    """An inline string's text, as openpyxl reads it: the plain text and the runs' texts."""
    parts = [inline.findtext(_TEXT) or ""]
    parts.extend(run.findtext(_TEXT) or "" for run in inline.iter(_RUN))
    return "".join(parts)


def _read_csv(
    file: IO[bytes], aliases: Mapping[str, Sequence[str]] | None, required: Collection[str]
) -> RowReader:
    raw = _seekable(file)
    sample = raw.read(_SNIFF_BYTES)
    raw.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
        broken = _("The text here is neither UTF-8 nor GBK, or the CSV quoting is broken")
    else:
        encoding = "utf-8-sig"
        broken = _(
            "The text here is not UTF-8, or the CSV quoting is broken: save the file as "
            "“CSV UTF-8” and upload it again"
        )
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    return RowReader(
        csv.reader(text),
        aliases,
        required,
        broken=broken,
        unescape=True,
        # Detach rather than close: the upload belongs to the caller.
        close=text.detach,
    )


def write_xlsx(rows: Iterable[Sequence[Any]], headers: Sequence[str], title: str = "") -> bytes:
    """An .xlsx workbook with a bold, frozen header row; text cells are never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet1")[:31])
    for index, header in enumerate(headers, start=1):
        # CJK characters are about twice as wide as Latin ones.
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in header)
        sheet.column_dimensions[get_column_letter(index)].width = max(10, width + 4)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    try:
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    except BaseException:
        # Finish the half-written sheet so that its temporary file is released cleanly.
        sheet.close()
        raise
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XML.sub("", value)
    if len(value) > XLSX_CELL_LIMIT:
        raise ValueError(f"a cell holds at most {XLSX_CELL_LIMIT} characters")
    if value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_csv(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> bytes:
    """UTF-8 CSV with a byte order mark, so that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return cell_text(value)
