"""The registers of places through the import: buildings, dwellings and tenancies."""

from __future__ import annotations

import io
from typing import Any

import pytest

from shequ.people.importing.engine import Outcome, register_import
from shequ.people.models import Building, Dwelling, Tenancy
from shequ.people.tests.import_builders import as_csv, as_xlsx, person_row
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]

BUILDINGS = ["楼栋名称", "地址", "层数", "单元数", "网格"]
DWELLINGS = ["楼栋地址", "单元", "楼层", "房号", "面积", "用途", "网格"]
TENANCIES = ["楼栋地址", "单元", "房号", "房东身份证号", "房东姓名", "租户身份证号", "起租日期", "止租日期", "登记备案日期"]  # fmt: skip


def run(world: World, kind: str, rows: list[dict[str, Any]], header: list[str]) -> Outcome:
    return register_import(
        actor=world.users["director"], kind=kind, node=world.community,
        file=io.BytesIO(as_csv(rows, header=header)), filename=f"{kind}.csv",
    )  # fmt: skip


def errors(outcome: Outcome) -> list[tuple[int, str, str]]:
    return [(row, column, message) for row, column, _l, _v, message in outcome.first_errors]


@pytest.fixture
def buildings(world: World) -> list[dict[str, Any]]:
    rows = [
        {
            "楼栋名称": "1号楼",
            "地址": "湖北路1号",
            "层数": "6",
            "单元数": "2",
            "网格": world.grid.code,
        },
        {"楼栋名称": "", "地址": "湖北路3号", "层数": "", "单元数": "", "网格": world.sibling.name},
    ]
    assert run(world, "buildings", rows, BUILDINGS).counts.created == 2
    return rows


def test_buildings_are_created_then_matched_by_address(
    world: World, buildings: list[dict[str, Any]]
) -> None:
    second = Building.objects.get(address="湖北路3号")
    assert (second.name, second.floors, second.units, second.region) == (
        "湖北路3号",
        6,
        1,
        world.sibling,
    )
    assert run(world, "buildings", buildings, BUILDINGS).counts.unchanged == 2
    buildings[0]["层数"] = "7"
    buildings[1]["层数"] = "七"
    assert errors(run(world, "buildings", buildings, BUILDINGS)) == [
        (3, "层数", "Enter a whole number from 1 to 200")
    ]
    outcome = run(world, "buildings", buildings[:1], BUILDINGS)
    assert outcome.counts.updated == 1 and Building.objects.get(address="湖北路1号").floors == 7
    assert Building.objects.count() == 2


def test_dwellings_need_their_building_and_a_unit_it_has(
    world: World, buildings: list[dict[str, Any]]
) -> None:
    rows = [
        {
            "楼栋地址": "湖北路1号",
            "单元": "2",
            "楼层": "3",
            "房号": "302",
            "面积": "89.5",
            "用途": "出租",
        },
        {"楼栋地址": "湖北路1号", "单元": "3", "楼层": "3", "房号": "303", "用途": "自住"},
        {"楼栋地址": "湖北路9号", "单元": "1", "楼层": "1", "房号": "101", "用途": "自住"},
        {"楼栋地址": "湖北路1号", "单元": "2", "楼层": "", "房号": "302", "用途": "仓库"},
    ]
    found = errors(run(world, "dwellings", rows, DWELLINGS))
    assert (3, "单元", "The building has 2 units") in found
    assert any(row == 4 and column == "楼栋地址" for row, column, _m in found)
    assert (5, "楼层", "This column must be filled in") in found
    assert (5, "房号", "The same record is already on row 2") in found
    assert any(row == 5 and column == "用途" for row, column, _m in found)
    assert Dwelling.objects.count() == 0
    assert run(world, "dwellings", rows[:1], DWELLINGS).counts.created == 1
    dwelling = Dwelling.objects.get()
    assert (str(dwelling.area), dwelling.use, dwelling.region) == ("89.50", "rented", world.grid)
    assert run(world, "dwellings", rows[:1], DWELLINGS).counts.unchanged == 1


def test_tenancies_link_persons_of_the_register(
    world: World, buildings: list[dict[str, Any]]
) -> None:
    run(
        world,
        "dwellings",
        [{"楼栋地址": "湖北路1号", "单元": "1", "楼层": "1", "房号": "101", "用途": "出租"}],
        DWELLINGS,
    )
    people = [person_row(i, world.grid.code) for i in range(3)]
    assert register_import(
        actor=None,
        kind="persons",
        node=world.community,
        file=io.BytesIO(as_xlsx(people)),
        filename="p.xlsx",
    ).ok
    ids = [row["身份证号"] for row in people]
    row = {
        "楼栋地址": "湖北路1号", "单元": "1", "房号": "101", "房东身份证号": ids[0],
        "租户身份证号": f"{ids[1]}、{ids[2]}", "起租日期": "2024年3月1日", "止租日期": "2025/2/28",
        "登记备案日期": "20240315",
    }  # fmt: skip
    unknown = {**row, "租户身份证号": "11010519491231002X", "止租日期": "2023-01-01"}
    found = errors(run(world, "tenancies", [unknown], TENANCIES))
    assert found == [
        (2, "止租日期", "The end is before the start"),
        (
            2,
            "租户身份证号",
            "No person with this identity number is in the register within the chosen node",
        ),
    ]
    assert run(world, "tenancies", [row], TENANCIES).counts.created == 1
    tenancy = Tenancy.objects.get()
    assert tenancy.landlord is not None and tenancy.landlord.name == people[0]["姓名"]
    assert sorted(t.name for t in tenancy.tenants.all()) == sorted(
        [people[1]["姓名"], people[2]["姓名"]]
    )
    assert (str(tenancy.starts_on), str(tenancy.registered_on)) == ("2024-03-01", "2024-03-15")
    assert run(world, "tenancies", [row], TENANCIES).counts.unchanged == 1
    changed = run(world, "tenancies", [{**row, "止租日期": "2026-02-28"}], TENANCIES)
    assert changed.counts.updated == 1 and Tenancy.objects.count() == 1
