"""One test per validation rule of the register import: every bad cell is reported, by row and
column, and nothing is written."""

from __future__ import annotations

import io
from typing import Any

import pytest

from shequ.lib import crypto
from shequ.lib.idnumbers import IdentityError, parse_identity
from shequ.people.importing.engine import Outcome, register_import
from shequ.people.models import Building, Dwelling, DwellingUse, Household, Person
from shequ.people.tests.import_builders import as_csv, as_xlsx, id_number, person_row
from shequ.regions.tests.factories import World, make_region

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def run(
    world: World, rows: list[dict[str, Any]], *, node: Any = None, xlsx: bool = False
) -> Outcome:
    data = as_xlsx(rows) if xlsx else as_csv(rows)
    return register_import(
        actor=world.users["director"],
        kind="persons",
        node=node or world.community,
        file=io.BytesIO(data),
        filename="people.xlsx" if xlsx else "people.csv",
    )


def problems(outcome: Outcome) -> list[tuple[int, str, str]]:
    """(row, column header, reason) of each problem."""
    assert not outcome.ok
    assert Person.objects.count() == 0
    return [
        (row, column, message) for row, column, _letter, _value, message in outcome.first_errors
    ]


def test_a_clean_file_imports(world: World) -> None:
    outcome = run(world, [person_row(i, world.grid.code) for i in range(3)])
    assert outcome.ok and outcome.counts.created == 3
    assert Person.objects.count() == 3


@pytest.mark.parametrize(
    "bad", ["11010519800501001", "110105198005010011", "1101051980A501001X", "110105198013010011"]
)
def test_identity_number_with_the_libraries_exact_message(world: World, bad: str) -> None:
    with pytest.raises(IdentityError) as expected:
        parse_identity(bad)
    outcome = run(world, [person_row(1, world.grid.code, 身份证号=bad)])
    assert problems(outcome) == [(2, "身份证号", str(expected.value))]
    # The report shows the number masked: first 6 and last 4.
    assert outcome.first_errors[0][3].startswith("110105*")


def test_every_bad_cell_of_a_row_is_reported(world: World) -> None:
    row = person_row(
        1, world.grid.code, 姓名="", 联系电话="12345", 居住状态="外星", 出生日期="2023-02-30"
    )
    found = problems(run(world, [row]))
    assert [column for _row, column, _m in found] == ["姓名", "出生日期", "联系电话", "居住状态"]
    assert found[0][2] == "This column must be filled in"
    assert found[1][2] == "“2023-02-30” is not a real date: 2023-02 has no day 30"
    assert found[2][2] == "A mobile number should have 11 digits, not 5"
    assert found[3][2].startswith("“外星” is not one of 户籍、常住、流动")


def test_gender_and_birth_date_must_agree_with_the_number(world: World) -> None:
    row = person_row(1, world.grid.code, 性别="女", 出生日期="1999-01-01")
    assert problems(run(world, [row])) == [
        (2, "性别", "The identity number gives the gender Male"),
        (2, "出生日期", "The identity number gives the birth date 1950-01-02"),
    ]


@pytest.mark.parametrize(
    "typed", ["1950年1月2日", "1950/1/2", "1950-01-02", "19500102", "1950.1.2"]
)
def test_dates_in_the_forms_people_type(world: World, typed: str) -> None:
    assert run(world, [person_row(1, world.grid.code, 出生日期=typed)]).ok


def test_excel_date_cells(world: World) -> None:
    import datetime as dt

    row = person_row(
        1, world.grid.code, 出生日期=dt.datetime(1950, 1, 2), 居住状态="流动",
        居住证号="JZ-1", 居住证有效期至=dt.date(2030, 5, 1),
    )  # fmt: skip
    assert run(world, [row], xlsx=True).ok
    assert str(Person.objects.get().residence_permit_expiry) == "2030-05-01"


def test_residence_permit_rules(world: World) -> None:
    rows = [
        person_row(1, world.grid.code, 居住证号="JZ-1", 居住证有效期至="2030-01-01"),
        person_row(2, world.grid.code, 居住状态="流动", 居住证号="JZ-2"),
        person_row(3, world.grid.code, 居住状态="常住", 居住证有效期至="2030-01-01"),
    ]
    assert problems(run(world, rows)) == [
        (
            2,
            "居住证号",
            "A person registered here (户籍) holds no residence permit: clear the permit fields",
        ),
        (3, "居住证有效期至", "Enter the permit's expiry date"),
        (4, "居住证号", "Enter the permit number"),
    ]


