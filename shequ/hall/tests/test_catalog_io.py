"""The service catalog: import and export, the seed, the demo hall."""

from __future__ import annotations

import io
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from shequ.audit.models import AuditEvent
from shequ.audit.services import audit_verify
from shequ.demo.hall import demo_hall_seed
from shequ.hall import catalog_io
from shequ.hall.catalog_seed import DEPARTMENTS, ITEMS, catalog_seed
from shequ.hall.models import ServiceItem, Window
from shequ.hall.tests.catalog_data import HEADERS, login, state
from shequ.lib.tabular import ImportFailed, RowError, write_csv
from shequ.regions.models import RoleAssignment, Unit
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff

# These tests assert the English source wording.
pytestmark = pytest.mark.english


def csv_file(rows: list[list[Any]], headers: list[str] = HEADERS) -> io.BytesIO:
    return io.BytesIO(write_csv(rows, headers))


def row(code: str, **cells: Any) -> list[Any]:
    base = {
        "事项编码": code,
        "事项名称": "临时救助申请",
        "事项类型": "行政给付",
        "实施部门编码": "D-MZ",
        "设定依据": "《社会救助暂行办法》",
        "办理流程": "受理、调查、审批",
        "受理条件": "基本生活暂时出现严重困难",
        "承诺时限": "10",
        "法定时限": "15",
        "收费": "",
        "网上办理": "是",
        "代办": "",
        "寄递": "否",
        "排队分组": "",
        "材料": "居民身份证|原件和复印件|1|是|是;困难情况证明|原件|2|否|否|医院或事故证明",
    }
    base.update(cells)
    return [base[h] for h in HEADERS]


def test_an_import_lands_whole(world: World, unit: Unit) -> None:
    report = catalog_io.catalog_import(
        actor=world.users["admin"],
        file=csv_file(
            [row("MZ-004"), row("MZ-005", 事项名称="低收入家庭认定", 事项类型="行政确认")]
        ),
        filename="catalog.csv",
    )
    assert report.as_dict() == {"rows": 2, "created": 2, "versions": 0, "unchanged": 0}
    item = ServiceItem.objects.get(code="MZ-004")
    assert (item.fee, item.online, item.by_proxy, item.delivery, item.queue_group) == (
        "不收费",
        True,
        True,
        False,
        "A",
    )
    assert [
        (m.name, m.form, m.count, m.electronic_ok, m.required, m.note) for m in item.materials.all()
    ] == [
        ("居民身份证", "both", 1, True, True, ""),
        ("困难情况证明", "original", 2, False, False, "医院或事故证明"),
    ]
    assert AuditEvent.objects.filter(action="import", object_type="hall.serviceitem").count() == 1


def test_a_bad_row_refuses_the_whole_file(world: World, unit: Unit, item: ServiceItem) -> None:
    before = state()
    events = AuditEvent.objects.count()
    rows = [
        row("MZ-004"),
        row("MZ-006", 承诺时限="30"),
        row("MZ-007", 实施部门编码="D-NONE", 事项类型="许可证"),
        row("MZ-004", 代办="也许"),
        row("", 事项名称="", 法定时限="十五", 材料="身份证|扫描件|0"),
    ]
    with pytest.raises(ImportFailed) as failed:
        catalog_io.catalog_import(
            actor=world.users["admin"], file=csv_file(rows), filename="catalog.csv"
        )
    assert [(e.row, e.column, e.value) for e in failed.value.errors] == [
        (3, "承诺时限", "30"),
        (4, "事项类型", "许可证"),
        (4, "实施部门编码", "D-NONE"),
        (5, "事项编码", "MZ-004"),
        (5, "代办", "也许"),
        (6, "事项编码", ""),
        (6, "事项名称", ""),
        (6, "法定时限", "十五"),
        (6, "材料", "身份证|扫描件|0"),
    ]
    assert failed.value.errors[0].message == (
        "The promised time (30 working days) cannot exceed the statutory time (15)"
    )
    assert failed.value.errors[3].message == "The code is already in row 2"
    assert state() == before
    assert AuditEvent.objects.count() == events


