"""一户一册: registering households and members, editing persons, the household and person pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shequ.audit.models import Action, AuditEvent
from shequ.people.models import Dwelling, Household, Person
from shequ.people.services import person_update
from shequ.people.services_household import household_member_add, household_register
from shequ.people.tests.test_register_data import household_of, idn, member, place
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def test_household_of_three_lands_with_its_members_and_audit(world: World) -> None:
    _building, dwelling = place(world)
    household = household_register(
        actor=world.users["gridworker"],
        dwelling=dwelling,
        members=[
            member("王建国", idn(seq="011"), "head", phone="13812345678"),
            member("李秀英", idn(birth="19820202", seq="022"), "spouse"),
            member("王小明", idn(birth="20120303", seq="033"), "child"),
        ],
        number="H-302",
    )
    people = list(household.members.order_by("id"))
    assert [(p.name, p.relation, p.gender) for p in people] == [
        ("王建国", "head", "M"),
        ("李秀英", "spouse", "F"),
        ("王小明", "child", "M"),
    ]
    assert {p.dwelling_id for p in people} == {dwelling.pk}
    assert people[2].birth_date == dt.date(2012, 3, 3)
    assert people[0].id_last4 == idn(seq="011")[-4:]
    assert people[1].name_initials == "lxy"
    assert people[0].phone_masked == "138****5678"
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="people.person").count() == 3
    assert AuditEvent.objects.filter(object_type="people.household").count() == 1


def test_household_with_a_new_dwelling_creates_it_in_the_building(world: World) -> None:
    building, _dwelling = place(world)
    household = household_register(
        actor=world.users["gridworker"],
        building=building,
        new_dwelling={"unit": "2", "floor": "5", "number": "502", "use": "rented"},
        members=[member("赵六", idn(seq="041"), "head")],
    )
    assert household.dwelling is not None
    assert (household.dwelling.unit, household.dwelling.number, household.dwelling.use) == (
        2,
        "502",
        "rented",
    )


def test_one_bad_row_registers_nothing_and_names_the_row(world: World) -> None:
    _building, dwelling = place(world)
    bad = idn(seq="011")[:-1] + ("0" if idn(seq="011")[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        household_register(
            actor=world.users["gridworker"],
            dwelling=dwelling,
            members=[
                member("王建国", idn(seq="011"), "head"),
                member("李秀英", bad, "spouse"),
                member("", idn(seq="033"), ""),
                member("王五", idn(seq="011"), "child"),
            ],
        )
    errors = caught.value.message_dict
    assert set(errors) == {
        "members-1-id_number",
        "members-2-name",
        "members-2-relation",
        "members-3-id_number",
    }
    assert errors["members-3-id_number"] == ["The same number is in row 1"]
    assert Person.objects.count() == 0 and Household.objects.count() == 0


@pytest.mark.parametrize(
    ("relations", "message"),
    [
        (["spouse", "child"], "Mark one member as head of household"),
        (["head", "head"], "Only one member can be head of household"),
    ],
)
def test_exactly_one_head(world: World, relations: list[str], message: str) -> None:
    _building, dwelling = place(world)
    rows = [member(f"人{i}", idn(seq=f"0{i}1"), r) for i, r in enumerate(relations)]
    with pytest.raises(ValidationError) as caught:
        household_register(actor=world.users["gridworker"], dwelling=dwelling, members=rows)
    assert caught.value.message_dict == {"members": [message]}


def test_floating_member_permit_rules(world: World) -> None:
    _building, dwelling = place(world)
    rows = [
        member(
            "甲",
            idn(seq="011"),
            "head",
            residence_status="registered",
            residence_permit_number="P1",
            residence_permit_expiry="2030-01-01",
        ),
        member(
            "乙", idn(seq="021"), "other", residence_status="floating", residence_permit_number="P2"
        ),
        member("丙", idn(seq="031"), "other", residence_status="floating"),
    ]
    with pytest.raises(ValidationError) as caught:
        household_register(actor=world.users["gridworker"], dwelling=dwelling, members=rows)
    assert caught.value.message_dict == {
        "members-0-residence_permit_number": [
            "A person registered here (户籍) holds no residence permit: clear the permit fields"
        ],
        "members-1-residence_permit_expiry": ["Enter the permit's expiry date"],
    }


def test_supervisor_and_stranger_may_not_register(world: World) -> None:
    _building, dwelling = place(world)
    for who in ("supervisor", "stranger"):
        with pytest.raises(PermissionDenied):
            household_register(
                actor=world.users[who],
                dwelling=dwelling,
                members=[member("王建国", idn(seq="011"), "head")],
            )
    assert Person.objects.count() == 0


def test_member_added_keeps_the_head(world: World) -> None:
    _building, dwelling = place(world)
    household, _people = household_of(world, dwelling, "王建国")
    with pytest.raises(ValidationError) as caught:
        household_member_add(
            actor=world.users["gridworker"],
            household=household,
            member=member("王二", idn(seq="051"), "head"),
        )
    assert list(caught.value.message_dict) == ["relation"]
    person = household_member_add(
        actor=world.users["gridworker"], household=household, member=member("王二", idn(seq="051"))
    )
    assert (person.household_id, person.dwelling_id, person.relation) == (
        household.pk,
        dwelling.pk,
        "child",
    )


def test_identity_correction_rederives_gender_and_birth(world: World) -> None:
    _building, dwelling = place(world)
    _household, (person,) = household_of(world, dwelling, "王建国")
    corrected = idn(birth="19751224", seq="042")
    person_update(actor=world.users["gridworker"], person=person, data={"id_number": corrected})
    person.refresh_from_db()
    assert (person.gender, person.birth_date, person.id_last4) == (
        "F",
        dt.date(1975, 12, 24),
        corrected[-4:],
    )
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(person.pk)).get()
    assert event.changes["id_number"] == "changed"
    assert event.changes["gender"] == ["M", "F"]


def test_typed_gender_or_birth_that_disagree_with_an_id_card_are_errors(world: World) -> None:
    _building, dwelling = place(world)
    _household, (person,) = household_of(world, dwelling, "王建国")
    with pytest.raises(ValidationError) as caught:
        person_update(
            actor=world.users["gridworker"],
            person=person,
            data={"gender": "F", "birth_date": "1990-01-01"},
        )
    assert caught.value.message_dict == {
        "gender": ["The identity number gives the gender Male"],
        "birth_date": ["The identity number gives the birth date 1960-01-01"],
    }


def test_edit_rules_and_read_only_role(world: World) -> None:
    _building, dwelling = place(world)
    _household, (person, _other) = household_of(world, dwelling, "王建国", "王二")
    with pytest.raises(ValidationError) as caught:
        person_update(
            actor=world.users["gridworker"],
            person=person,
            data={"name": " ", "phone": "1381234", "id_number": idn(seq="103", birth="19610101")},
        )
    assert caught.value.message_dict == {
        "name": ["Enter the name"],
        "phone": ["A mobile number should have 11 digits, not 7"],
        "id_number": ["This identity number is already in the register"],
    }
    with pytest.raises(PermissionDenied):
        person_update(actor=world.users["supervisor"], person=person, data={"name": "李四"})
    person.refresh_from_db()
    assert person.name == "王建国"
    person_update(
        actor=world.users["gridworker"],
        person=person,
        data={
            "name": "王建军",
            "residence_status": "floating",
            "residence_permit_number": "JZZ-1",
            "residence_permit_expiry": "2027-05-01",
        },
    )
    person.refresh_from_db()
    assert (person.name, person.name_initials, person.residence_permit_expiry) == (
        "王建军",
        "wjj",
        dt.date(2027, 5, 1),
    )


@pytest.mark.english
def test_household_form_registers_three_and_shows_the_household(
    world: World, client: Client
) -> None:
    building, dwelling = place(world)
    client.force_login(world.users["gridworker"])
    page = client.get("/people/households/new/")
    assert page.status_code == 200 and "幸福路12号" in page.content.decode()
    response = client.post(
        "/people/households/new/",
        {
            "building": building.pk,
            "dwelling": dwelling.pk,
            "members-0-name": "王建国",
            "members-0-id_number": idn(seq="011"),
            "members-0-relation": "head",
            "members-1-name": "李秀英",
            "members-1-id_number": idn(seq="022"),
            "members-1-relation": "spouse",
            "members-2-name": "王小明",
            "members-2-id_number": idn(birth="20120303", seq="033"),
            "members-2-relation": "child",
            "members-3-name": "",
        },
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/households/{household.pk}/"
    shown = client.get(response["Location"]).content.decode()
    assert all(name in shown for name in ("王建国", "李秀英", "王小明", "Spouse", "Owner-occupied"))


@pytest.mark.english
def test_household_form_shows_errors_by_row(world: World, client: Client) -> None:
    _building, dwelling = place(world)
    client.force_login(world.users["gridworker"])
    response = client.post(
        "/people/households/new/",
        {
            "dwelling": dwelling.pk,
            "members-0-name": "王建国",
            "members-0-id_number": "123",
            "members-0-relation": "head",
        },
    )
    assert response.status_code == 200
    assert "The identity number should have 18 characters, not 3" in response.content.decode()
    assert Dwelling.objects.count() == 1 and Person.objects.count() == 0


def test_pages_of_another_grid_are_not_found(world: World) -> None:
    _building, dwelling = place(world)
    household, (person,) = household_of(world, dwelling, "王建国")
    client = Client()
    client.force_login(world.users["stranger"])
    for url in (
        f"/people/households/{household.pk}/",
        f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/",
        f"/people/households/{household.pk}/members/new/",
    ):
        assert client.get(url).status_code == 404
