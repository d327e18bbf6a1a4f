import csv
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shequ.audit.models import Action, AuditEvent
from shequ.lib.tabular import ImportFailed, RowError, read_rows, write_xlsx
from shequ.regions.io import ImportReport, region_import
from shequ.regions.io_export import region_export
from shequ.regions.models import CommunityType, Region, RegionMove, RoleAssignment
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, make_region, staff

HEADER = ["编码", "名称", "层级", "上级编码", "社区类型", "边界"]
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1], [116.0, 39.0]]],
}


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def xlsx(*rows: list[Any], header: list[str] = HEADER) -> io.BytesIO:
    return io.BytesIO(write_xlsx(rows, header))


def csv_file(*rows: list[Any], header: list[str] = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode(encoding))


def geojson(*features: dict[str, Any]) -> io.BytesIO:
    collection = {"type": "FeatureCollection", "features": list(features)}
    return io.BytesIO(json.dumps(collection, ensure_ascii=False).encode())


def feature(geometry: dict[str, Any] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def tree() -> list[tuple[Any, ...]]:
    """The whole tree as comparable values, checking each stored path on the way."""
    rows = []
    for region in Region.objects.select_related("level", "parent").order_by("code"):
        parent = region.parent
        assert region.path == f"{parent.path if parent else '/'}{region.pk}/"
        assert region.depth == (parent.depth + 1 if parent else 0)
        rows.append(
            (
                region.code,
                region.name,
                region.level.key,
                parent.code if parent else "",
                region.depth,
                region.community_type,
                region.is_special,
                region.boundary,
            )
        )
    return rows


def refused(actor: Any, file: io.BytesIO, filename: str = "regions.xlsx") -> list[RowError]:
    """Import a bad file and return its errors, asserting that nothing was written."""
    regions, events = tree(), AuditEvent.objects.count()
    with pytest.raises(ImportFailed) as caught:
        region_import(actor=actor, file=file, filename=filename)
    assert tree() == regions
    assert AuditEvent.objects.count() == events
    return caught.value.errors


# Building and changing the tree ---------------------------------------------------------------


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


RULES = [
    pytest.param(
        ["13010500X", "甲街道", "街道", "130105", "", ""],
        RowError(2, "编码", "13010500X", "The code must consist of digits"),
        id="code-digits",
    ),
    pytest.param(
        ["1301050031", "甲街道", "街道", "130105", "", ""],
        RowError(2, "编码", "1301050031", "A 街道 code has 9 digits, this one has 10"),
        id="code-length",
    ),
    pytest.param(
        ["130106003", "甲街道", "街道", "130105", "", ""],
        RowError(2, "编码", "130106003", "The code should start with the parent's code 130105"),
        id="code-prefix",
    ),
    pytest.param(
        ["", "甲街道", "街道", "130105", "", ""],
        RowError(2, "编码", "", "Enter the code"),
        id="code-missing",
    ),
    pytest.param(
        ["130105003", "", "街道", "130105", "", ""],
        RowError(2, "名称", "", "Enter the name"),
        id="name-missing",
    ),
    pytest.param(
        ["130105003", "甲" * 101, "街道", "130105", "", ""],
        RowError(2, "名称", "甲" * 101, "A name has at most 100 characters"),
        id="name-length",
    ),
    pytest.param(
        ["130105003", "甲街道", "", "130105", "", ""],
        RowError(2, "层级", "", "Enter the level"),
        id="level-missing",
    ),
    pytest.param(
        ["130105009001", "甲社区", "社区", "130105009", "", ""],
        RowError(
            2,
            "上级编码",
            "130105009",
            "No region has the code 130105009, neither in this file nor in the tree",
        ),
        id="parent-unknown",
    ),
    pytest.param(
        ["130105001001001009", "甲网格", "网格", "130105001001001", "", ""],
        RowError(2, "层级", "网格", "A 网格 cannot sit under a 网格"),
        id="level-under-parent",
    ),
    pytest.param(
        ["130105001", "古楼街道", "社区", "130105", "", ""],
        RowError(
            2,
            "层级",
            "社区",
            "古楼街道 (130105001) is a 街道: import cannot change the level of a region",
        ),
        id="level-of-existing",
    ),
    pytest.param(
        ["130105003", "甲街道", "街道", "130105003", "", ""],
        RowError(2, "上级编码", "130105003", "A region cannot be its own parent"),
        id="own-parent",
    ),
    pytest.param(
        ["130105", "新华区", "区", "130105001", "", ""],
        RowError(2, "上级编码", "130105001", "The top of the tree cannot be moved"),
        id="move-root",
    ),
    pytest.param(
        ["130105001001", "湖北社区", "社区", "130105001001001", "", ""],
        RowError(
            2, "上级编码", "130105001001001", "A node cannot move under itself or its own subtree"
        ),
        id="move-under-own-child",
    ),
    pytest.param(
        ["130105003", "甲街道", "街道", "130105", "city", ""],
        RowError(
            2,
            "社区类型",
            "city",
            "There is no community type “city”; the types are Urban-rural fringe、Old town、"
            "Without a property company、Gated high-end compound、Ordinary residential",
        ),
        id="community-type",
    ),
    pytest.param(
        ["130105003", "甲街道", "街道", "130105", "", "{not json"],
        RowError(
            2,
            "边界",
            "{not json",
            "The boundary is not valid GeoJSON: Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1)",
        ),
        id="boundary-json",
    ),
    pytest.param(
        [
            "130105003",
            "甲街道",
            "街道",
            "130105",
            "",
            '{"type": "Point", "coordinates": [116, 39]}',
        ],
        RowError(
            2,
            "边界",
            '{"type": "Point", "coordinates": [116, 39]}',
            "The boundary must be a GeoJSON Polygon or MultiPolygon, not Point",
        ),
        id="boundary-type",
    ),
    pytest.param(
        [
            "130105003",
            "甲街道",
            "街道",
            "130105",
            "",
            '{"type":"Polygon","coordinates":[[[39,116],[39.1,116],[39.1,116.1],[39,116]]]}',
        ],
        RowError(
            2,
            "边界",
            '{"type":"Polygon","coordinates":[[[39,116],[39.1,116],[39.1,116.1],[39,116]]]}',
            "The latitude 116 is outside -90 to 90 (GeoJSON puts the longitude first)",
        ),
        id="boundary-latitude",
    ),
    pytest.param(
        [
            "130105003",
            "甲街道",
            "街道",
            "130105",
            "",
            '{"type":"Polygon","coordinates":[[[190,39],[116,39.1],[116.1,39.1],[190,39]]]}',
        ],
        RowError(
            2,
            "边界",
            '{"type":"Polygon","coordinates":[[[190,39],[116,39.1],[116.1,39.1],[190,39]]]}',
            "The longitude 190 is outside -180 to 180",
        ),
        id="boundary-longitude",
    ),
    pytest.param(
        [
            "130105003",
            "甲街道",
            "街道",
            "130105",
            "",
            '{"type":"Polygon","coordinates":[[[116,39],[116,39.1],[116.1,39.1],[116.2,39]]]}',
        ],
        RowError(
            2,
            "边界",
            '{"type":"Polygon","coordinates":[[[116,39],[116,39.1],[116.1,39.1],[116.2,39]]]}',
            "A ring of a boundary must end at the position where it starts",
        ),
        id="boundary-open-ring",
    ),
    pytest.param(
        [
            "130105003",
            "甲街道",
            "街道",
            "130105",
            "",
            '{"type":"Polygon","coordinates":[[[116,39],[116,39.1],[116,39]]]}',
        ],
        RowError(
            2,
            "边界",
            '{"type":"Polygon","coordinates":[[[116,39],[116,39.1],[116,39]]]}',
            "Each ring of a boundary needs at least 4 positions, the last equal to the first",
        ),
        id="boundary-short-ring",
    ),
    pytest.param(
        ["130106", "另一区", "区", "", "", ""],
        RowError(2, "上级编码", "", "Only a system import may add a region at the top of the tree"),
        id="new-root-by-a-user",
    ),
]


@pytest.mark.parametrize(("row", "error"), RULES)
def test_each_rule_reports_its_row_and_column(
    world: World, row: list[Any], error: RowError
) -> None:
    assert refused(world.users["admin"], xlsx(row)) == [error]


def test_a_code_twice_in_the_file(world: World) -> None:
    file = xlsx(
        ["130105003", "甲街道", "街道", "130105", "", ""],
        ["130105003", "乙街道", "街道", "130105", "", ""],
    )
    assert refused(world.users["admin"], file) == [
        RowError(3, "编码", "130105003", "The code 130105003 is already on row 2")
    ]


def test_every_bad_row_is_reported_in_row_order(world: World) -> None:
    # Children of a bad row are still checked; the bad parent is reported once.
    file = xlsx(
        ["130105003001", "甲社区", "社区", "130105003", "", ""],
        ["130105003", "甲街道", "街道", "130106", "", ""],
        ["130105004", "乙街道", "乡镇", "130105", "", ""],
        ["130105005", "", "街道", "130105", "", ""],
    )
    assert refused(world.users["admin"], file) == [
        RowError(
            3,
            "上级编码",
            "130106",
            "No region has the code 130106, neither in this file nor in the tree",
        ),
        RowError(
            4,
            "层级",
            "乡镇",
            "There is no level “乡镇”; the levels are 区、街道、社区、网格、三级网格、四级网格",
        ),
        RowError(5, "名称", "", "Enter the name"),
    ]


def test_a_missing_column(world: World) -> None:
    file = xlsx(["130105003", "甲街道", "街道"], header=["编码", "名称", "层级"])
    assert refused(world.users["admin"], file) == [
        RowError(1, "Parent code", "", "The column “Parent code” is missing")
    ]


def test_an_administrator_of_one_street_stays_in_it(world: World) -> None:
    # Given a region administrator whose role sits at one street
    admin = staff(Role.DISTRICT_ADMIN, world.street)
    # When the file adds a community to the other street, renames that street and moves a grid
    # of theirs into the other street's community
    file = xlsx(
        ["130105002002", "新社区", "社区", "130105002", "", ""],
        ["130105002", "新区街道改名", "街道", "130105", "", ""],
        ["130105001001001", "湖北一网格", "网格", "130105002001", "", ""],
    )
    # Then each row is refused on its own
    assert refused(admin, file) == [
        RowError(
            2, "上级编码", "130105002", "You may not add or move regions under 新区街道 (130105002)"
        ),
        RowError(
            3,
            "编码",
            "130105002",
            "新区街道 (130105002) is outside the part of the tree you manage",
        ),
        RowError(
            4,
            "上级编码",
            "130105002001",
            "You may not add or move regions under 御苑社区 (130105002001)",
        ),
    ]


def test_geojson_errors_name_the_feature_and_property(world: World) -> None:
    file = geojson(
        feature(SQUARE, code="130105001003", name="甲社区", level="社区", parent_code="130105001"),
        {"type": "Point"},
        feature(
            {"type": "LineString", "coordinates": [[116, 39], [116.1, 39]]},
            code="130105001004",
            name="乙社区",
            level="社区",
            parent_code="130105001",
        ),
    )
    assert refused(world.users["admin"], file, "a.geojson") == [
        RowError(2, "", "", "This item is not a GeoJSON Feature"),
        RowError(
            3,
            "geometry",
            '{"type": "LineString", "coordinates": [[116, 39], [116.1, 39]]}',
            "The boundary must be a GeoJSON Polygon or MultiPolygon, not LineString",
        ),
    ]


def test_files_that_cannot_be_read(world: World) -> None:
    assert refused(world.users["admin"], io.BytesIO(b"[1, 2]"), "a.geojson") == [
        RowError(0, "", "", "A GeoJSON file of regions holds one FeatureCollection")
    ]
    assert refused(world.users["admin"], xlsx(), "a.xlsx") == [
        RowError(0, "", "", "The file has no regions in it")
    ]


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
