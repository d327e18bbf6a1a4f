"""Importing the region tree: building and updating the tree from xlsx, CSV and GeoJSON."""

import io
import json

import pytest

from shequ.audit.models import Action, AuditEvent
from shequ.lib.tabular import ImportFailed, RowError
from shequ.regions.io import ImportReport, region_import
from shequ.regions.models import CommunityType, Region, RegionMove
from shequ.regions.tests.factories import World, make_region
from shequ.regions.tests.files import HEADER, SQUARE, csv_file, feature, geojson, tree, xlsx

# These tests assert the English source wording.
pytestmark = pytest.mark.english


def test_xlsx_import_builds_a_subtree_from_rows_in_any_order(world: World) -> None:
    # Given a new street, a community and a grid, children listed before their parents
    file = xlsx(
        ["130105003001001", "民主一网格", "网格", "130105003001", "", ""],
        ["130105003001", "民主社区", "社区", "130105003", "old_town", json.dumps(SQUARE)],
        ["130105003", "民主街道", "street", "130105", None, None],
    )
    # When the district administrator imports them
    report = region_import(actor=world.users["admin"], file=file, filename="新街道.xlsx")
    # Then the three nodes hang under each other below the district
    assert report == ImportReport(rows=3, created=3, updated=0, moved=0, unchanged=0)
    street = Region.objects.get(code="130105003")
    community = Region.objects.get(code="130105003001")
    grid = Region.objects.get(code="130105003001001")
    assert street.parent == world.district
    assert community.parent == street
    assert grid.parent == community
    assert grid.path == f"{world.district.path}{street.pk}/{community.pk}/{grid.pk}/"
    assert grid.depth == 3
    assert community.boundary == SQUARE
    assert community.community_type == CommunityType.OLD_TOWN
    # and each node has its creation event, the import one event with the counts
    assert list(
        AuditEvent.objects.filter(action=Action.CREATE, object_type="regions.region")
        .order_by("id")
        .values_list("object_id", flat=True)
    ) == [str(street.pk), str(community.pk), str(grid.pk)]
    event = AuditEvent.objects.get(action=Action.IMPORT)
    assert event.actor_name == "admin"
    assert event.object_repr == "新街道.xlsx"
    assert event.region_path == street.path
    assert event.changes == {
        "file": "新街道.xlsx",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "moved": 0,
        "unchanged": 0,
    }


def test_community_type_by_key_or_label(world: World) -> None:
    file = xlsx(
        ["130105001003", "甲社区", "社区", "130105001", "old_town", ""],
        ["130105001004", "乙社区", "社区", "130105001", "Gated high-end compound", ""],
    )
    region_import(actor=world.users["admin"], file=file, filename="a.xlsx")
    assert dict(
        Region.objects.filter(code__in=["130105001003", "130105001004"]).values_list(
            "code", "community_type"
        )
    ) == {"130105001003": CommunityType.OLD_TOWN, "130105001004": CommunityType.GATED}


def test_csv_import_updates_moves_and_leaves_alone(world: World) -> None:
    # Given a renamed community, a grid moved to another community and an unchanged grid
    file = csv_file(
        ["130105001001", "湖北社区居委会", "社区", "130105001", "fringe", ""],
        ["130105001001002", "湖北二网格", "网格", "130105001002", "", ""],
        ["130105001001001", "湖北一网格", "网格", "130105001001", "", ""],
    )
    # When imported
    report = region_import(actor=world.users["admin"], file=file, filename="changes.csv")
    # Then the community is renamed, the grid moved with its path, the other untouched
    assert report == ImportReport(rows=3, created=0, updated=1, moved=1, unchanged=1)
    world.community.refresh_from_db()
    assert world.community.name == "湖北社区居委会"
    assert world.community.community_type == CommunityType.FRINGE
    world.sibling.refresh_from_db()
    assert world.sibling.parent == world.other_community
    assert world.sibling.path == f"{world.other_community.path}{world.sibling.pk}/"
    move = RegionMove.objects.get()
    assert (move.region, move.old_parent, move.new_parent) == (
        world.sibling,
        world.community,
        world.other_community,
    )
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1
    assert AuditEvent.objects.filter(action=Action.MOVE).count() == 1
    assert AuditEvent.objects.get(action=Action.IMPORT).region_path == world.street.path


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world: World) -> None:
    def rows() -> io.BytesIO:
        return xlsx(["130105001003", "甲社区", "社区", "130105001", "", json.dumps(SQUARE)])

    region_import(actor=world.users["admin"], file=rows(), filename="a.xlsx")
    report = region_import(actor=world.users["admin"], file=rows(), filename="a.xlsx")
    assert report == ImportReport(rows=1, created=0, updated=0, moved=0, unchanged=1)


