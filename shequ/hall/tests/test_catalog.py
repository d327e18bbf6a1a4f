"""The service catalog: versions, pages and permissions, import and export, the seed, the demo."""

from __future__ import annotations

import io
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.models import User
from shequ.audit.models import AuditEvent
from shequ.audit.services import audit_verify
from shequ.demo.hall import demo_hall_seed
from shequ.hall import catalog_io
from shequ.hall.catalog_seed import DEPARTMENTS, ITEMS, catalog_seed
from shequ.hall.models import Application, Material, ServiceItem, Window
from shequ.hall.services import item_save, window_accept
from shequ.lib.tabular import ImportFailed, RowError, write_csv
from shequ.people.services import person_create
from shequ.regions.models import RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff

# These tests assert the English source wording.
pytestmark = pytest.mark.english

HEADERS = catalog_io.HEADERS
MATERIALS = [
    {"name": "居民身份证", "form": "both", "count": 1, "electronic_ok": True, "required": True},
    {"name": "户口簿", "form": "both", "count": 1, "electronic_ok": True, "required": True},
    {"name": "委托书", "form": "original", "count": 1, "electronic_ok": False, "required": False},
]


def values(unit: Unit, **changes: Any) -> dict[str, Any]:
    return {
        "name": "高龄津贴申领",
        "kind": "payment",
        "department_id": unit.pk,
        "legal_basis": "《中华人民共和国老年人权益保障法》",
        "procedure": "受理、审核、发放",
        "conditions": "年满80周岁",
        "promised_days": 10,
        "statutory_days": 20,
        "fee": "不收费",
        "online": True,
        "by_proxy": True,
        "delivery": False,
        "queue_group": "A",
        **changes,
    }


@pytest.fixture
def unit(world: World) -> Unit:
    return Unit.objects.create(
        code="D-MZ", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )


@pytest.fixture
def item(world: World, unit: Unit) -> ServiceItem:
    return item_save(
        actor=world.users["admin"], code="MZ-006", values=values(unit), materials=MATERIALS
    )


def state() -> list[tuple[Any, ...]]:
    """The catalog as stored: every version and every material."""
    items = list(
        ServiceItem.objects.order_by("code", "version").values_list(
            "code", "version", "is_current", "name", "promised_days", "department__code"
        )
    )
    materials = list(
        Material.objects.order_by("item__code", "item__version", "position").values_list(
            "item__code", "item__version", "name", "form", "count", "electronic_ok", "required"
        )
    )
    return [*items, *materials]


def edit_post(item: ServiceItem, **changes: Any) -> dict[str, Any]:
    """A complete POST of the edit form for `item`, with its materials and one empty row."""
    data: dict[str, Any] = {
        "name": item.name,
        "kind": item.kind,
        "department": item.department_id,
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "procedure": item.procedure,
        "promised_days": item.promised_days,
        "statutory_days": item.statutory_days,
        "fee": item.fee,
        "queue_group": item.queue_group,
        **({"online": "on"} if item.online else {}),
        **({"by_proxy": "on"} if item.by_proxy else {}),
        **({"delivery": "on"} if item.delivery else {}),
    }
    materials = list(item.materials.all())
    data |= {
        "materials-TOTAL_FORMS": len(materials) + 1,
        "materials-INITIAL_FORMS": len(materials),
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 60,
    }
    for index, material in enumerate(materials):
        data |= {
            f"materials-{index}-name": material.name,
            f"materials-{index}-form": material.form,
            f"materials-{index}-count": material.count,
            f"materials-{index}-note": material.note,
            **({f"materials-{index}-electronic_ok": "on"} if material.electronic_ok else {}),
            **({f"materials-{index}-required": "on"} if material.required else {}),
        }
    blank = len(materials)
    data |= {
        f"materials-{blank}-name": "",
        f"materials-{blank}-form": "both",
        f"materials-{blank}-count": "1",
        f"materials-{blank}-required": "on",
        f"materials-{blank}-note": "",
    }
    return data | changes