def test_required_columns_missing_from_the_header(world: World) -> None:
    data = as_csv([{"姓名": "王伟"}], header=["姓名"])
    outcome = register_import(
        actor=None, kind="persons", node=world.community, file=io.BytesIO(data), filename="a.csv"
    )
    messages = [message for *_rest, message in outcome.first_errors]
    assert "The column “Identity number” is missing" in messages
    assert "The column “Grid (code or name)” is missing" in messages


def test_duplicate_identity_numbers_within_the_file(world: World) -> None:
    rows = [person_row(1, world.grid.code), person_row(2, world.grid.code)]
    rows[1].update({key: rows[0][key] for key in ("身份证号", "出生日期")})
    assert problems(run(world, rows)) == [
        (3, "身份证号", "This identity number is already on row 2")
    ]


def test_a_person_registered_outside_the_node_is_refused(world: World) -> None:
    assert run(world, [person_row(1, world.grid.code)]).ok
    Person.objects.update(region=world.sibling)
    found = problems_keeping(run(world, [person_row(1, world.grid.code)], node=world.grid))
    assert [(row, column) for row, column, _m in found] == [(2, "身份证号")]
    assert "outside the node chosen for this import" in found[0][2]


def problems_keeping(outcome: Outcome) -> list[tuple[int, str, str]]:
    assert not outcome.ok
    return [
        (row, column, message) for row, column, _letter, _value, message in outcome.first_errors
    ]


def test_region_by_code_or_name_and_ambiguous_names(world: World) -> None:
    make_region("130105001001009", "湖北一网格", "grid", world.community)  # a second of that name
    rows = [
        person_row(1, world.sibling.name),
        person_row(2, "湖北一网格"),
        person_row(3, "不存在网格"),
        person_row(4, "130105001002001"),  # a grid of the other community
    ]
    found = problems(run(world, rows))
    assert found[0] == (
        3, "网格",
        "Several regions are named “湖北一网格” (codes 130105001001001、130105001001009): write the code instead",
    )  # fmt: skip
    assert found[1] == (4, "网格", "No region within 湖北社区 has the code or name “不存在网格”")
    assert found[2][0] == 5 and "outside 湖北社区" in found[2][2]


def test_a_row_in_a_grid_outside_the_users_scope_is_refused(world: World) -> None:
    outcome = register_import(
        actor=world.users["gridworker"],
        kind="persons",
        node=world.grid,
        file=io.BytesIO(as_csv([person_row(1, world.sibling.code)])),
        filename="a.csv",
    )
    assert "outside 湖北一网格" in problems(outcome)[0][2]


def test_household_rules(world: World) -> None:
    grid = world.grid.code
    rows = [
        person_row(1, grid, 户号="H1"),
        person_row(2, grid, 户号="H1"),  # a second head
        person_row(3, world.sibling.code, 户号="H1", 与户主关系="子女"),  # another grid
        person_row(4, grid, 户号="H2", 与户主关系="配偶"),  # no head anywhere
        person_row(5, grid, 户号="H3", 与户主关系=""),  # relation missing
        person_row(6, grid, 户号="", 与户主关系="子女"),  # household missing
        person_row(7, grid, 户号="H4", 与户主关系="表亲"),  # unknown relation
    ]
    found = problems(run(world, rows))
    assert (3, "与户主关系", "Household H1 already has a head on row 2") in found
    assert (4, "网格", "All members of household H1 must be in the grid of its head") in found
    assert (5, "户号", "Household H2 has no head (户主) in this file or in the register") in found
    assert any(row == 6 and column == "与户主关系" for row, column, _m in found)
    assert (7, "户号", "A relation to the head needs a household number") in found
    assert any(
        row == 8 and message.startswith("“表亲” is not one of") for row, _c, message in found
    )


def test_a_member_joins_a_household_already_in_the_register(world: World) -> None:
    assert run(world, [person_row(1, world.grid.code, 户号="H1")]).ok
    outcome = run(world, [person_row(2, world.grid.code, 户号="H1", 与户主关系="配偶")])
    assert outcome.ok
    assert Household.objects.count() == 1
    assert Household.objects.get().members.count() == 2


