import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from openpyxl import Workbook, load_workbook

from shequ.lib.tabular import (
    ImportFailed,
    RowError,
    cell_text,
    normalise_header,
    read_rows,
    write_csv,
    write_xlsx,
)

ALIASES = {
    "code": ["编码", "代码", "code"],
    "name": ["名称", "name"],
    "born": ["出生日期", "born"],
}


def workbook(*rows: list[object]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def read_all(file: io.BytesIO, filename: str, **kwargs: object) -> list[tuple[int, dict]]:
    with read_rows(file, filename, **kwargs) as rows:  # type: ignore[arg-type]
        return list(rows)


def test_xlsx_rows_carry_excel_row_numbers_and_skip_blank_rows() -> None:
    # Given a sheet with a blank row in the middle and a code that Excel stored as a number
    file = workbook(
        ["代码", "名称", "备注", "出生日期"],
        [130105001, "古楼街道", "ignored", dt.datetime(1990, 1, 2)],
        [None, None, "only a remark"],
        [],
        ["130105002", "  新区街道  ", None, None],
    )
    # When it is read
    rows = read_all(file, "streets.XLSX", aliases=ALIASES, required=["code", "name"])
    # Then the rows are numbered as in Excel, values are trimmed and the remark column is dropped
    assert rows == [
        (2, {"code": 130105001, "name": "古楼街道", "born": dt.datetime(1990, 1, 2)}),
        (5, {"code": "130105002", "name": "新区街道", "born": None}),
    ]


def test_xlsx_labels_name_the_columns_as_the_file_does() -> None:
    file = workbook(["编码*", "Name (required)"], ["1", "a"])
    with read_rows(file, "a.xlsx", aliases=ALIASES) as rows:
        assert rows.labels == {"code": "编码*", "name": "Name (required)"}
        assert list(rows) == [(2, {"code": "1", "name": "a", "born": None})]


def test_xlsx_formula_cells_give_the_saved_value() -> None:
    # openpyxl writes no cached values, so a formula it wrote reads back as empty.
    file = workbook(["编码", "名称"], ["1", '=A2&"x"'])
    assert read_all(file, "a.xlsx", aliases=ALIASES) == [
        (2, {"code": "1", "name": None, "born": None})
    ]


_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>'
    '<row r="3"><c r="A3" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c>'
    '<c r="B3" t="b"><v>1</v></c><c r="D3" t="e"><v>#N/A</v></c><c r="E3" t="str"><v>x</v></c>'
    "</row>"
    '<row r="4"><c t="n"><v>1.5</v></c><c><v>42</v></c><c t="s"><v>1</v></c><c/></row>'
    '<row r="5"/><row r="2"><c r="A2"><v>9</v></c></row>'
    '<row><c r="A7" t="inlineStr"><is><t xml:space="preserve"> sp </t></is></c></row>'
    "</sheetData></worksheet>"
)