def test_the_import_page_lists_every_problem_in_chinese(
    world: World, unit: Unit, item: ServiceItem, zh: None
) -> None:
    before = state()
    upload = SimpleUploadedFile(
        "catalog.csv",
        write_csv(
            [row("MZ-004"), row("MZ-006", 承诺时限="30"), row("MZ-007", 事项类型="?")], HEADERS
        ),
    )
    response = login(world.users["admin"]).post(reverse("hall:catalog-import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["error_count"] == 2
    assert [(e.row, e.column) for e in response.context["errors"]] == [
        (3, "承诺时限"),
        (4, "事项类型"),
    ]
    assert 'id="import-errors"' in response.content.decode()
    assert state() == before


def test_an_import_checks_the_importers_rights(world: World, unit: Unit) -> None:
    other = Unit.objects.create(
        code="S-MZ", name="新区街道民政科", kind="street_office", region=world.other_street
    )
    street_admin = staff(Role.DISTRICT_ADMIN, world.street)
    with pytest.raises(ImportFailed) as failed:
        catalog_io.catalog_import(
            actor=street_admin,
            file=csv_file([row("MZ-004", 实施部门编码=other.code)]),
            filename="catalog.csv",
        )
    assert failed.value.errors == [
        RowError(2, "实施部门编码", "S-MZ", "You may not manage the items of 新区街道民政科")
    ]
    assert ServiceItem.objects.count() == 0


def test_a_file_without_the_columns_is_refused(world: World) -> None:
    with pytest.raises(ImportFailed) as failed:
        catalog_io.catalog_import(
            actor=None, file=csv_file([["x"]], ["名称"]), filename="catalog.csv"
        )
    assert [e.column for e in failed.value.errors] == [
        "事项编码",
        "事项类型",
        "实施部门编码",
        "承诺时限",
        "法定时限",
    ]
    with pytest.raises(ImportFailed) as empty:
        catalog_io.catalog_import(actor=None, file=csv_file([]), filename="catalog.csv")
    assert [(e.row, e.message) for e in empty.value.errors] == [
        (0, "The file holds no items below the header row")
    ]


def test_export_then_import_changes_nothing(world: World) -> None:
    catalog_seed(district=world.district)
    admin = login(world.users["admin"])
    export = admin.get(reverse("hall:catalog-export"))
    assert export.status_code == 200
    assert export["Content-Type"] == catalog_io.XLSX_TYPE
    before = state()
    events = AuditEvent.objects.count()

    report = catalog_io.catalog_import(
        actor=world.users["admin"], file=io.BytesIO(export.content), filename="export.xlsx"
    )

    assert report.as_dict() == {
        "rows": len(ITEMS),
        "created": 0,
        "versions": 0,
        "unchanged": len(ITEMS),
    }
    assert state() == before
    assert AuditEvent.objects.count() == events + 1  # the import's own event

    # One changed cell versions one item, through the upload page.
    book = load_workbook(io.BytesIO(export.content))
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header == HEADERS
    second = [cell.value for cell in sheet[3]]
    sheet.cell(row=3, column=HEADERS.index("承诺时限") + 1, value=second[7] - 1)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("edited.xlsx", buffer.getvalue())
    response = admin.post(reverse("hall:catalog-import"), {"file": upload})
    assert response.status_code == 302
    changed = ServiceItem.objects.get(code=second[0], is_current=True)
    assert (changed.version, changed.promised_days) == (2, second[7] - 1)
    assert ServiceItem.objects.filter(version__gt=1).count() == 1


def test_the_template_reads_back(world: World) -> None:
    catalog_seed(district=world.district)
    response = login(world.users["admin"]).get(reverse("hall:catalog-template"))
    assert response.status_code == 200
    report = catalog_io.catalog_import(
        actor=None, file=io.BytesIO(response.content), filename="template.xlsx"
    )
    assert report.as_dict() == {"rows": 1, "created": 0, "versions": 0, "unchanged": 1}


# The seed and the demo ---------------------------------------------------------------------


def test_the_seed_makes_a_district_catalog(world: World) -> None:
    out = StringIO()
    call_command("seed_catalog", stdout=out)
    items = list(ServiceItem.objects.current().prefetch_related("materials"))
    assert len(items) == len(ITEMS) >= 55
    assert all(i.promised_days <= i.statutory_days for i in items)
    assert all(i.materials.all() and i.legal_basis.startswith("《") for i in items)
    assert len({i.name for i in items}) == len(items)
    for name in (
        "居民最低生活保障申请",
        "临时救助申请",
        "残疾人两项补贴申领",
        "居住证办理",
        "出具居住证明",
    ):
        assert name in {i.name for i in items}
    assert set(Unit.objects.values_list("code", flat=True)) == {c for c, _n, _k in DEPARTMENTS}
    assert Unit.objects.filter(region=world.district).count() == len(DEPARTMENTS)
    assert f"{len(DEPARTMENTS)} departments added" in out.getvalue()
    # Running it again changes nothing.
    again = StringIO()
    call_command("seed_catalog", district="130105", stdout=again)
    assert f"0 added, 0 given a new version, {len(ITEMS)} unchanged" in again.getvalue()
    assert ServiceItem.objects.count() == len(ITEMS)
    assert audit_verify().ok


def test_the_demo_hall_opens_windows_and_the_back_office(world: World) -> None:
    backoffice = staff(Role.BACK_OFFICE, world.street, "backoffice")
    counts = demo_hall_seed(district=world.district, logins_created=["backoffice"])
    assert counts == {"service_items": len(ITEMS), "windows": 4}
    assert list(
        Window.objects.order_by("region__code", "number").values_list(
            "region__name", "number", "groups"
        )
    ) == [("湖北社区", 1, "A"), ("湖北社区", 2, "AB"), ("八一社区", 1, "A"), ("八一社区", 2, "AB")]
    assert sorted(
        RoleAssignment.objects.filter(user=backoffice).values_list(
            "role", "region__code", "unit__code"
        ),
        key=str,
    ) == [
        (Role.BACK_OFFICE, "130105", "D-MZ"),
        (Role.BACK_OFFICE, "130105", "D-RS"),
        (Role.BACK_OFFICE, "130105001", None),
    ]


def test_the_demo_hall_leaves_a_taken_login_alone(world: World) -> None:
    taken = staff(Role.BACK_OFFICE, world.street, "backoffice")
    demo_hall_seed(district=world.district, logins_created=[])
    assert RoleAssignment.objects.filter(user=taken).count() == 1