def login(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


# Versions ------------------------------------------------------------------------------------


def test_an_application_keeps_the_version_it_was_accepted_under(
    world: World, item: ServiceItem
) -> None:
    applicant = person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="王秀英",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    required = list(item.materials.filter(required=True).values_list("pk", flat=True))
    case = window_accept(
        actor=world.users["window"],
        item=item,
        applicant=applicant,
        region=world.community,
        materials=required,
    )

    newer = item_save(
        actor=world.users["admin"],
        code="MZ-006",
        values=values(item.department, promised_days=5),
        materials=MATERIALS[:2],
    )

    item.refresh_from_db()
    application = Application.objects.get(case=case)
    assert (application.item_id, application.item.version) == (item.pk, 1)
    assert case.data == {"item_code": "MZ-006", "item_version": 1}
    assert (item.is_current, item.promised_days, item.materials.count()) == (False, 10, 3)
    assert (newer.version, newer.is_current, newer.promised_days) == (2, True, 5)
    assert [m.name for m in newer.materials.all()] == ["居民身份证", "户口簿"]


def test_saving_the_same_values_keeps_the_version(world: World, item: ServiceItem) -> None:
    again = item_save(
        actor=world.users["admin"],
        code="MZ-006",
        values=values(item.department),
        materials=MATERIALS,
    )
    assert again.pk == item.pk
    assert ServiceItem.objects.filter(code="MZ-006").count() == 1


def test_the_edit_page_saves_a_new_version(world: World, item: ServiceItem) -> None:
    client = login(world.users["admin"])
    page = client.get(reverse("hall:item-edit", args=[item.pk]))
    assert page.status_code == 200
    data = edit_post(item, promised_days=7)
    data["materials-3-name"] = "收入证明"

    response = client.post(reverse("hall:item-edit", args=[item.pk]), data)

    newer = ServiceItem.objects.get(code="MZ-006", is_current=True)
    assert response.status_code == 302
    assert response["Location"] == reverse("hall:item-detail", args=[newer.pk])
    assert (newer.version, newer.promised_days) == (2, 7)
    assert [m.name for m in newer.materials.all()] == ["居民身份证", "户口簿", "委托书", "收入证明"]
    assert ServiceItem.objects.get(pk=item.pk).is_current is False
    detail = client.get(reverse("hall:item-detail", args=[newer.pk])).content.decode()
    assert "收入证明" in detail and reverse("hall:item-detail", args=[item.pk]) in detail


def test_the_edit_page_refuses_a_promise_beyond_the_statutory_time(
    world: World, item: ServiceItem
) -> None:
    before = state()
    response = login(world.users["admin"]).post(
        reverse("hall:item-edit", args=[item.pk]), edit_post(item, promised_days=30)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["promised_days"] == [
        "The promised time (30 working days) cannot exceed the statutory time (20)"
    ]
    assert state() == before


def test_an_item_is_added_by_a_district_administrator(world: World, unit: Unit) -> None:
    client = login(world.users["admin"])
    data = {
        "code": "MZ-100",
        "name": "居家养老服务申请",
        "kind": "public_service",
        "department": unit.pk,
        "promised_days": 5,
        "statutory_days": 10,
        "fee": "不收费",
        "queue_group": "a",
        "by_proxy": "on",
        "materials-TOTAL_FORMS": 2,
        "materials-INITIAL_FORMS": 0,
        "materials-MIN_NUM_FORMS": 0,
        "materials-MAX_NUM_FORMS": 60,
        "materials-0-name": "居民身份证",
        "materials-0-form": "both",
        "materials-0-count": 1,
        "materials-0-required": "on",
        "materials-1-name": "",
        "materials-1-form": "both",
        "materials-1-count": 1,
        "materials-1-required": "on",
    }
    response = client.post(reverse("hall:item-create"), data)
    created = ServiceItem.objects.get(code="MZ-100")
    assert response.status_code == 302
    assert (created.version, created.queue_group, created.by_proxy, created.online) == (
        1,
        "A",
        True,
        False,
    )
    assert [(m.name, m.form, m.required) for m in created.materials.all()] == [
        ("居民身份证", "both", True)
    ]
    again = client.post(reverse("hall:item-create"), data)
    assert again.context["form"].errors["code"] == [
        "An item with the code MZ-100 exists: edit that item instead"
    ]


# Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["window", "director", "street", "supervisor"])
def test_only_district_administrators_edit_the_catalog(
    world: World, item: ServiceItem, username: str
) -> None:
    client = login(world.users[username])
    before = state()
    events = AuditEvent.objects.count()
    data = edit_post(item, name="改过的名称")
    assert client.get(reverse("hall:item-edit", args=[item.pk])).status_code == 403
    assert client.post(reverse("hall:item-edit", args=[item.pk]), data).status_code == 403
    assert client.get(reverse("hall:item-create")).status_code == 403
    assert client.post(reverse("hall:item-create"), data | {"code": "X-1"}).status_code == 403
    assert client.get(reverse("hall:catalog-import")).status_code == 403
    upload = SimpleUploadedFile("c.csv", write_csv([], HEADERS))
    assert client.post(reverse("hall:catalog-import"), {"file": upload}).status_code == 403
    assert client.get(reverse("hall:catalog-template")).status_code == 403
    assert state() == before
    assert AuditEvent.objects.count() == events
    # They read the catalog all the same, without an edit button.
    page = client.get(reverse("hall:item-detail", args=[item.pk]))
    assert page.status_code == 200
    assert reverse("hall:item-edit", args=[item.pk]) not in page.content.decode()


def test_every_staff_member_reads_the_catalog(world: World, item: ServiceItem) -> None:
    """The catalog is the district's: a grid worker of any grid reads it, and edits nothing."""
    client = login(world.users["stranger"])
    before = state()
    assert [i.code for i in client.get(reverse("hall:catalog")).context["items"]] == ["MZ-006"]
    assert client.get(reverse("hall:item-detail", args=[item.pk])).status_code == 200
    assert client.get(reverse("hall:catalog-export")).status_code == 200
    assert client.get(reverse("hall:item-edit", args=[item.pk])).status_code == 403
    assert (
        client.post(reverse("hall:item-edit", args=[item.pk]), edit_post(item)).status_code == 403
    )
    assert state() == before
    resident_side = Client(headers={"accept-language": "en"})
    assert resident_side.get(reverse("hall:catalog")).status_code == 302


def test_an_item_of_another_district_is_not_found(world: World, item: ServiceItem) -> None:
    from shequ.regions.tests.factories import make_region

    other = make_region("130106", "另一区", "district")
    other_unit = Unit.objects.create(
        code="X-MZ", name="另一区民政局", kind="department", region=other
    )
    elsewhere = item_save(actor=None, code="X-001", values=values(other_unit), materials=[])
    client = login(world.users["window"])
    assert client.get(reverse("hall:item-detail", args=[elsewhere.pk])).status_code == 404
    listing = client.get(reverse("hall:catalog"))
    assert [i.code for i in listing.context["items"]] == ["MZ-006"]
    admin = login(world.users["admin"])
    assert admin.get(reverse("hall:item-edit", args=[elsewhere.pk])).status_code == 404


# Lists and public pages --------------------------------------------------------------------


def test_the_staff_list_searches_and_filters(
    world: World, django_assert_max_num_queries: Any
) -> None:
    catalog_seed(district=world.district)
    client = login(world.users["window"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("hall:catalog"))
    assert page.context["figures"]["total"] == len(ITEMS)
    assert page.context["figures"]["departments"] == len(DEPARTMENTS)
    assert len(page.context["items"]) == len(ITEMS)

    def codes(**query: Any) -> list[str]:
        return [i.code for i in client.get(reverse("hall:catalog"), query).context["items"]]

    assert codes(q="低保") == []
    assert codes(q="最低生活保障") == ["MZ-001", "MZ-002"]
    assert codes(q="RS-00", kind="payment") == ["RS-003", "RS-005", "RS-006", "RS-009"]
    cl = Unit.objects.get(code="D-CL")
    assert codes(department=cl.pk) == ["CL-001", "CL-002", "CL-003", "CL-004", "CL-005"]
    assert codes(q="区残联", channel="delivery") == ["CL-001", "CL-002"]
    assert codes(channel="nonsense", q="尊老金") == ["MZ-007"]


def test_public_pages_need_no_login(world: World, item: ServiceItem) -> None:
    anonymous = Client(headers={"accept-language": "en"})
    listing = anonymous.get(reverse("hall:catalog-public"), {"q": "高龄"})
    assert listing.status_code == 200
    assert [i.code for i in listing.context["items"]] == ["MZ-006"]
    detail = anonymous.get(reverse("hall:item-public", args=[item.pk]))
    assert detail.status_code == 200
    assert "户口簿" in detail.content.decode()
    notice = anonymous.get(reverse("hall:item-notice", args=[item.pk]))
    body = notice.content.decode()
    assert notice.status_code == 200
    assert "@media print" in body and "《中华人民共和国老年人权益保障法》" in body
    # A link to an earlier version leads to the current one.
    newer = item_save(
        actor=None, code="MZ-006", values=values(item.department, fee="工本费5元"), materials=[]
    )
    old = anonymous.get(reverse("hall:item-notice", args=[item.pk]))
    assert old.status_code == 302
    assert old["Location"] == reverse("hall:item-notice", args=[newer.pk])
    assert anonymous.get(reverse("hall:item-public", args=[999999])).status_code == 404
    # The staff pages are not public.
    staff_page = anonymous.get(reverse("hall:item-detail", args=[item.pk]))
    assert staff_page.status_code == 302


def test_the_public_pages_render_in_chinese(world: World, item: ServiceItem, zh: None) -> None:
    anonymous = Client(headers={"accept-language": "en"})
    for url in (
        reverse("hall:catalog-public"),
        reverse("hall:item-public", args=[item.pk]),
        reverse("hall:item-notice", args=[item.pk]),
    ):
        assert anonymous.get(url).status_code == 200


# Import and export --------------------------------------------------------------------------


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