def test_xlsx_fast_reader_gives_what_openpyxl_gives() -> None:
    import zipfile

    from shequ.lib.tabular import _sheet_values

    # Given a workbook written by openpyxl (dates, times, numbers, text, gaps) and one whose
    # sheet holds shared, inline and rich strings, booleans, errors and rows out of order
    file = workbook(
        ["a", "b", "c", "d", "e"],
        [dt.datetime(2023, 5, 1), dt.date(1990, 1, 2), 3.25, 12, True],
        [],
        [None, "x", None, dt.time(8, 30), "=1+1"],
        ["  ", 1e20, -7, None, None],
    )
    crafted = io.BytesIO()
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>shared</t></si><si><t>two</t></si></sst>"
    )
    with zipfile.ZipFile(file) as source, zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _SHEET.encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", shared)
    for buffer in (file, crafted):
        buffer.seek(0)
        # When both read it
        book = load_workbook(buffer, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        fast = [tuple(row) for row in _sheet_values(sheet)]
        sheet.reset_dimensions()
        slow = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        # Then they agree, value for value and type for type
        assert fast == slow
        assert [[type(v) for v in row] for row in fast] == [[type(v) for v in row] for row in slow]


def test_csv_utf8_with_byte_order_mark() -> None:
    file = io.BytesIO("编码,名称\r\n130105001,古楼街道\r\n".encode("utf-8-sig"))
    assert read_all(file, "a.csv", aliases=ALIASES) == [
        (2, {"code": "130105001", "name": "古楼街道", "born": None})
    ]


def test_csv_saved_by_chinese_excel_in_gbk() -> None:
    file = io.BytesIO("编码,名称\r\n130105001,古楼街道\r\n130105002,鄂尔多斯\r\n".encode("gbk"))
    assert read_all(file, "a.csv", aliases=ALIASES) == [
        (2, {"code": "130105001", "name": "古楼街道", "born": None}),
        (3, {"code": "130105002", "name": "鄂尔多斯", "born": None}),
    ]


def test_csv_rare_characters_outside_the_basic_plane() -> None:
    file = io.BytesIO("编码,名称\n1,𠮷野家\n".encode())
    assert read_all(file, "a.csv", aliases=ALIASES)[0][1]["name"] == "𠮷野家"


def test_csv_row_numbers_count_records_not_lines() -> None:
    # A quoted cell with a line break is one row in Excel.
    file = io.BytesIO('编码,名称\n1,"two\nlines"\n2,b\n'.encode())
    assert read_all(file, "a.csv", aliases=ALIASES) == [
        (2, {"code": "1", "name": "two\nlines", "born": None}),
        (3, {"code": "2", "name": "b", "born": None}),
    ]


def test_csv_that_stops_being_utf8_half_way() -> None:
    # Given more UTF-8 rows than the encoding sniffer reads, then a GBK row
    good = "".join(f"{n},名称{n}\n" for n in range(8000)).encode()
    file = io.BytesIO("编码,名称\n".encode() + good + "9,古楼\n".encode("gbk"))
    # When it is read, the failure names the row after the last one decoded (text is decoded
    # in blocks, so that is at or before the bad row)
    with pytest.raises(ImportFailed) as caught, read_rows(file, "a.csv", aliases=ALIASES) as rows:
        list(rows)
    [error] = caught.value.errors
    assert error.message == (
        "The text here is not UTF-8, or the CSV quoting is broken: save the file as “CSV UTF-8” "
        "and upload it again"
    )
    assert 2 < error.row <= 8002


def test_reading_a_csv_leaves_the_upload_open() -> None:
    file = io.BytesIO("编码\n1\n".encode())
    read_all(file, "a.csv", aliases=ALIASES)
    assert not file.closed


def test_large_uploads_kept_on_disk_are_read_and_left_open() -> None:
    upload = TemporaryUploadedFile("a.csv", "text/csv", 0, None)
    upload.write("编码,名称\n1,古楼街道\n".encode("gbk"))
    with read_rows(upload, "a.csv", aliases=ALIASES) as rows:
        assert list(rows) == [(2, {"code": "1", "name": "古楼街道", "born": None})]
    assert not upload.closed
    upload.close()


def test_missing_required_column_is_named_by_its_first_alias() -> None:
    file = workbook(["代码", "备注"], ["1", "x"])
    with pytest.raises(ImportFailed) as caught:
        read_rows(file, "a.xlsx", aliases=ALIASES, required=["code", "name", "born"])
    assert caught.value.errors == [
        RowError(1, "名称", "", "The column “名称” is missing"),
        RowError(1, "出生日期", "", "The column “出生日期” is missing"),
    ]


def test_two_columns_for_the_same_key() -> None:
    file = io.BytesIO("编码,代码\n1,2\n".encode())
    with pytest.raises(ImportFailed) as caught:
        read_rows(file, "a.csv", aliases=ALIASES)
    assert caught.value.errors == [
        RowError(1, "代码", "代码", "The columns “编码” and “代码” hold the same thing")
    ]


def test_empty_files() -> None:
    for file, name in ((io.BytesIO(b""), "a.csv"), (workbook(), "a.xlsx")):
        with pytest.raises(ImportFailed) as caught:
            read_rows(file, name, aliases=ALIASES)
        assert caught.value.errors == [
            RowError(1, "", "", "The file is empty: row 1 should name the columns")
        ]


def test_files_that_are_not_spreadsheets() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_rows(io.BytesIO(b"not a zip"), "a.xlsx")
    assert caught.value.errors == [
        RowError(0, "", "", "The file cannot be read as an Excel workbook (.xlsx)")
    ]
    with pytest.raises(ImportFailed) as caught:
        read_rows(io.BytesIO(b""), "old.xls")
    assert caught.value.errors == [
        RowError(0, "", "old.xls", "Save the file as an Excel workbook (.xlsx) and upload it again")
    ]
    with pytest.raises(ImportFailed) as caught:
        read_rows(io.BytesIO(b""), "notes.txt")
    assert caught.value.errors == [
        RowError(0, "", "notes.txt", "Upload an Excel workbook (.xlsx) or a CSV file (.csv)")
    ]


def test_without_aliases_the_headers_are_the_keys() -> None:
    file = io.BytesIO(b"a,b\n1,\n")
    assert read_all(file, "a.csv") == [(2, {"a": "1", "b": None})]


def test_normalise_header() -> None:
    assert normalise_header(" 上级编码（必填） ") == "上级编码"
    assert normalise_header("*Parent_Code") == "parentcode"
    assert normalise_header("ＣＯＤＥ") == "code"


def test_cell_text() -> None:
    assert cell_text(130105001001.0) == "130105001001"
    assert cell_text(1.5) == "1.5"
    assert cell_text(None) == ""
    assert cell_text(" a ") == "a"
    assert cell_text(dt.datetime(2023, 5, 1)) == "2023-05-01"
    assert cell_text(dt.datetime(2023, 5, 1, 8, 30)) == "2023-05-01T08:30:00"


def test_write_xlsx_round_trip_keeps_text_text() -> None:
    # Given values that a spreadsheet would take for a formula or a number
    rows = [['=HYPERLINK("x")', "00123", 5, dt.date(2023, 5, 1), None]]
    # When written and read back
    content = write_xlsx(rows, ["编码", "名称", "n", "d", "e"], "地区")
    book = load_workbook(io.BytesIO(content))
    sheet = book["地区"]
    # Then the header is bold and frozen and every value is what was written
    assert [cell.value for cell in sheet[1]] == ["编码", "名称", "n", "d", "e"]
    assert sheet["A1"].font.bold is True
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].data_type == "s"
    assert [cell.value for cell in sheet[2]][:4] == [
        '=HYPERLINK("x")',
        "00123",
        5,
        dt.datetime(2023, 5, 1),
    ]


def test_write_xlsx_refuses_a_cell_excel_cannot_open() -> None:
    with pytest.raises(ValueError):
        write_xlsx([["x" * 32_768]], ["a"])


def test_write_csv_escapes_formulas_and_reads_back_the_same() -> None:
    content = write_csv([["=SUM(A1)", "-3", "古楼", None, 7]], ["编码", "名称", "c", "d", "e"])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == "编码,名称,c,d,e\r\n'=SUM(A1),'-3,古楼,,7\r\n"
    assert read_all(io.BytesIO(content), "a.csv") == [
        (2, {"编码": "=SUM(A1)", "名称": "-3", "c": "古楼", "d": None, "e": "7"})
    ]
