"""The service catalog: versions, pages and permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shequ.audit.models import AuditEvent
from shequ.hall.catalog_seed import DEPARTMENTS, ITEMS, catalog_seed
from shequ.hall.models import Application, ServiceItem
from shequ.hall.services import item_save, window_accept
from shequ.hall.tests.catalog_data import HEADERS, MATERIALS, edit_post, login, state, values
from shequ.lib.tabular import write_csv
from shequ.people.services import person_create
from shequ.regions.models import Unit
from shequ.regions.tests.factories import World

# These tests assert the English source wording.
pytestmark = pytest.mark.english


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
