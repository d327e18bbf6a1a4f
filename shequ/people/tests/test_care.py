"""Care tags and visits: the rules, the sensitive kinds per role, the next visit due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from freezegun import freeze_time

from shequ.audit.models import Action, AuditEvent
from shequ.people.models import CareTag, Person, Visit, VisitPlan
from shequ.people.services_care import (
    care_tag_add,
    care_tag_end,
    next_visit_due,
    tag_details,
    visit_record,
    visit_update,
)
from shequ.people.tests.test_register_data import household_of, place
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]


@pytest.fixture
def person(world: World) -> Person:
    _building, dwelling = place(world)
    _household, (head,) = household_of(world, dwelling, "王建国")  # born 1960-01-01
    return head


def test_grid_worker_cannot_add_a_sensitive_tag(world: World, person: Person) -> None:
    with pytest.raises(PermissionDenied):
        care_tag_add(
            actor=world.users["gridworker"], person=person, kind="low_income", since="2024-01-01"
        )
    assert CareTag.objects.count() == 0


def test_disabled_tag_needs_a_grade_and_seals_the_certificate(world: World, person: Person) -> None:
    director = world.users["director"]
    with pytest.raises(ValidationError) as caught:
        care_tag_add(actor=director, person=person, kind="disabled", since="2024-01-01", grade=5)
    assert caught.value.message_dict == {"grade": ["Choose the disability grade, 1 to 4"]}
    tag = care_tag_add(
        actor=director,
        person=person,
        kind="disabled",
        since="2024-01-01",
        grade="2",
        certificate="12345619600101123X42",
    )
    assert tag.grade == 2 and "123456" not in tag.details_enc
    assert tag_details(tag) == {"certificate": "12345619600101123X42"}
    event = AuditEvent.objects.get(object_type="people.caretag")
    assert event.changes["details"] == "changed" and event.region_path == person.region.path


def test_tag_rules(world: World, person: Person) -> None:
    worker = world.users["gridworker"]
    with pytest.raises(ValidationError) as caught:
        care_tag_add(actor=worker, person=person, kind="veteran", since="1950-01-01", grade=1)
    assert caught.value.message_dict == {
        "since": ["The date is before the person's birth"],
        "grade": ["Only a disability has a grade"],
    }
    tag = care_tag_add(actor=worker, person=person, kind="veteran", since="2020-01-01")
    with pytest.raises(ValidationError) as caught:
        care_tag_add(actor=worker, person=person, kind="veteran", since="2021-01-01")
    assert caught.value.message_dict == {
        "kind": ["The person has a current tag of this kind: end it first"]
    }
    with pytest.raises(ValidationError) as caught:
        care_tag_end(actor=worker, tag=tag, ended_on="2019-12-31")
    assert caught.value.message_dict == {
        "ended_on": ["The tag cannot end before it began (2020-01-01)"]
    }
    care_tag_end(actor=worker, tag=tag, ended_on="2024-06-30")
    again = care_tag_add(actor=worker, person=person, kind="veteran", since="2025-01-01")
    assert CareTag.objects.filter(person=person).count() == 2 and again.ended_on is None
    with pytest.raises(PermissionDenied):
        care_tag_add(
            actor=world.users["supervisor"], person=person, kind="living_alone", since="2024-01-01"
        )


def test_sensitive_tags_are_hidden_from_the_grid_worker_and_audited_for_leaders(
    world: World,
    person: Person,
    client: Client,
) -> None:
    care_tag_add(
        actor=world.users["director"], person=person, kind="low_income", since="2024-01-01"
    )
    care_tag_add(
        actor=world.users["gridworker"], person=person, kind="living_alone", since="2024-01-01"
    )
    client.force_login(world.users["gridworker"])
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Living alone" in page and "Low-income" not in page
    tag = CareTag.objects.get(kind="low_income")
    assert client.post(f"/people/tags/{tag.pk}/end/", {"ended_on": "2024-05-01"}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()
    client.force_login(world.users["director"])
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Low-income" in page
    read = AuditEvent.objects.get(action=Action.REVEAL, object_id=str(person.pk))
    assert read.changes == {"read": "care_tags", "kinds": ["low_income"]}
    assert read.actor_name == "director"


@freeze_time("2025-06-01")
def test_next_visit_is_the_shortest_active_interval(world: World, person: Person) -> None:
    visited = dt.date(2025, 5, 1)
    # 65 years old, no tags: no plan applies.
    assert next_visit_due(person, visited) is None
    care_tag_add(
        actor=world.users["director"], person=person, kind="disabled", since="2024-01-01", grade=3
    )
    assert next_visit_due(person, visited) == visited + dt.timedelta(days=90)
    care_tag_add(
        actor=world.users["gridworker"], person=person, kind="living_alone", since="2024-01-01"
    )
    assert next_visit_due(person, visited) == visited + dt.timedelta(days=30)
    VisitPlan.objects.filter(kind="living_alone").update(active=False)
    assert next_visit_due(person, visited) == visited + dt.timedelta(days=90)
    # At 70 the aged group joins; an interval of 60 days for it is then the shortest.
    VisitPlan.objects.filter(kind="aged_70").update(interval_days=60)
    assert next_visit_due(person, dt.date(2030, 1, 1)) == dt.date(2030, 3, 2)


@freeze_time("2025-06-01")
def test_visit_recorded_with_computed_next_due_then_edited(world: World, person: Person) -> None:
    worker = world.users["gridworker"]
    care_tag_add(actor=worker, person=person, kind="living_alone", since="2024-01-01")
    with pytest.raises(ValidationError) as caught:
        visit_record(actor=worker, person=person, data={"visited_on": "2025-06-02", "found": ""})
    assert caught.value.message_dict == {
        "visited_on": ["A visit cannot be in the future"],
        "found": ["Write what you found, e.g. in good health, needs help shopping"],
    }
    visit = visit_record(
        actor=worker, person=person, data={"visited_on": "2025-05-20", "found": "身体好"}
    )
    assert (visit.next_due, visit.visitor, visit.region) == (
        dt.date(2025, 6, 19),
        worker,
        person.region,
    )
    with pytest.raises(ValidationError) as caught:
        visit_update(actor=worker, visit=visit, data={"found": "x", "next_due": "2025-05-01"})
    assert caught.value.message_dict == {
        "next_due": ["The next visit is due after this one (2025-05-20)"]
    }
    visit_update(
        actor=worker, visit=visit, data={"found": "身体好，缺药", "next_due": "2025-06-05"}
    )
    visit.refresh_from_db()
    assert (visit.found, visit.next_due) == ("身体好，缺药", dt.date(2025, 6, 5))
    with pytest.raises(PermissionDenied):
        visit_record(
            actor=world.users["supervisor"],
            person=person,
            data={"visited_on": "2025-05-20", "found": "x"},
        )
    assert Visit.objects.count() == 1


def test_visit_form_on_the_person_page(world: World, person: Person, client: Client) -> None:
    client.force_login(world.users["gridworker"])
    response = client.post(
        f"/people/{person.pk}/visits/new/",
        {"visited_on": "2024-03-01", "found": "独居，需要助餐", "follow_up": "联系助餐点"},
    )
    assert response.status_code == 302
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "独居，需要助餐" in page and "联系助餐点" in page
    client.force_login(world.users["stranger"])
    assert client.post(f"/people/{person.pk}/visits/new/", {"found": "x"}).status_code == 404
    assert Visit.objects.count() == 1