def test_empty_optional_cells_keep_the_stored_values(world: World) -> None:
    Region.objects.filter(pk=world.community.pk).update(
        boundary=SQUARE, community_type=CommunityType.GATED, is_special=True
    )
    file = xlsx(
        ["130105001001", "湖北社区", "社区", "", None, None, None],
        header=[*HEADER, "专属网格"],
    )
    report = region_import(actor=world.users["admin"], file=file, filename="a.xlsx")
    assert report == ImportReport(rows=1, created=0, updated=0, moved=0, unchanged=1)
    world.community.refresh_from_db()
    assert world.community.parent == world.street
    assert (world.community.boundary, world.community.community_type) == (SQUARE, "gated")
    assert world.community.is_special is True


def test_moving_a_node_under_a_parent_created_in_the_same_file(world: World) -> None:
    # Given a new community and an existing grid of another community moved into it
    file = xlsx(
        ["130105001001001", "湖北一网格", "网格", "130105001005", "", ""],
        ["130105001005", "新社区", "社区", "130105001", "", ""],
    )
    report = region_import(actor=world.users["admin"], file=file, filename="a.xlsx")
    assert report == ImportReport(rows=2, created=1, updated=0, moved=1, unchanged=0)
    new = Region.objects.get(code="130105001005")
    world.grid.refresh_from_db()
    assert world.grid.path == f"{new.path}{world.grid.pk}/"


def test_creating_below_a_node_moved_in_the_same_file(world: World) -> None:
    # Given a sub-grid under the grid that the file moves to another community
    subgrid = make_region("130105001001001001", "一号楼组", "subgrid", world.grid)
    file = xlsx(
        ["130105001001001001001", "一号楼", "四级网格", "130105001001001001", "", ""],
        ["130105001001001001", "一号楼组", "三级网格", "130105001001001", "", ""],
        ["130105001001001", "湖北一网格", "网格", "130105001002", "", ""],
    )
    # When imported
    report = region_import(actor=world.users["admin"], file=file, filename="a.xlsx")
    # Then the new cell lands under the sub-grid at its new place (tree() checks every path)
    assert report == ImportReport(rows=3, created=1, updated=0, moved=1, unchanged=1)
    cell = Region.objects.get(code="130105001001001001001")
    assert cell.path == (f"{world.other_community.path}{world.grid.pk}/{subgrid.pk}/{cell.pk}/")
    assert len(tree()) == 11


def test_geojson_import(world: World) -> None:
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    file = geojson(
        feature(
            None,
            code="130105001003001",
            name="甲一网格",
            level="grid",
            parent_code="130105001003",
            is_special=True,
        ),
        feature(SQUARE, code="130105001003", name="甲社区", level="社区", parent_code="130105001"),
        feature(multi, 编码="130105001004", 名称="乙社区", 层级="community", 上级编码="130105001"),
    )
    report = region_import(actor=world.users["admin"], file=file, filename="甲.geojson")
    assert report == ImportReport(rows=3, created=3, updated=0, moved=0, unchanged=0)
    assert Region.objects.get(code="130105001003").boundary == SQUARE
    assert Region.objects.get(code="130105001004").boundary == multi
    grid = Region.objects.select_related("parent").get(code="130105001003001")
    assert (grid.boundary, grid.is_special) == (None, True)
    assert grid.parent == Region.objects.get(code="130105001003")


def test_gbk_csv_from_chinese_excel(world: World) -> None:
    file = csv_file(["130105001003", "鄂尔多斯社区", "社区", "130105001", "", ""], encoding="gbk")
    region_import(actor=world.users["admin"], file=file, filename="社区.csv")
    assert Region.objects.get(code="130105001003").name == "鄂尔多斯社区"


# All or nothing, and every problem with its row and column -----------------------------------


def test_a_bad_last_row_leaves_the_database_unchanged(world: World) -> None:
    regions, events = Region.objects.count(), AuditEvent.objects.count()
    file = xlsx(
        ["130105003", "民主街道", "街道", "130105", "", ""],
        ["130105003001", "民主社区", "社区", "130105003", "", ""],
        ["130105001001", "湖北社区改名", "社区", "130105001", "", ""],
        ["130105003002", "和平社区", "乡镇", "130105003", "", ""],
    )
    with pytest.raises(ImportFailed) as caught:
        region_import(actor=world.users["admin"], file=file, filename="a.xlsx")
    assert caught.value.errors == [
        RowError(
            5,
            "层级",
            "乡镇",
            "There is no level “乡镇”; the levels are 区、街道、社区、网格、三级网格、四级网格",
        )
    ]
    assert Region.objects.count() == regions
    assert AuditEvent.objects.count() == events
    world.community.refresh_from_db()
    assert world.community.name == "湖北社区"
