"""Exporting the region tree, the round trip, and the import and export pages."""

import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shequ.audit.models import Action, AuditEvent
from shequ.lib.tabular import ImportFailed, read_rows
from shequ.regions.io import ImportReport, region_import
from shequ.regions.io_export import region_export
from shequ.regions.models import CommunityType, Region, RoleAssignment
from shequ.regions.tests.factories import World
from shequ.regions.tests.files import SQUARE, csv_file, tree, xlsx

# These tests assert the English source wording.
pytestmark = pytest.mark.english


# Export -------------------------------------------------------------------------------------


def _decorate(world: World) -> None:
    Region.objects.filter(pk=world.community.pk).update(
        boundary=SQUARE, community_type=CommunityType.OLD_TOWN
    )
    Region.objects.filter(pk=world.sibling.pk).update(is_special=True, name="=湖北二网格")


def _empty_the_tree() -> None:
    RoleAssignment.objects.all().delete()
    for depth in range(5, -1, -1):
        Region.objects.filter(depth=depth).delete()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "geojson"])
def test_export_then_import_into_an_empty_tree_gives_the_same_tree(world: World, fmt: str) -> None:
    # Given a district with a boundary, a community type, a special grid and an awkward name
    _decorate(world)
    before = tree()
    # When the administrator exports it and it is imported into an empty tree
    content, content_type, filename = region_export(
        actor=world.users["admin"], root=world.district, fmt=fmt
    )
    _empty_the_tree()
    report = region_import(actor=None, file=io.BytesIO(content), filename=filename)
    # Then the tree is the same
    assert report == ImportReport(rows=9, created=9, updated=0, moved=0, unchanged=0)
    assert tree() == before
    assert content_type.startswith(
        {"xlsx": "application/vnd.openxmlformats", "csv": "text/csv", "geojson": "application/geo"}[
            fmt
        ]
    )
    assert filename.startswith("regions-130105-") and filename.endswith(f".{fmt}")


def test_export_of_a_street_lists_it_with_its_parent_code_in_tree_order(world: World) -> None:
    content, _type, _name = region_export(actor=world.users["admin"], root=world.street, fmt="csv")
    with read_rows(io.BytesIO(content), "a.csv") as rows:
        lines = [(number, values["Code"], values["Parent code"]) for number, values in rows]
    assert lines == [
        (2, "130105001", "130105"),
        (3, "130105001001", "130105001"),
        (4, "130105001001001", "130105001001"),
        (5, "130105001001002", "130105001001"),
        (6, "130105001002", "130105001"),
        (7, "130105001002001", "130105001002"),
    ]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.object_id, event.region_path) == (str(world.street.pk), world.street.path)
    assert event.changes == {"format": "csv", "rows": 6}


def test_export_stays_within_the_scope(world: World) -> None:
    with pytest.raises(PermissionDenied):
        region_export(actor=world.users["gridworker"], root=world.district, fmt="geojson")
    content, _type, _name = region_export(
        actor=world.users["gridworker"], root=world.grid, fmt="geojson"
    )
    assert [f["properties"]["code"] for f in json.loads(content)["features"]] == ["130105001001001"]


def test_an_oversized_boundary_is_left_out_of_xlsx_only(world: World) -> None:
    ring = [[116 + n / 1e5, 39.0] for n in range(4000)] + [[116.0, 39.5], [116.0, 39.0]]
    big = {"type": "Polygon", "coordinates": [ring]}
    Region.objects.filter(pk=world.grid.pk).update(boundary=big)
    content, _type, _name = region_export(actor=world.users["admin"], root=world.grid, fmt="xlsx")
    with read_rows(io.BytesIO(content), "a.xlsx") as rows:
        assert [values["Boundary (GeoJSON)"] for _n, values in rows] == [None]
    content, _type, _name = region_export(actor=world.users["admin"], root=world.grid, fmt="csv")
    with read_rows(io.BytesIO(content), "a.csv") as rows:
        assert [json.loads(values["Boundary (GeoJSON)"]) for _n, values in rows] == [big]


# Pages ----------------------------------------------------------------------------------------


def import_url() -> str:
    return reverse("regions:region-import")


