"""Reading a register workbook's rows quickly, in flat memory.

`shequ.lib.tabular.read_rows` opens a workbook with openpyxl in read-only mode, which reads the
whole sheet once just to learn its size when the sheet does not state it (files written by
openpyxl's write-only mode and other libraries do not), and then parses every cell as an XML
element: about two thirds of the time of a large xlsx import went into reading the file. This
reader gives the same rows (a test compares it with openpyxl value for value and type for type)
from a plain scan of the sheet's XML text: the workbook's parts (content types, shared
strings, styles, the list of sheets) are read with openpyxl's own readers, the first sheet is
decompressed as a stream, each row is cut out at its `</row>`, and its cells are read by a
regular expression. A cell the expression does not cover (a date, a boolean, an error, rich
text, CDATA) is parsed by openpyxl's cell parser, a row it does not cover (cells without a
reference, unexpected markup) by ElementTree and the same cell parser. A sheet that does not
look as expected from the start (another encoding, prefixed tags) goes to `read_rows`.

Only the row being read is held, plus the shared strings table (as openpyxl holds it).
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import IO, Any
from xml.etree.ElementTree import Element, fromstring

from django.utils.translation import gettext as _

from shequ.lib.tabular import RowReader, read_rows

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_BLOCK = 1 << 20
# A cell with its reference: column letters, its other attributes, and its content: a plain
# inline string (marked by its <is>), a value (marked by its <v>; a formula before it is
# skipped, the value is its cached result), or anything else (read by openpyxl's cell parser).
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})[0-9]+"((?:\s+[\w:]+="[^"<>]*")*)\s*(?:/>|>(?:'
    r'(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>'
    r"|(?:<f\b[^<>]*?(?:/>|>[^<]*</f>))?(<v>)([^<]*)</v>"
    r"|(.*?))</c>)",
    re.S,
)
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_ROW_NUMBER = re.compile(r'\sr="([^"]*)"')


class _Unsupported(Exception):
    """The sheet is not in the shape this reader expects: `read_rows` reads it instead."""


def read_register(
    file: IO[bytes],
    filename: str,
    *,
    aliases: Mapping[str, Sequence[str]] | None = None,
    required: Collection[str] = (),
) -> RowReader:
    """`read_rows`, with the quick reader for .xlsx workbooks."""
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        try:
            rows, close = _open(file)
        except Exception:  # anything unusual: the general reader says what is wrong
            file.seek(0)
        else:
            broken = _("The file cannot be read as an Excel workbook (.xlsx)")
            return RowReader(rows, aliases, required, broken=broken, close=close)
    return read_rows(file, filename, aliases=aliases, required=required)


def _open(file: IO[bytes]) -> tuple[Iterator[Sequence[Any]], Callable[[], None]]:
    """The rows of the workbook's first sheet, and how to release the file."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    file.seek(0)
    reader = ExcelReader(file, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        path = next(
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        )
        book = reader.wb
        cells = WorkSheetParser(
            None, reader.shared_strings, data_only=True, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )  # fmt: skip
        source = reader.archive.open(path)
        sheet = _Sheet(source, reader.shared_strings, book._date_formats, cells)
        rows = sheet.rows()
        first = next(rows, None)  # the header: an unexpected shape shows here, before any row
    except BaseException:
        reader.archive.close()
        raise

    def chained() -> Iterator[Sequence[Any]]:
        if first is not None:
            yield first
            yield from rows

    def close() -> None:
        source.close()
        reader.archive.close()

    return chained(), close


class _Sheet:
    """The rows of one sheet, as openpyxl's `iter_rows(values_only=True)` gives them after
    `reset_dimensions()`: missing rows as empty ones, each row as wide as its last cell."""

    def __init__(self, source: IO[bytes], shared: list[str], dates: set[int], cells: Any) -> None:
        self.source = source
        self.shared = shared
        self.dates = dates
        self.cells = cells  # openpyxl's WorkSheetParser, for the cells read by its parser
        self.columns: dict[str, int] = {}
        self.kinds: dict[str, tuple[str, int]] = {}
        self.yielded = False

    def rows(self) -> Iterator[Sequence[Any]]:
        counter = 1
        number = 0
        for attributes, body, xml in self._raw_rows():
            found = _ROW_NUMBER.search(attributes)
            number = int(float(found.group(1))) if found else number + 1
            if number < counter:  # a row number again: openpyxl skips it too
                continue
            while counter < number:  # rows the file leaves out
                counter += 1
                self.yielded = True
                yield ()
            counter += 1
            values = self._cells(body) if body is not None else {}
            if values is None:
                values = self._parsed_row(xml, number)
            self.yielded = True
            if not values:
                yield ()
                continue
            row: list[Any] = [None] * max(values)
            for index, value in values.items():
                row[index - 1] = value
            yield row

    def _raw_rows(self) -> Iterator[tuple[str, str | None, str]]:
        """(start tag's attributes, content or None for an empty row, whole row) per row."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        text, at, final = "", 0, False
        started = False

        def more() -> bool:
            nonlocal text, at, final
            if final:
                return False
            try:
                block = self.source.read(_BLOCK)
            except (zlib.error, EOFError) as exc:
                raise zipfile.BadZipFile(str(exc)) from exc
            final = not block
            text = text[at:] + decoder.decode(block, final)
            at = 0
            return True

        while not started:
            opening = text.find("<sheetData", at)
            if opening >= 0:
                close = text.find(">", opening)
                if close >= 0:
                    self._check_preamble(text[:opening])
                    if text[close - 1] == "/":  # <sheetData/>: no rows at all
                        return
                    at, started = close + 1, True
                    continue
            if not more():
                raise _Unsupported("no sheetData")
        while True:
            while at < len(text) and text[at] in " \t\r\n":
                at += 1
            if text.startswith("<row", at):
                end_tag = text.find(">", at)
                if end_tag >= 0 and text[end_tag - 1] == "/":
                    yield text[at + 4 : end_tag - 1], None, text[at : end_tag + 1]
                    at = end_tag + 1
                    continue
                end = text.find("</row>", at) if end_tag >= 0 else -1
                if end >= 0:
                    yield text[at + 4 : end_tag], text[end_tag + 1 : end], text[at : end + 6]
                    at = end + 6
                    continue
            elif text.startswith("</sheetData>", at):
                return
            elif len(text) - at >= 12:
                self._unexpected()
            if not more():
                self._unexpected()

    def _check_preamble(self, head: str) -> None:
        declaration = re.match(r"\s*<\?xml[^>]*?encoding=[\"']([^\"']+)", head)
        if declaration and declaration.group(1).lower().replace("-", "") != "utf8":
            raise _Unsupported("encoding")
        if f'xmlns="{_MAIN}"' not in head or "<worksheet" not in head:
            raise _Unsupported("namespace")

    def _unexpected(self) -> None:
        if not self.yielded:
            raise _Unsupported("markup")
        raise SyntaxError("unexpected markup in the sheet")

    def _cells(self, body: str) -> dict[int, Any] | None:
        """The row's cells by column (1 for A), or None when a cell does not have the
        expected form (no reference, attributes in single quotes, ...)."""
        found = _CELL.findall(body)
        if len(found) != body.count("<c "):
            return None
        values: dict[int, Any] = {}
        columns, kinds, dates, shared = self.columns, self.kinds, self.dates, self.shared
        for letters, attributes, is_, inline, v, value, other in found:
            column = columns.get(letters)
            if column is None:
                from openpyxl.utils.cell import column_index_from_string

                column = columns[letters] = column_index_from_string(letters)
            kind = kinds.get(attributes)
            if kind is None:
                named = dict(_ATTRIBUTE.findall(attributes))
                kind = kinds[attributes] = (named.get("t", "n"), int(named.get("s") or 0))
            data_type = kind[0]
            if v:
                if not value:
                    values[column] = None  # as openpyxl: an empty value is None
                elif data_type == "s":
                    values[column] = shared[int(value)]
                elif data_type == "n" and kind[1] not in dates:
                    values[column] = (
                        float(value) if "." in value or "E" in value or "e" in value else int(value)
                    )
                elif data_type == "str":
                    values[column] = _text(value)
                else:  # a date, a boolean, an error
                    values[column] = self._other(letters, attributes, f"<v>{value}</v>")
            elif is_:
                if data_type == "inlineStr":
                    values[column] = _text(inline)
                else:
                    values[column] = self._other(letters, attributes, f"<is><t>{inline}</t></is>")
            elif other:
                values[column] = self._other(letters, attributes, other)
            else:
                values[column] = None  # no content
        return values

    def _other(self, letters: str, attributes: str, content: str) -> Any:
        """A cell read by openpyxl's own cell parser."""
        xml = f'<c xmlns="{_MAIN}" r="{letters}1"{attributes}>{content}</c>'
        return self._parsed_cell(fromstring(xml))

    def _parsed_cell(self, cell: Element) -> Any:
        return self.cells.parse_cell(cell)["value"]

    def _parsed_row(self, xml: str, number: int) -> dict[int, Any]:
        """A row read by ElementTree, each cell by openpyxl's cell parser (as it numbers
        cells without a reference: one after the other)."""
        row = fromstring(_namespaced(xml))
        self.cells.row_counter = number
        self.cells.col_counter = 0
        values: dict[int, Any] = {}
        for cell in row:
            if cell.tag != f"{{{_MAIN}}}c":
                continue
            value = self._parsed_cell(cell)
            values[self.cells.col_counter] = value
        return values


def _namespaced(xml: str) -> str:
    """A row's or cell's markup as a document of its own, in the sheet's namespace."""
    tag_end = re.match(r"<\w+", xml)
    assert tag_end is not None
    return f'{xml[: tag_end.end()]} xmlns="{_MAIN}"{xml[tag_end.end() :]}'


def _text(raw: str) -> str:
    """Character data as an XML parser gives it: line ends normalised, references resolved."""
    if "&" not in raw and "\r" not in raw:
        return raw
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return html.unescape(raw) if "&" in raw else raw