def test_dwelling_by_address_unit_and_number(world: World) -> None:
    building = Building.objects.create(
        region=world.grid, name="1号楼", address="湖北路1号", units=2
    )
    dwelling = Dwelling.objects.create(
        building=building, region=world.grid, unit=2, floor=3, number="302", use=DwellingUse.OWNER
    )
    rows = [
        person_row(1, world.grid.code, 楼栋地址="湖北路1号", 单元="2", 房号="302"),
        person_row(2, world.grid.code, 楼栋地址="湖北路1号", 单元="1", 房号="999"),
        person_row(3, world.grid.code, 楼栋地址="湖北路1号"),
    ]
    found = problems(run(world, rows))
    assert [(row, column) for row, column, _m in found] == [(3, "房号"), (4, "房号")]
    assert run(world, rows[:1]).ok
    person = Person.objects.get()
    assert person.household is not None
    assert person.dwelling == dwelling and person.household.dwelling == dwelling


def test_identity_numbers_for_the_report_are_masked_and_gbk_is_read(world: World) -> None:
    rows = [person_row(1, world.grid.code, 联系电话="139123")]
    data = as_csv(rows, encoding="gb18030")
    outcome = register_import(
        actor=None, kind="persons", node=world.community, file=io.BytesIO(data), filename="a.csv"
    )
    assert outcome.first_errors[0][1:4] == ("联系电话", "G", "******")  # too short to show digits
    outcome = run(world, [person_row(1, world.grid.code, 身份证号=id_number(1)[:17] + "0")])
    assert outcome.first_errors[0][3] == id_number(1)[:6] + "********" + id_number(1)[14:17] + "0"


@pytest.mark.parametrize("pool", [0, 2])
def test_a_long_file_checked_in_worker_processes_reports_the_same(
    world: World, monkeypatch: pytest.MonkeyPatch, pool: int
) -> None:
    from shequ.people.importing import workers

    # Given a producer process from the second chunk of 1,000 rows on, preparing the rows
    # itself (two cores) or with a pool of two workers, whatever the machine
    monkeypatch.setattr(workers, "PARALLEL_ROWS", 1000)
    monkeypatch.setattr(workers, "pool_size", lambda: pool)
    rows = [person_row(i, world.grid.code) for i in range(2500)]
    rows[1500]["身份证号"] = "110105198013010011"
    rows[2000]["网格"] = "不存在网格"  # a grid only the main process can explain
    rows[2200].update({key: rows[1200][key] for key in ("身份证号", "出生日期")})
    # When it is imported, then every problem is found, in file order, and nothing written
    found = problems(run(world, rows))
    with pytest.raises(IdentityError) as expected:
        parse_identity("110105198013010011")
    assert found == [
        (1502, "身份证号", str(expected.value)),
        (2002, "网格", "No region within 湖北社区 has the code or name “不存在网格”"),
        (2202, "身份证号", "This identity number is already on row 1202"),
    ]
    # And the clean file is written whole, sealed as the process itself seals
    clean = [person_row(i, world.grid.code) for i in range(2500)]
    outcome = run(world, clean, xlsx=True)
    assert outcome.ok and outcome.counts.created == 2500
    last = Person.objects.get(name=clean[-1]["姓名"])
    assert crypto.decrypt(last.id_number_enc) == clean[-1]["身份证号"]
    assert last.phone_hash == crypto.keyed_hash(clean[-1]["联系电话"])
    assert last.name_pinyin


def test_a_file_that_breaks_off_in_the_reading_process_is_reported(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shequ.people.importing import workers

    # Given a UTF-8 file whose bytes stop being text far beyond the part that decided its
    # encoding
    content = as_csv([person_row(i, world.grid.code) for i in range(2500)])
    cut = content.index(b"H002000")
    content = content[:cut] + b"\xff\xfe" + content[cut:]

    def imported() -> Outcome:
        return register_import(
            actor=None, kind="persons", node=world.community,
            file=io.BytesIO(content), filename="people.csv",
        )  # fmt: skip

    # When it is read in the process itself, and by a producer process
    alone = imported()
    monkeypatch.setattr(workers, "PARALLEL_ROWS", 1000)
    monkeypatch.setattr(workers, "pool_size", lambda: 0)
    produced = imported()
    # Then both report the break at the same row (where the reader found it), nothing else,
    # and nothing is written
    assert not produced.ok and produced.first_errors == alone.first_errors
    assert len(alone.first_errors) == 1 and alone.first_errors[0][0] > 1000
    assert "UTF-8" in alone.first_errors[0][4]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
