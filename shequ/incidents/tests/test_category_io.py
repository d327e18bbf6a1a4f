"""The category table as a file: import whole or not at all, export that reads back, command."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from shequ.audit.models import AuditEvent
from shequ.incidents import category_io
from shequ.incidents.models import IncidentCategory, IncidentClass
from shequ.incidents.tests.table import HEADERS, Table, csv_file, row, state
from shequ.lib.tabular import ImportFailed, RowError
from shequ.regions.tests.factories import World

# These tests assert the English source wording.
pytestmark = pytest.mark.english


def test_an_import_adds_and_updates(world: World, table: Table) -> None:
    rows = [
        row(),  # a new subclass of an existing class
        row(小类代码="02", 小类名称="暴露垃圾", 处置时限="2工作时", 时限类型=""),  # changed
        row(类型="部件", 大类代码="1", 大类名称="公用设施", 小类代码="1", 小类名称="上水井盖",
            立案条件="公共场所成堆、成片的生活垃圾", 结案条件="垃圾清除", 处置时限="2",
            时限类型="紧急时", 处置单位编码="", 处置层级="区"),  # unchanged; Excel lost the zeros
        row(类型="事件", 大类代码="06", 大类名称="扩展事件", 小类代码="01", 小类名称="飞线充电",
            处置单位编码="", 处置层级="网格级", 启用="否"),  # a new class
    ]  # fmt: skip

    report = category_io.category_import(
        actor=world.users["admin"], file=csv_file(rows), filename="table.csv"
    )

    assert report.as_dict() == {"rows": 4, "created": 2, "changed": 1, "unchanged": 1}
    table.garbage.refresh_from_db()
    assert (table.garbage.time_limit, table.garbage.time_limit_kind) == (2, "working_hours")
    new = IncidentCategory.objects.get(incident_class__code="01", code="03")
    assert (new.incident_class, new.default_unit, new.default_tier) == (
        table.garbage.incident_class,
        table.unit,
        "district",
    )
    extension = IncidentCategory.objects.get(name="飞线充电")
    assert (extension.incident_class.name, extension.default_tier, extension.is_active) == (
        "扩展事件",
        "grid",
        False,
    )
    assert (extension.name_pinyin, extension.name_initials) == ("feixianchongdian", "fxcd")
    event = AuditEvent.objects.get(action="import")
    assert event.changes == {"file": "table.csv", **report.as_dict()}
    assert AuditEvent.objects.filter(object_type="incidents.incidentcategory").count() == 4 + 3 + 1


def test_a_bad_file_changes_nothing_and_names_every_problem(world: World, table: Table) -> None:
    before = state()
    rows = [
        row(类型="部门", 处置时限="三天"),
        row(小类代码="3", 小类名称="", 处置单位编码="D-XX", 处置层级="市"),  # 3 is 03 again
        row(小类代码="04", 大类名称="市容", 启用="也许"),
        row(小类代码="05", 处置时限="4工作时", 时限类型="工作日"),
        row(小类代码="100", 立案条件="", 处置时限="0"),
    ]

    with pytest.raises(ImportFailed) as failed:
        category_io.category_import(
            actor=world.users["admin"], file=csv_file([row(), *rows]), filename="bad.csv"
        )

    assert failed.value.errors == [
        RowError(3, "类型", "部门", "Write one of 部件、事件"),
        RowError(3, "处置时限", "三天", "Write the time limit as a whole number from 1 to 365, for example 4 or 4工作时"),
        RowError(4, "小类名称", "", "This cell is required"),
        RowError(4, "处置层级", "市", "Write one of 网格、社区、街道、区"),
        RowError(4, "处置单位编码", "D-XX", "No unit has the code “D-XX”"),
        RowError(5, "启用", "也许", "Write 是 or 否"),
        RowError(6, "时限类型", "工作日", "The time limit says “工作时” but the kind column says “工作日”"),
        RowError(7, "小类代码", "100", "A code is two digits from 01 to 99"),
        RowError(7, "立案条件", "", "This cell is required"),
        RowError(7, "处置时限", "0", "Write the time limit as a whole number from 1 to 365, for example 4 or 4工作时"),
    ]  # fmt: skip
    assert state() == before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_duplicates_and_two_names_for_one_class_are_refused(world: World, table: Table) -> None:
    rows = [row(), row(), row(小类代码="04", 大类名称="市容环境类")]

    with pytest.raises(ImportFailed) as failed:
        category_io.category_import(actor=None, file=csv_file(rows), filename="dup.csv")

    assert failed.value.errors == [
        RowError(3, "小类代码", "03", "This subclass is already on row 2"),
        RowError(4, "大类名称", "市容环境类", "Row 2 names this class “市容环境”"),
    ]


def test_missing_columns_and_an_empty_file(world: World) -> None:
    with pytest.raises(ImportFailed) as missing:
        category_io.category_import(
            actor=None, file=csv_file([["部件"]], headers=["类型"]), filename="x.csv"
        )
    with pytest.raises(ImportFailed) as empty:
        category_io.category_import(actor=None, file=csv_file([]), filename="x.csv")

    assert [error.message for error in missing.value.errors][:2] == [
        "The column “大类代码” is missing",
        "The column “大类名称” is missing",
    ]
    assert [error.message for error in empty.value.errors] == [
        "The file holds no subclasses below the header row"
    ]


def test_only_a_district_administrator_imports(world: World, table: Table) -> None:
    with pytest.raises(PermissionDenied):
        category_io.category_import(
            actor=world.users["street"], file=csv_file([row()]), filename="x.csv"
        )

    assert not IncidentCategory.objects.filter(code="03").exists()


def test_gbk_csv_from_chinese_excel_is_read(world: World, table: Table) -> None:
    text = ",".join(HEADERS) + "\r\n" + ",".join(str(cell) for cell in row()) + "\r\n"

    report = category_io.category_import(
        actor=None, file=io.BytesIO(text.encode("gbk")), filename="gbk.csv"
    )

    assert report.created == 1


def test_an_export_reads_back_unchanged(world: World, table: Table) -> None:
    exported = category_io.category_export(
        IncidentCategory.objects.select_related("incident_class", "default_unit")
    )
    sheet = load_workbook(io.BytesIO(exported)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert rows[0] == HEADERS
    assert rows[3][:5] == ["事件", "01", "市容环境", "02", "暴露垃圾"]
    assert rows[3][7:] == [4, "工作时", "D-HW", "区", "是"]
    report = category_io.category_import(
        actor=None, file=io.BytesIO(exported), filename="back.xlsx"
    )
    assert report.as_dict() == {"rows": 4, "created": 0, "changed": 0, "unchanged": 4}


def test_the_command_imports_and_exports(world: World, table: Table, tmp_path: object) -> None:
    path = tmp_path / "table.csv"  # type: ignore[operator]
    call_command("incident_categories", "export", str(path), stdout=StringIO())
    text = path.read_bytes().decode("utf-8-sig")
    path.write_bytes(text.replace("上水井盖", "上水井盖（自来水）").encode("utf-8-sig"))
    out = StringIO()

    call_command("incident_categories", "import", str(path), stdout=out)

    assert out.getvalue().strip() == "4 subclasses read: 0 added, 1 changed, 3 unchanged."
    table.cover.refresh_from_db()
    assert table.cover.name == "上水井盖（自来水）"


def test_the_command_lists_the_problems(world: World, table: Table, tmp_path: object) -> None:
    path = tmp_path / "bad.csv"  # type: ignore[operator]
    path.write_bytes(csv_file([row(处置层级="市")]).getvalue())
    err = StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("incident_categories", "import", str(path), stderr=err)

    assert "row 2, 处置层级: Write one of 网格、社区、街道、区 (市)" in err.getvalue()
    assert IncidentClass.objects.count() == 4
