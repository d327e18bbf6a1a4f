"""The one search box: every kind of search, the scope, the filters, the page and the API."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shequ.lib.idnumbers import check_char
from shequ.people.models import Building, CareTag, Dwelling, Person, ResidenceStatus
from shequ.people.search import person_search, search_page
from shequ.people.selectors import Kind, PersonFilters, classify
from shequ.people.services import person_create
from shequ.regions.models import Region
from shequ.regions.tests.factories import World
from shequ.workdays.calendar import today

_sequence = itertools.count(101)


def identity(birth: str = "19800101", tail: str = "") -> str:
    """A valid identity number born on `birth`; with `tail`, one ending in those characters."""
    for _attempt in range(2000):
        first17 = f"110105{birth}{next(_sequence) % 1000:03d}"
        number = first17 + check_char(first17)
        if number.endswith(tail):
            return number
    raise AssertionError(f"no number ends in {tail}")


def add(world: World, name: str, region: Region | None = None, **kwargs: object) -> Person:
    kwargs.setdefault("id_number", identity())
    return person_create(
        actor=world.users["admin"],
        region=region or world.grid,
        name=name,
        **kwargs,  # type: ignore[arg-type]
    )


def names(user: object, query: str = "", **filters: object) -> list[str]:
    found = person_search(user, filters=PersonFilters(q=query, **filters))  # type: ignore[arg-type]
    return [p.name for p in found]


def test_classify_understands_each_kind() -> None:
    assert classify("张") == classify(" 张 ")
    assert classify("张伟").kind == Kind.NAME
    assert classify("𠮷").kind == Kind.NAME
    assert classify("阿依古丽•买买提").value == "阿依古丽·买买提"
    assert classify("zhangwei").kind == Kind.PINYIN
    assert classify("Zhang Wei").value == "zhangwei"
    assert classify("zw").kind == Kind.INITIALS
    assert classify("1234").kind == Kind.ID_TAIL
    assert classify("12345x").value == "12345X"
    assert classify("138 1234 5678").value == "13812345678"
    assert classify("+86 138-1234-5678").value == "13812345678"
    assert classify("11010519491231002x").kind == Kind.ID_NUMBER
    assert classify("幸福路12号3单元301").unit == 3
    assert classify("幸福路12号3单元301").room == "301"
    assert classify("幸福路").kind == Kind.ADDRESS
    assert classify("1234567").kind == Kind.UNKNOWN
    assert classify("").kind == Kind.NONE


def test_name_prefix_with_rare_characters_and_middle_dots(world: World) -> None:
    add(world, "张伟")
    add(world, "张伟强")
    add(world, "张三")
    add(world, "𠮷田")
    add(world, "阿依古丽·买买提")
    add(world, "弓长")
    admin = world.users["admin"]
    assert names(admin, "张") == ["张三", "张伟", "张伟强"]
    assert names(admin, "张伟") == ["张伟", "张伟强"]
    assert names(admin, "𠮷") == ["𠮷田"]
    assert names(admin, "阿依古丽·") == ["阿依古丽·买买提"]
    assert names(admin, "阿依古丽・买") == ["阿依古丽·买买提"]


def test_pinyin_full_and_initials(world: World) -> None:
    add(world, "张伟")
    add(world, "赵文")
    add(world, "王芳")
    admin = world.users["admin"]
    assert names(admin, "zw") == ["张伟", "赵文"]
    assert names(admin, "zhangwei") == ["张伟"]
    assert names(admin, "zhang wei") == ["张伟"]
    assert names(admin, "ZHAO") == ["赵文"]
    assert names(admin, "wf") == ["王芳"]


def test_last_digits_of_the_identity_number(world: World) -> None:
    ending_x = add(world, "甲", id_number=identity(tail="X"))
    other = add(world, "乙")
    admin = world.users["admin"]
    number_x = Person.objects.get(pk=ending_x.pk).id_number_masked
    assert names(admin, number_x[-4:].lower()) == ["甲"]
    # Five and six characters: the fifth and sixth are checked on the opened number.
    from shequ.lib import crypto

    full = crypto.decrypt(Person.objects.get(pk=other.pk).id_number_enc)
    assert names(admin, full[-6:]) == ["乙"]
    assert names(admin, full[-5:]) == ["乙"]
    wrong_sixth = str((int(full[-6]) + 1) % 10) + full[-5:]
    assert names(admin, wrong_sixth) == []
    assert names(admin, full) == ["乙"]


def test_phone_in_any_writing(world: World) -> None:
    add(world, "张伟", phone="13812345678")
    add(world, "李四", phone="020-81234567")
    admin = world.users["admin"]
    for typed in ("13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678"):
        assert names(admin, typed) == ["张伟"], typed
    assert names(admin, "020 8123 4567") == ["李四"]
    assert names(admin, "13912345678") == []


def test_address_with_unit_and_room(world: World) -> None:
    building = Building.objects.create(
        region=world.grid, name="阳光花园3号楼", address="新华区幸福路12号阳光花园3号楼"
    )
    other = Building.objects.create(region=world.grid, name="1号楼", address="新华区和平路5号1号楼")
    room_301 = Dwelling.objects.create(
        building=building, region=world.grid, unit=3, floor=3, number="301", use="owner"
    )
    room_302 = Dwelling.objects.create(
        building=building, region=world.grid, unit=3, floor=3, number="302", use="owner"
    )
    elsewhere = Dwelling.objects.create(
        building=other, region=world.grid, unit=1, floor=1, number="101", use="owner"
    )
    add(world, "甲", dwelling=room_301)
    add(world, "乙", dwelling=room_302)
    add(world, "丙", dwelling=elsewhere)
    admin = world.users["admin"]
    assert names(admin, "幸福路12号") == ["甲", "乙"]
    assert names(admin, "新华区幸福路12号") == ["甲", "乙"]
    assert names(admin, "幸福路12号3单元301") == ["甲"]
    assert names(admin, "幸福路12号阳光花园3号楼3单元302") == ["乙"]
    assert names(admin, "和平路") == ["丙"]
    assert names(admin, "幸福路13号") == []


def test_another_grids_person_is_never_found(world: World) -> None:
    add(world, "张伟", phone="13812345678")
    add(world, "张文", region=world.sibling)
    grid_worker = world.users["gridworker"]
    assert names(grid_worker, "张") == ["张伟"]
    assert names(grid_worker, "zw") == ["张伟"]
    assert names(world.users["stranger"], "13812345678") == []
    assert names(world.users["stranger"], "zw") == ["张文"]
    assert names(world.users["street"], "zw") == ["张伟", "张文"]


def test_filters_status_age_permit_left_and_tags(world: World) -> None:
    day = today()
    young = add(world, "少年", id_number=identity(f"{day.year - 10}0101"))
    old = add(world, "老人", id_number=identity(f"{day.year - 85}0101"))
    floating = add(world, "流动", residence_status=ResidenceStatus.FLOATING)
    Person.objects.filter(pk=floating.pk).update(
        residence_permit_expiry=day + dt.timedelta(days=10)
    )
    gone = add(world, "离开")
    Person.objects.filter(pk=gone.pk).update(left_on=day)
    CareTag.objects.create(person=old, kind="living_alone", since=day)
    CareTag.objects.create(person=young, kind="low_income", since=day)
    admin = world.users["admin"]
    assert names(admin, age="0-17") == ["少年"]
    assert names(admin, age="80+") == ["老人"]
    assert names(admin, status="floating") == ["流动"]
    assert names(admin, permit_expiring=True) == ["流动"]
    assert "离开" not in names(admin)
    assert "离开" in names(admin, include_left=True)
    assert names(admin, tag="living_alone") == ["老人"]
    assert names(admin, tag="aged_70") == ["老人"]
    assert names(admin, tag="low_income") == ["少年"]
    assert names(admin, "l", region=world.grid) == ["流动", "老人"]


def test_sensitive_tag_filter_is_refused_to_grid_workers(world: World) -> None:
    person = add(world, "张伟")
    CareTag.objects.create(person=person, kind="disabled", since=today())
    with pytest.raises(PermissionDenied):
        names(world.users["gridworker"], tag="disabled")
    assert names(world.users["director"], tag="disabled") == ["张伟"]


def test_search_page_counts_up_to_the_limit(world: World) -> None:
    for index in range(30):
        add(world, f"张{index:02d}")
    page = search_page(person_search(world.users["admin"], query="张"), 2, size=25)
    assert [p.name for p in page.rows] == [f"张{i:02d}" for i in range(25, 30)]
    assert (page.count, page.count_capped, page.has_next, page.has_previous) == (
        30,
        False,
        False,
        True,
    )


@pytest.mark.english
def test_list_page_shows_masked_rows_and_tags_by_role(world: World, client: Client) -> None:
    person = add(world, "张伟", id_number="11010519491231002X", phone="13812345678")
    CareTag.objects.create(person=person, kind="disabled", since=today())
    CareTag.objects.create(person=person, kind="veteran", since=today())
    client.force_login(world.users["gridworker"])
    body = client.get("/people/", {"q": "zw"}).content.decode()
    assert "张伟" in body and "110105********002X" in body and "138****5678" in body
    assert "11010519491231002X" not in body
    assert "Veteran" in body and "Disabled person" not in body
    assert client.get("/people/", {"tag": "disabled"}).status_code == 403
    client.force_login(world.users["director"])
    body = client.get("/people/", {"q": "zw"}, headers={"HX-Request": "true"}).content.decode()
    assert "Disabled person" in body and "<html" not in body
    assert "searched by pinyin initials" in body


def test_list_page_region_outside_scope_is_not_found(world: World, client: Client) -> None:
    client.force_login(world.users["gridworker"])
    assert client.get("/people/", {"region": world.sibling.pk}).status_code == 404
    assert client.get("/people/", {"region": world.grid.pk}).status_code == 200


def test_api_search_with_filters_and_pages(world: World, client: Client) -> None:
    add(world, "张伟")
    add(world, "赵文", region=world.sibling)
    client.force_login(world.users["gridworker"])
    response = client.get("/api/v1/people/persons", {"q": "zw"})
    assert response.status_code == 200
    data = response.json()
    assert [item["name"] for item in data["items"]] == ["张伟"]
    assert (data["count"], data["count_capped"], data["page"], data["has_next"]) == (
        1,
        False,
        1,
        False,
    )
    assert data["items"][0]["id_number_masked"].startswith("110105")
    assert client.get("/api/v1/people/persons", {"region_id": world.sibling.pk}).status_code == 404
    assert client.get("/api/v1/people/persons", {"tag": "low_income"}).status_code == 403
    assert client.get("/api/v1/people/persons", {"age": "9-99"}).status_code == 400
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/people/persons/export" in schema["paths"]


def test_list_page_and_api_read_no_column_left_out_of_the_rows(
    world: World, client: Client
) -> None:
    """The rows are built from ROW_FIELDS only: a field shown but not named there would cost
    a query per row, so a page of four persons must take as many queries as a page of one."""
    building = Building.objects.create(region=world.grid, name="1号楼", address="幸福路1号1号楼")
    dwelling = Dwelling.objects.create(
        building=building, region=world.grid, unit=1, floor=1, number="101", use="owner"
    )
    client.force_login(world.users["director"])

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"q": "zw"}).status_code == 200
        return len(captured)

    first = add(world, "张伟", dwelling=dwelling, phone="13812345678")
    CareTag.objects.create(person=first, kind="disabled", since=today())
    one = {url: queries(url) for url in ("/people/", "/api/v1/people/persons")}
    for name in ("张文", "赵伟", "朱玮"):
        add(world, name, dwelling=dwelling, phone="")
    body = client.get("/people/", {"q": "zw"}).content.decode()
    assert "幸福路1号1号楼" in body and body.count('data-testid="person-row"') == 4
    assert {url: queries(url) for url in one} == one
