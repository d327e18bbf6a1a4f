"""The search page's statements: the scope in one, the page chosen before its rows are joined,
the capped count in no order; prefixes at their boundaries; and, on PostgreSQL, a plan that
joins one page of rows however wrong the planner's estimate of a prefix is, and an address
that lists its dwellings first."""

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.people import search
from shequ.people.models import Building, Dwelling, Person
from shequ.people.search import person_search, search_page
from shequ.people.selectors import PersonFilters
from shequ.people.tests.test_search import add
from shequ.regions.scoping import forget_scope
from shequ.regions.tests.factories import World

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner and SQL"
)


def page_statements(user: object, query: str, number: int = 1) -> list[str]:
    """The statements of one search of the list page, the user's scope read afresh."""
    forget_scope(user)
    with CaptureQueriesContext(connection) as captured:
        search_page(person_search(user, query=query), number)
    return [entry["sql"] for entry in captured.captured_queries]


def test_a_search_reads_the_scope_in_one_statement(world: World) -> None:
    for index in range(30):
        add(world, f"张{index:02d}")
    for role in ("admin", "street", "gridworker"):
        statements = page_statements(world.users[role], "张")
        # The assignments, the region ids with the size of the tree, the page, the count.
        assert len(statements) == 4, (role, statements)
        assert "COUNT(*)" in statements[1] and '"regions_region"' in statements[1]


def test_the_page_is_chosen_before_its_rows_are_joined(world: World) -> None:
    for index in range(30):
        add(world, f"张{index:02d}")
    for role in ("admin", "street", "gridworker"):
        page = page_statements(world.users[role], "张")[2]
        outer, chosen = page.split(" IN (SELECT ", 1)
        assert "JOIN" in outer and "JOIN" not in chosen, page
        assert "LIMIT 26" in chosen, page


def test_the_capped_count_is_of_ids_in_no_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COUNT_LIMIT", 5)
    for index in range(8):
        add(world, f"张{index:02d}")
    admin = world.users["admin"]
    page = search_page(person_search(admin, query="张"), 1, size=3)
    assert [p.name for p in page.rows] == ["张00", "张01", "张02"]
    assert (page.count, page.count_capped, page.has_next) == (5, True, True)
    count = page_statements(admin, "张", 2)[-1]
    assert count.startswith("SELECT COUNT(*)") and "ORDER BY" not in count
    assert "LIMIT 6" in count


def test_pages_follow_the_order_of_the_key_then_id(world: World) -> None:
    made = [add(world, name) for name in ("张b", "张a", "张a", "张c", "张a", "张")]
    admin = world.users["admin"]
    expected = [p.pk for p in sorted(made, key=lambda p: (p.name, p.pk))]
    pages = [search_page(person_search(admin, query="张"), n, size=2) for n in (1, 2, 3, 4)]
    assert [[p.pk for p in page.rows] for page in pages] == [
        expected[0:2],
        expected[2:4],
        expected[4:6],
        [],
    ]
    assert [(page.count, page.has_next) for page in pages[:3]] == [(6, True), (6, True), (6, False)]
    # The rows carry what the page shows, read with them.
    assert pages[0].rows[0].region.name == world.grid.name


def test_address_pages_in_dwelling_order(world: World) -> None:
    building = Building.objects.create(
        region=world.grid, name="1号楼", address="新华区幸福路12号1号楼"
    )
    first, second = (
        Dwelling.objects.create(
            building=building, region=world.grid, unit=1, floor=1, number=number, use="owner"
        )
        for number in ("101", "102")
    )
    # Registered out of dwelling order: the page sorts by dwelling, then id.
    made = [
        add(world, name, dwelling=d) for name, d in (("甲", second), ("乙", first), ("丙", second))
    ]
    grid_worker = world.users["gridworker"]
    pages = [search_page(person_search(grid_worker, query="幸福路12号"), n, size=2) for n in (1, 2)]
    assert [p.name for page in pages for p in page.rows] == ["乙", "甲", "丙"]
    assert [p.dwelling and p.dwelling.number for p in pages[0].rows] == ["101", "102"]
    assert (pages[1].count, pages[1].has_next, len(made)) == (3, False, 3)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("张", ["张", "张伟", "张𠮷", "张\U0010fffd"]),
        ("张伟", ["张伟"]),
        ("𠮷", ["𠮷田"]),
        ("zw", ["张伟"]),
        ("zhang", ["张", "张伟", "张𠮷", "张\U0010fffd"]),
    ],
)
def test_prefixes_at_their_boundaries(world: World, query: str, found: list[str]) -> None:
    """A prefix finds the key itself and keys that go on with any character, even the highest
    ones, and nothing that begins with the next character (弡 follows 张 in code points)."""
    for name in ("张", "张伟", "张𠮷", "张\U0010fffd", "弡", "𠮷田", "𠮸"):
        add(world, name)
    assert [p.name for p in person_search(world.users["admin"], query=query)] == found


