import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shequ.audit.models import Action, AuditEvent
from shequ.people.models import Person
from shequ.people.services import person_create, person_reveal
from shequ.regions.tests.factories import World


@pytest.fixture
def person(world: World) -> Person:
    return person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )


def test_person_is_stored_sealed_and_masked(person: Person) -> None:
    row = Person.objects.values().get(pk=person.pk)
    assert row["id_number_masked"] == "110105********002X"
    assert row["phone_masked"] == "138****5678"
    assert "11010519491231002X" not in str(row)
    assert "13812345678" not in str(row)
    assert row["gender"] == "F"
    assert str(row["birth_date"]) == "1949-12-31"
    assert row["name_initials"] == "zw"


def test_bad_identity_number_is_refused_with_the_exact_reason(world: World, zh: None) -> None:
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=world.users["admin"],
            region=world.grid,
            name="王芳",
            id_number="110105194912310022",
        )
    assert error.value.message_dict["id_number"] == ["第18位校验码应为X，现在是2，请核对号码"]
    assert Person.objects.count() == 0


def test_duplicate_identity_number_is_refused(world: World, person: Person, zh: None) -> None:
    with pytest.raises(ValidationError) as error:
        person_create(
            actor=world.users["admin"],
            region=world.grid,
            name="张伟",
            id_number="11010519491231002X",
        )
    assert error.value.message_dict["id_number"] == ["该证件号码已在台账中"]


def test_reveal_needs_role_and_reason_and_is_audited(world: World, person: Person) -> None:
    with pytest.raises(PermissionDenied):
        person_reveal(
            actor=world.users["gridworker"], person=person, field="id_number", reason="查看"
        )
    with pytest.raises(ValidationError):
        person_reveal(actor=world.users["director"], person=person, field="id_number", reason=" ")
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == 0
    value = person_reveal(
        actor=world.users["director"], person=person, field="id_number", reason="核对申请"
    )
    assert value == "11010519491231002X"
    event = AuditEvent.objects.get(action=Action.REVEAL)
    assert event.reason == "核对申请"
    assert event.actor_name == "director"
    assert "11010519491231002X" not in str(event.changes)
    assert (
        person_reveal(actor=world.users["gridworker"], person=person, field="phone", reason="回访")
        == "13812345678"
    )


def test_reveal_on_the_page_and_through_the_api(
    world: World, person: Person, client: Client
) -> None:
    client.force_login(world.users["window"])
    response = client.post(
        f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": "窗口核验"}
    )
    assert "11010519491231002X" in response.content.decode()
    response = client.post(
        f"/api/v1/people/persons/{person.pk}/reveal",
        {"field": "phone", "reason": "回访"},
        content_type="application/json",
    )
    assert response.json() == {"field": "phone", "value": "13812345678"}
    client.force_login(world.users["supervisor"])
    response = client.post(f"/people/{person.pk}/reveal/", {"field": "id_number", "reason": "抽查"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.REVEAL).count() == 2


def test_person_list_is_masked_and_searchable_by_initials(
    world: World, person: Person, client: Client
) -> None:
    person_create(
        actor=world.users["admin"],
        region=world.sibling,
        name="赵文",
        id_number="440106198001010019",
    )
    client.force_login(world.users["director"])
    body = client.get("/people/?q=zw").content.decode()
    assert "张伟" in body and "赵文" in body
    assert "110105********002X" in body
    assert "11010519491231002X" not in body
    client.force_login(world.users["gridworker"])
    body = client.get("/people/?q=zw").content.decode()
    assert "张伟" in body and "赵文" not in body
