"""The category pages and the API: everyone reads, district administrators change."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.models import User
from shequ.audit.models import AuditEvent
from shequ.incidents.models import IncidentCategory
from shequ.incidents.tests.table import Table, csv_file, login, row, state
from shequ.regions.tests.factories import UserFactory, World

pytestmark = pytest.mark.english

# A path, not reverse(): resolving at import would load the URL map before the test settings.
LIST = "/incidents/categories/"


def names(response: object) -> list[str]:
    return [category.name for category in response.context["categories"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["上水井盖", "路灯", "暴露垃圾", "无照经营游商"]),
        ("q=垃圾", ["暴露垃圾"]),
        ("q=bllj", ["暴露垃圾"]),  # pinyin initials
        ("q=lu", ["路灯", "暴露垃圾"]),  # full pinyin: ludeng, baolulaji
        ("q=0102", ["暴露垃圾"]),  # class and subclass code
        ("q=05", ["无照经营游商"]),
        ("q=市容", ["暴露垃圾"]),  # the class name
        ("kind=component", ["上水井盖", "路灯"]),
        ("state=retired", ["路灯"]),
        ("state=active&kind=event", ["暴露垃圾", "无照经营游商"]),
    ],
)
def test_search_and_filters(world: World, table: Table, query: str, expected: list[str]) -> None:
    response = login(world.users["gridworker"]).get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert names(response) == expected


def test_filter_by_class(world: World, table: Table) -> None:
    class_id = table.vendor.incident_class.pk

    response = login(world.users["gridworker"]).get(f"{LIST}?incident_class={class_id}")

    assert names(response) == ["无照经营游商"]


def test_the_list_costs_a_fixed_number_of_queries(world: World, table: Table) -> None:
    client = login(world.users["admin"])
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)

    # Session, user, roles, the figures, the rows, the inbox badge, the class filter's options:
    # the same with four rows or four hundred.
    assert len(queries) == 7


def test_htmx_gets_the_results_only(world: World, table: Table) -> None:
    response = login(world.users["gridworker"]).get(
        f"{LIST}?q=路灯", headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert "<form" not in body
    assert 'data-testid="category-row"' in body
    assert "1 subclass shown" in body


def test_a_grid_worker_reads_but_does_not_change(world: World, table: Table) -> None:
    client = login(world.users["gridworker"])
    before = state()

    detail = client.get(reverse("incidents:category-detail", args=[table.garbage.pk]))
    edit = client.post(
        reverse("incidents:category-edit", args=[table.garbage.pk]), {"name": "改名"}
    )
    create = client.get(reverse("incidents:category-create"))
    imported = client.post(
        reverse("incidents:category-import"),
        {"file": SimpleUploadedFile("t.csv", csv_file([row()]).getvalue())},
    )

    assert detail.status_code == 200
    assert "公共场所成堆、成片的生活垃圾" in detail.content.decode()
    assert "Edit" not in detail.content.decode().split("</h1>", 1)[1]
    assert (edit.status_code, create.status_code, imported.status_code) == (403, 403, 403)
    assert state() == before


def test_a_user_without_a_role_sees_nothing(world: World, table: Table) -> None:
    nobody: User = UserFactory()  # type: ignore[assignment]
    client = login(nobody)

    assert client.get(LIST).status_code == 403
    assert (
        client.get(reverse("incidents:category-detail", args=[table.cover.pk])).status_code == 403
    )
    assert client.get("/api/v1/incidents/categories").status_code == 403


def test_an_unknown_category_is_not_found(world: World, table: Table) -> None:
    client = login(world.users["admin"])

    assert client.get(reverse("incidents:category-detail", args=[9999])).status_code == 404
    assert client.get("/api/v1/incidents/categories/9999").status_code == 404


def form_data(table: Table, **changes: object) -> dict[str, object]:
    return {
        "name": "暴露垃圾",
        "filing_condition": "公共场所成堆、成片的生活垃圾",
        "closing_condition": "垃圾清除，地面无残留",
        "time_limit": 2,
        "time_limit_kind": "working_hours",
        "default_unit": table.unit.pk,
        "default_tier": "district",
        "is_active": "on",
        **changes,
    }


def test_the_administrator_edits_a_subclass(world: World, table: Table) -> None:
    client = login(world.users["admin"])
    url = reverse("incidents:category-edit", args=[table.garbage.pk])
    assert client.get(url).status_code == 200

    # Class and code are fixed on an existing subclass: posted values are ignored.
    response = client.post(url, form_data(table, code="77"))

    assert response.status_code == 302
    table.garbage.refresh_from_db()
    assert (table.garbage.code, table.garbage.time_limit) == ("02", 2)
    assert table.garbage.closing_condition == "垃圾清除，地面无残留"
    event = AuditEvent.objects.filter(object_id=str(table.garbage.pk)).latest("id")
    assert (event.actor_name, event.changes["time_limit"]) == ("admin", [4, 2])


def test_a_bad_edit_shows_the_errors(world: World, table: Table) -> None:
    before = state()
    url = reverse("incidents:category-edit", args=[table.garbage.pk])

    response = login(world.users["admin"]).post(url, form_data(table, time_limit=0, name=""))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"time_limit", "name"}
    assert state() == before


def test_the_administrator_adds_a_subclass_but_not_over_another(world: World, table: Table) -> None:
    client = login(world.users["admin"])
    looks = table.garbage.incident_class.pk
    url = reverse("incidents:category-create")

    taken = client.post(url, form_data(table, incident_class=looks, code="02", name="道路不洁"))
    added = client.post(url, form_data(table, incident_class=looks, code="04", name="道路不洁"))

    assert taken.context["form"].errors["code"] == ["0102 暴露垃圾 already has this code"]
    assert added.status_code == 302
    new = IncidentCategory.objects.get(name="道路不洁")
    assert (new.full_code, new.name_initials) == ("0104", "dlbj")


def test_the_import_page_lists_problems_then_imports(world: World, table: Table) -> None:
    client = login(world.users["admin"])
    url = reverse("incidents:category-import")
    bad = SimpleUploadedFile("t.csv", csv_file([row(处置层级="市")]).getvalue())
    good = SimpleUploadedFile("t.csv", csv_file([row()]).getvalue())

    refused = client.post(url, {"file": bad})
    imported = client.post(url, {"file": good}, follow=True)

    assert [(e.row, e.column, e.value) for e in refused.context["errors"]] == [
        (2, "处置层级", "市")
    ]
    assert "Imported 1 subclasses: 1 added, 0 changed, 0 unchanged." in imported.content.decode()
    assert IncidentCategory.objects.filter(name="积存垃圾渣土").exists()


def test_the_import_page_refuses_other_files(world: World) -> None:
    response = login(world.users["admin"]).post(
        reverse("incidents:category-import"), {"file": SimpleUploadedFile("t.xls", b"x")}
    )

    assert response.context["form"].errors["file"] == [
        "Upload an .xlsx or .csv file; this one is “t.xls”"
    ]


def test_export_follows_the_filters(world: World, table: Table) -> None:
    client = login(world.users["gridworker"])

    xlsx = client.get(reverse("incidents:category-export") + "?kind=event")
    csv = client.get(reverse("incidents:category-export") + "?q=路灯&format=csv")

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "暴露垃圾",
        "无照经营游商",
    ]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert (
        lines[1] == "部件,02,道路交通,11,路灯,公共场所成堆、成片的生活垃圾,垃圾清除,2,工作日,,区,否"
    )


def test_api_lists_active_categories_with_search(world: World, table: Table) -> None:
    client = login(world.users["gridworker"])

    everything = client.get("/api/v1/incidents/categories").json()
    found = client.get("/api/v1/incidents/categories?q=lj&kind=event").json()
    retired = client.get("/api/v1/incidents/categories?include_retired=true&class_code=02").json()

    assert [c["name"] for c in everything["items"]] == ["上水井盖", "暴露垃圾", "无照经营游商"]
    assert found["items"] == [
        {
            "id": table.garbage.pk,
            "kind": "event",
            "class_code": "01",
            "class_name": "市容环境",
            "code": "02",
            "full_code": "0102",
            "name": "暴露垃圾",
            "time_limit": 4,
            "time_limit_kind": "working_hours",
            "default_unit_id": table.unit.pk,
            "default_unit_name": "区环境卫生服务中心",
            "default_tier": "district",
            "is_active": True,
        }
    ]
    assert [c["name"] for c in retired["items"]] == ["路灯"]


def test_api_detail_has_the_conditions(world: World, table: Table) -> None:
    response = login(world.users["gridworker"]).get(
        f"/api/v1/incidents/categories/{table.vendor.pk}"
    )

    body = response.json()
    assert (body["filing_condition"], body["closing_condition"]) == (
        "公共场所成堆、成片的生活垃圾",
        "垃圾清除",
    )
    assert body["default_unit_id"] is None