@postgresql_only
def test_a_misestimated_prefix_joins_one_page_of_rows(world: World) -> None:
    """PostgreSQL estimates a one-character prefix range from its histogram and can be wrong by
    orders of magnitude (a handful of rows for a surname 8,000 persons bear). Chosen on the
    person table first, the page joins 26 rows to their grid and dwelling whatever the
    estimate; joined in one statement, every match was joined and sorted."""
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    numbers = itertools.count(1)
    rows = []
    for surname, first, second in itertools.product(surnames + "邓" * 10, given, given[:6]):
        rows.append(_bulk_person(world, next(numbers), name=surname + first + second))
    Person.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
    user = world.users["street"]
    forget_scope(user)
    persons = person_search(user, filters=PersonFilters(q="邓"))
    with CaptureQueriesContext(connection) as captured:
        page = search_page(persons)
    assert len(page.rows) == 25 and page.count_capped
    statement = next(q["sql"] for q in captured.captured_queries if "JOIN" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    joined = [
        node["Actual Rows"]
        for node in _nodes(plan[0]["Plan"])
        if "Join" in node["Node Type"] or node["Node Type"] == "Nested Loop"
    ]
    assert joined and max(joined) <= 26, plan


@postgresql_only
def test_an_address_lists_its_dwellings_first_on_postgresql(world: World) -> None:
    """On PostgreSQL the dwellings of the matching buildings are listed once (`= ANY(ARRAY(
    SELECT ...))`, in no order of their own) and the person index is read for them in dwelling
    order, as SQLite reads `IN (SELECT ...)`: never a walk of the person table in dwelling order
    from its start."""
    building = Building.objects.create(region=world.grid, name="1号楼", address="幸福路12号1号楼")
    dwelling = Dwelling.objects.create(
        building=building, region=world.grid, unit=1, floor=1, number="101", use="owner"
    )
    add(world, "甲", dwelling=dwelling)
    page = page_statements(world.users["street"], "幸福路12号")[-1]
    listed = _parenthesised(
        page, page.index('"dwelling_id" = ANY(ARRAY(SELECT') + len('"dwelling_id" = ANY(')
    )
    assert listed.startswith("ARRAY(SELECT") and "ORDER BY" not in listed, page
    assert [p.name for p in person_search(world.users["street"], query="幸福路12号")] == ["甲"]


def _bulk_person(world: World, number: int, **fields: object) -> Person:
    """A bare person row for a planner test (no sealed values, no audit)."""
    values: dict[str, object] = {
        "region": world.grid,
        "name": f"甲{number}",
        "name_pinyin": f"p{number}",
        "name_initials": "p",
        "gender": "m",
        "birth_date": dt.date(1980, 1, 1),
        "id_number_enc": "-",
        "id_number_hash": f"bulk-{number}",
        "id_number_masked": "-",
        "registration_place": "-",
        **fields,
    }
    return Person(**values)


def _nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


def _parenthesised(sql: str, start: int) -> str:
    """The text from `start` to the parenthesis that closes the first one opened after it."""
    depth = 0
    for index in range(sql.index("(", start), len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[index], 0)
        if depth == 0:
            return sql[start : index + 1]
    raise AssertionError(f"unbalanced: {sql}")
