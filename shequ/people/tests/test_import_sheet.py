"""The import's quick workbook reader gives what openpyxl gives, value for value and type for
type, whatever the writer put in the sheet; a sheet of another shape goes to the general
reader."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from shequ.lib.tabular import ImportFailed, read_rows
from shequ.people.importing import sheet as quick
from shequ.people.importing.sheet import read_register

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHARED = (
    f'<sst xmlns="{_NS}"><si><t>shared</t></si><si><t xml:space="preserve"> two &amp; </t></si>'
    "<si><r><t>ri</t></r><r><t>ch</t></r></si></sst>"
)
_ROWS = (
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>c</t>'
    '</is></c><c r="D1" s="1" t="s"><v>1</v></c><c r="F1" t="s"><v>2</v></c></row>'
    '<row r="3"><c r="A3" t="inlineStr"><is><r><t>ri</t></r><r><rPr><charset val="134"/></rPr>'
    '<t>ch</t></r></is></c><c r="B3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c>'
    '<c r="E3" t="str"><f>A1&amp;"x"</f><v>x&lt;y&gt;</v></c><c r="F3"><f>1+1</f><v>2</v></c></row>'
    '<row r="4"><c r="A4" t="n"><v>1.5</v></c><c r="B4"><v>42</v></c><c r="C4" t="s"><v>1</v>'
    '</c><c r="D4"/><c r="E4" s="2"><v>45000</v></c><c r="F4" s="2"/><c r="G4"><v>1E3</v></c>'
    "</row>"
    '<row r="5"/><row r="2"><c r="A2"><v>9</v></c></row>'
    '<row><c r="A7" t="inlineStr"><is><t xml:space="preserve"> sp </t></is></c>'
    '<c r="B7" t="inlineStr"><is><t>a&amp;b&#x4e2d;\r\nc_x000D_</t></is></c>'
    '<c r="C7" t="inlineStr"><is><t></t></is></c><c r="D7" t="inlineStr"><is/></c>'
    '<c r="E7" t="inlineStr"></c><c r="F7" t="str"><v></v></c><c r="G7"><v></v></c></row>'
    '<row r="8"><c t="inlineStr"><is><t>no reference</t></is></c><c><v>3</v></c>'
    "<c r=\"E8\" t='s'><v>0</v></c></row>"
    '<row r="9">\n  <c r="A9" t="inlineStr">\n<is><t><![CDATA[<cdata>]]></t></is></c>\n'
    '  <c r="B9" t="d"><v>2024-05-01T00:00:00</v></c><c r="C9" s="2" t="n"><v>45000.5</v></c>\n'
    "</row>"
    '<row r="10" ht="15"><c r="A10" t="inlineStr"><is><t>一</t></is></c><c r="XFD10"><v>1</v></c>'
    "</row>"
)


def crafted(rows: str, *, head: str = "", shared: bool = True) -> io.BytesIO:
    """A workbook written by openpyxl whose sheet (and shared strings) are replaced; its
    styles: 1 is a date, 2 a time."""
    base = io.BytesIO()
    book = Workbook()
    assert book.active is not None
    book.active.append([dt.date(2020, 1, 1), "x", dt.time(8, 30)])
    book.save(base)
    sheet = f'{head}<worksheet xmlns="{_NS}"><sheetData>{rows}</sheetData></worksheet>'
    if head.startswith("<x:"):
        sheet = head
    target = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            elif item.filename == "[Content_Types].xml" and shared:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            out.writestr(item, data)
        if shared:
            out.writestr("xl/sharedStrings.xml", _SHARED)
    target.seek(0)
    return target


def written(rows: list[list[Any]], *, write_only: bool) -> io.BytesIO:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("人员") if write_only else book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def openpyxl_rows(file: io.BytesIO) -> list[tuple[Any, ...]]:
    file.seek(0)
    book = load_workbook(file, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def quick_rows(file: io.BytesIO) -> list[tuple[Any, ...]]:
    file.seek(0)
    rows, close = quick._open(file)
    try:
        return [tuple(row) for row in rows]
    finally:
        close()


def typed(rows: list[tuple[Any, ...]]) -> list[list[tuple[type, Any]]]:
    return [[(type(value), value) for value in row] for row in rows]


_VALUES: list[list[Any]] = [
    ["户号", "姓名", "身份证号", "出生日期", "数", "备注"],
    ["H1", "王伟", "11010519491231002X", dt.date(1949, 12, 31), 3.25, None],
    [],
    [None, "  间隔  ", "a & b < c > d \" ' ", dt.datetime(2023, 5, 1, 8, 30), 12, True],
    ["𠮷田·阿依古丽", "line\nbreak", "=1+1", dt.time(8, 30), -7, 1e20],
    ["x" * 300, None, None, None, None, "末"],
]


@pytest.mark.parametrize("write_only", [True, False])
def test_workbooks_written_by_openpyxl_read_as_openpyxl_reads_them(write_only: bool) -> None:
    # Given a workbook with text, dates, times, numbers, booleans, gaps and a formula, written
    # streaming (inline strings, no dimension) or whole (shared strings)
    file = written(_VALUES, write_only=write_only)
    # When both read it, then they agree value for value and type for type
    assert typed(quick_rows(file)) == typed(openpyxl_rows(file))


def test_every_kind_of_cell_reads_as_openpyxl_reads_it() -> None:
    # Given a sheet with shared, inline, rich and escaped strings, formulas with cached values,
    # booleans, errors, dates by style and by type, empty cells, rows out of order and without
    # numbers, cells without references or with single quotes, CDATA and layout whitespace
    file = crafted(_ROWS)
    # When both read it, then they agree value for value and type for type
    expected = openpyxl_rows(file)
    assert typed(quick_rows(file)) == typed(expected)
    assert expected[2][:6] == ("rich", True, None, "#N/A", "x<y>", 2)


def test_a_sheet_of_another_shape_goes_to_the_general_reader() -> None:
    # Given sheets with prefixed tags, or in another encoding
    prefixed = crafted(
        "",
        head=(
            f'<x:worksheet xmlns:x="{_NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">'
            '<x:is><x:t>名称</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A1">'
            "<x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"
        ),
    )
    with pytest.raises(quick._Unsupported):
        quick._open(prefixed)
    # When the import reads them, then it gets what the general reader gets
    for file in (prefixed, crafted(_ROWS)):
        file.seek(0)
        with read_rows(file, "a.xlsx") as general:
            expected = (general.labels, list(general))
        file.seek(0)
        with read_register(file, "a.xlsx") as reader:
            assert (reader.labels, list(reader)) == expected


def test_a_workbook_damaged_in_the_middle_of_its_sheet_is_refused() -> None:
    file = written(_VALUES * 2000, write_only=True)
    data = bytearray(file.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    # Given a workbook whose sheet's compressed data is overwritten half-way
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    middle = start + member.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    # When the import reads it, then it is refused as a damaged workbook, not with a crash
    reader = read_register(io.BytesIO(bytes(data)), "a.xlsx", aliases={"name": ["姓名"]})
    with pytest.raises(ImportFailed) as refused, reader:
        list(reader)
    assert refused.value.errors[0].row > 2
    assert "Excel" in refused.value.errors[0].message
