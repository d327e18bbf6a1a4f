"""Importing the region tree: every validation rule, reported by row and column, all or nothing."""

import io
from typing import Any

import pytest

from shequ.lib.tabular import RowError
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff
from shequ.regions.tests.files import SQUARE, feature, geojson, refused, xlsx

# These tests assert the English source wording.
pytestmark = pytest.mark.english


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