def export_url(region: Region, query: str = "") -> str:
    return reverse("regions:region-export", args=[region.pk]) + query


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_import_page_and_upload(world: World) -> None:
    client = client_for(world.users["admin"])
    assert client.get(import_url()).status_code == 200
    upload = xlsx(["130105003", "民主街道", "街道", "130105", "", ""])
    upload.name = "streets.xlsx"
    response = client.post(import_url(), {"file": upload}, follow=True)
    assert response.redirect_chain == [(import_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Imported 1 rows: 1 regions added, 0 changed, 0 moved, 0 unchanged."
    ]
    assert Region.objects.filter(code="130105003", parent=world.district).exists()


def test_import_page_lists_every_problem_and_changes_nothing(world: World) -> None:
    client = client_for(world.users["admin"])
    regions, events = Region.objects.count(), AuditEvent.objects.count()
    upload = xlsx(
        ["130105003", "民主街道", "街道", "130105", "", ""],
        ["13010500X", "甲街道", "街道", "130105", "", ""],
        ["130105004", "乙街道", "乡镇", "130105", "", ""],
    )
    upload.name = "streets.xlsx"
    response = client.post(import_url(), {"file": upload})
    assert response.status_code == 200
    assert response.context["error_count"] == 2
    assert [(e.row, e.column, e.value) for e in response.context["errors"]] == [
        (3, "编码", "13010500X"),
        (4, "层级", "乡镇"),
    ]
    assert "The code must consist of digits" in response.content.decode()
    assert (Region.objects.count(), AuditEvent.objects.count()) == (regions, events)


def test_import_page_refuses_other_file_types(world: World) -> None:
    upload = io.BytesIO(b"x")
    upload.name = "streets.doc"
    response = client_for(world.users["admin"]).post(import_url(), {"file": upload})
    assert response.context["form"].errors == {
        "file": ["Upload an .xlsx, .csv or .geojson file; this one is “streets.doc”"]
    }


def test_template_download(world: World) -> None:
    response = client_for(world.users["admin"]).get(reverse("regions:region-template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="regions-template.xlsx"'
    with read_rows(io.BytesIO(response.content), "t.xlsx") as rows:
        assert rows.labels == {
            "Code": "Code",
            "Name": "Name",
            "Level": "Level",
            "Parent code": "Parent code",
            "Community type": "Community type",
            "Special grid": "Special grid",
            "Boundary (GeoJSON)": "Boundary (GeoJSON)",
        }
        assert [(n, v["Code"], v["Level"], v["Parent code"]) for n, v in rows] == [
            (2, "110101001", "街道", "110101"),
            (3, "110101001001", "社区", "110101001"),
        ]


@pytest.mark.parametrize("who", ["gridworker", "director", "street", "supervisor"])
def test_only_region_administrators_import(world: World, who: str) -> None:
    client = client_for(world.users[who])
    regions, events = Region.objects.count(), AuditEvent.objects.count()
    upload = xlsx(["130105003", "民主街道", "街道", "130105", "", ""])
    upload.name = "streets.xlsx"
    assert client.get(import_url()).status_code == 403
    assert client.post(import_url(), {"file": upload}).status_code == 403
    assert client.get(reverse("regions:region-template")).status_code == 403
    assert (Region.objects.count(), AuditEvent.objects.count()) == (regions, events)


def test_export_page(world: World) -> None:
    client = client_for(world.users["gridworker"])
    response = client.get(export_url(world.grid, "?format=geojson"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="regions-130105001001001-'
    )
    assert client.get(export_url(world.grid)).status_code == 200
    assert client.get(export_url(world.grid, "?format=pdf")).status_code == 400


def test_export_outside_the_scope_is_not_found(world: World) -> None:
    client = client_for(world.users["gridworker"])
    events = AuditEvent.objects.count()
    assert client.get(export_url(world.sibling, "?format=csv")).status_code == 404
    assert client.get(export_url(world.community)).status_code == 404
    assert client_for(world.users["stranger"]).get(export_url(world.grid)).status_code == 404
    assert AuditEvent.objects.count() == events


def test_anonymous_users_are_sent_to_log_in(world: World) -> None:
    response = Client().get(import_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_in_chinese_nothing_breaks(world: World, zh: None) -> None:
    # Given the default interface language
    client = client_for(world.users["admin"], "zh-hans")
    # When a bad file, a good file, the template and an export go through the pages
    bad = xlsx(["13010500X", "甲街道", "街道", "130105", "", ""])
    bad.name = "bad.xlsx"
    good = csv_file(["130105003", "民主街道", "街道", "130105", "old_town", ""])
    good.name = "good.csv"
    responses = [
        client.get(import_url()),
        client.post(import_url(), {"file": bad}),
        client.post(import_url(), {"file": good}, follow=True),
        client.get(reverse("regions:region-template")),
        *(
            client.get(export_url(world.district, f"?format={f}"))
            for f in ("xlsx", "csv", "geojson")
        ),
    ]
    # Then every page answers and the errors and the import are there
    assert [r.status_code for r in responses] == [200] * 7
    assert responses[1].context["error_count"] == 1
    assert Region.objects.filter(code="130105003").exists()
    # and the services work in Chinese too
    with pytest.raises(ImportFailed) as caught:
        region_import(
            actor=world.users["admin"], file=xlsx(["x", "", "", "", "", ""]), filename="a.xlsx"
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "名称"), (2, "层级")]
