"""Importing a year's schedule from a file: every format, and all or nothing."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from shequ.audit.models import AuditEvent
from shequ.workdays import calendar, importing
from shequ.workdays.importing import RowError, SpecialDayImportError
from shequ.workdays.models import CalendarYear, Source, SpecialDay

D = dt.date

pytestmark = pytest.mark.django_db

GOOD_CSV = """日期,类型,名称
2027-01-01,休,元旦
2027/2/6,休,春节
2027年2月8日,假,春节
20270209,休,春节
2027-02-20,补班,春节
"""


def counts() -> tuple[int, int, int]:
    return SpecialDay.objects.count(), CalendarYear.objects.count(), AuditEvent.objects.count()


def test_a_csv_file_is_imported_and_its_year_is_covered(world) -> None:
    file = io.BytesIO(GOOD_CSV.encode("utf-8-sig"))

    result = importing.special_days_import(
        actor=world.users["admin"], file=file, filename="2027.csv"
    )

    assert result == importing.ImportResult(created=5, updated=0, unchanged=0, years=(2027,))
    rows = SpecialDay.objects.filter(date__year=2027)
    assert [(d.date, d.kind, d.name, d.source) for d in rows] == [
        (D(2027, 1, 1), "holiday", "元旦", "import"),
        (D(2027, 2, 6), "holiday", "春节", "import"),
        (D(2027, 2, 8), "holiday", "春节", "import"),
        (D(2027, 2, 9), "holiday", "春节", "import"),
        (D(2027, 2, 20), "workday", "春节", "import"),
    ]
    entry = CalendarYear.objects.get(year=2027)
    # The note is written in the interface language of the import (Chinese by default).
    assert (entry.source, entry.note) == (Source.IMPORT, "从2027.csv导入")
    assert calendar.add_working_days(D(2026, 12, 30), 5) == calendar.WorkdayResult(
        D(2027, 1, 7), False, ()
    )
    event = AuditEvent.objects.order_by("-id")[0]
    assert (event.action, event.object_repr, event.changes) == (
        "import",
        "2027.csv",
        {"created": 5, "updated": 0, "unchanged": 0, "years": [2027]},
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world) -> None:
    importing.special_days_import(actor=world.users["admin"], file=io.StringIO(GOOD_CSV))
    result = importing.special_days_import(actor=world.users["admin"], file=io.StringIO(GOOD_CSV))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)


def test_an_xlsx_file_with_date_cells_and_english_headers(world) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Kind", "Name"])
    sheet.append([dt.datetime(2027, 1, 1), "holiday", "New Year"])
    sheet.append([D(2027, 2, 6), "Holiday", "Spring Festival"])
    sheet.append([None, None, None])
    sheet.append([20270220, "WORKDAY", None])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    result = importing.special_days_import(actor=world.users["admin"], file=buffer)

    assert result.created == 3
    rows = SpecialDay.objects.filter(date__year=2027)
    assert [(d.date, d.kind, d.name) for d in rows] == [
        (D(2027, 1, 1), "holiday", "New Year"),
        (D(2027, 2, 6), "holiday", "Spring Festival"),
        (D(2027, 2, 20), "workday", ""),
    ]


def test_an_import_replaces_package_rows_of_its_dates(world) -> None:
    table = [["日期", "类型", "名称"], ["2026-10-08", "休", "国庆节"]]
    result = importing.special_days_import(actor=world.users["admin"], rows=table)
    assert (result.created, result.years) == (1, (2026,))
    assert CalendarYear.objects.get(year=2026).source == Source.IMPORT
    assert calendar.add_working_days(D(2026, 9, 30), 3).value == D(2026, 10, 12)


def test_a_bad_last_row_changes_nothing_and_is_reported_in_chinese(world, zh) -> None:
    before = counts()
    bad = GOOD_CSV + "2027-02-30,班,春节\n"

    with pytest.raises(SpecialDayImportError) as error:
        importing.special_days_import(actor=world.users["admin"], file=io.StringIO(bad))

    assert error.value.row_errors == [RowError(7, "日期", "2027-02-30", "输入一个有效的日期。")]
    assert counts() == before
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert calendar.add_working_days(D(2026, 12, 30), 5).provisional is True


def test_every_bad_row_is_reported(world, zh) -> None:
    table = [
        ["名称", "日期", "类型"],
        ["元旦", "2027-01-01", "休"],
        ["", "", "休"],
        ["春节", "2027-02-08", "班"],
        ["春节", "2027/1/1", "放"],
        ["春节", "1999-02-06", "休"],
    ]
    before = counts()

    with pytest.raises(SpecialDayImportError) as error:
        importing.special_days_import(actor=world.users["admin"], rows=table)

    assert [(e.row, e.column, e.value) for e in error.value.row_errors] == [
        (3, "日期", ""),
        (4, "类型", "班"),
        (5, "日期", "2027/1/1"),
        (5, "类型", "放"),
        (6, "日期", "1999-02-06"),
    ]
    reasons = [e.reason for e in error.value.row_errors]
    assert reasons[0] == "这个字段是必填项。"
    assert reasons[3] == "选择一个有效的选项。 放 不在可用的选项中。"
    assert counts() == before


def test_a_file_without_the_kind_column_is_refused(world) -> None:
    with pytest.raises(SpecialDayImportError) as error:
        importing.special_days_import(
            actor=world.users["admin"], rows=[["日期", "名称"], ["2027-01-01", "元旦"]]
        )
    assert [(e.row, e.column) for e in error.value.row_errors] == [(1, "类型 / kind")]


def test_an_empty_or_unreadable_file_is_refused(world) -> None:
    for content in (b"", b"\xff\xfe\x00garbage\x81", b"PK\x03\x04 not a workbook"):
        with pytest.raises(SpecialDayImportError) as error:
            importing.special_days_import(actor=world.users["admin"], file=io.BytesIO(content))
        assert error.value.row_errors[0].row == 0


def test_a_gb18030_csv_from_excel_is_read(world) -> None:
    file = io.BytesIO(GOOD_CSV.encode("gb18030"))
    assert importing.special_days_import(actor=world.users["admin"], file=file).created == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01-01", D(2027, 1, 1)),
        ("2027/1/1", D(2027, 1, 1)),
        ("2027.1.2", D(2027, 1, 2)),
        ("2027年1月3日", D(2027, 1, 3)),
        ("20270104", D(2027, 1, 4)),
        (20270105, D(2027, 1, 5)),
        (20270106.0, D(2027, 1, 6)),
        (dt.datetime(2027, 1, 7, 0, 0), D(2027, 1, 7)),
        ("2027-02-29", None),
        ("1/1/2027", None),
        ("元旦", None),
    ],
)
def test_date_cells(value: object, expected: dt.date | None) -> None:
    assert importing.parse_date_cell(value) == expected
