"""Moves: history kept, nothing deleted, a new head chosen when the head leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shequ.audit.models import Action, AuditEvent
from shequ.people.models import Dwelling, Household, Person, PersonMove
from shequ.people.services_moves import person_move
from shequ.people.tests.test_register_data import household_of, place
from shequ.regions.tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.english]


def test_move_to_another_dwelling_keeps_the_household(world: World) -> None:
    building, dwelling = place(world)
    other = Dwelling.objects.create(
        building=building, region=world.grid, unit=2, floor=1, number="101", use="rented"
    )
    household, (_head, child) = household_of(world, dwelling, "王建国", "王二")
    move = person_move(
        actor=world.users["gridworker"],
        person=child,
        kind="moved",
        on="2024-03-01",
        to_dwelling=other,
    )
    child.refresh_from_db()
    assert (child.dwelling_id, child.household_id) == (other.pk, household.pk)
    assert (move.from_dwelling_id, move.to_dwelling_id, move.on) == (
        dwelling.pk,
        other.pk,
        dt.date(2024, 3, 1),
    )
    event = AuditEvent.objects.get(action=Action.MOVE)
    assert event.changes["dwelling"] == [dwelling.pk, other.pk]


def test_head_leaving_needs_a_new_head_and_nothing_is_deleted(world: World) -> None:
    _building, dwelling = place(world)
    household, (head, child) = household_of(world, dwelling, "王建国", "王二")
    worker = world.users["gridworker"]
    with pytest.raises(ValidationError) as caught:
        person_move(actor=worker, person=head, kind="left", on="2024-03-01")
    assert caught.value.message_dict == {
        "new_head": ["The head leaves the household: choose the new head"]
    }
    person_move(actor=worker, person=head, kind="left", on="2024-03-01", new_head=child)
    head.refresh_from_db()
    child.refresh_from_db()
    assert (head.left_on, head.household_id, head.dwelling_id) == (dt.date(2024, 3, 1), None, None)
    assert child.relation == "head"
    assert Person.objects.count() == 2 and Household.objects.count() == 1
    with pytest.raises(ValidationError) as caught:
        person_move(actor=worker, person=head, kind="moved", on="2024-04-01", to_dwelling=dwelling)
    assert caught.value.message_dict == {
        "kind": ["The person left the district on 2024-03-01: record the return first"]
    }
    person_move(
        actor=worker,
        person=head,
        kind="returned",
        on="2024-05-01",
        to_household=household,
        relation="parent",
    )
    head.refresh_from_db()
    assert (head.left_on, head.household_id, head.relation, head.dwelling_id) == (
        None,
        household.pk,
        "parent",
        dwelling.pk,
    )
    assert list(PersonMove.objects.filter(person=head).values_list("kind", flat=True)) == [
        "returned",
        "left",
    ]


def test_joining_another_household(world: World) -> None:
    building, dwelling = place(world)
    other_dwelling = Dwelling.objects.create(
        building=building, region=world.grid, unit=1, floor=4, number="402", use="owner"
    )
    first, (alone,) = household_of(world, dwelling, "王建国")
    second, (_head2,) = household_of(world, other_dwelling, "李四", start=10)
    worker = world.users["gridworker"]
    with pytest.raises(ValidationError) as caught:
        person_move(
            actor=worker,
            person=alone,
            kind="household",
            on="2024-03-01",
            to_household=second,
            relation="head",
        )
    assert caught.value.message_dict == {"relation": ["That household has a head already"]}
    move = person_move(
        actor=worker,
        person=alone,
        kind="household",
        on="2024-03-01",
        to_household=second,
        relation="spouse",
    )
    alone.refresh_from_db()
    assert (alone.household_id, alone.dwelling_id, alone.relation) == (
        second.pk,
        other_dwelling.pk,
        "spouse",
    )
    assert (move.from_household_id, move.to_household_id) == (first.pk, second.pk)


def test_move_rules_and_roles(world: World) -> None:
    _building, dwelling = place(world)
    _household, (head,) = household_of(world, dwelling, "王建国")
    with pytest.raises(ValidationError) as caught:
        person_move(
            actor=world.users["gridworker"],
            person=head,
            kind="moved",
            on="2999-01-01",
            to_dwelling=dwelling,
        )
    assert caught.value.message_dict == {
        "on": ["The date of a move cannot be in the future"],
        "to_dwelling": ["The person lives in this dwelling already"],
    }
    with pytest.raises(ValidationError) as caught:
        person_move(actor=world.users["gridworker"], person=head, kind="returned", on="2024-01-01")
    assert caught.value.message_dict == {"kind": ["The person has not left the district"]}
    with pytest.raises(PermissionDenied):
        person_move(actor=world.users["supervisor"], person=head, kind="left", on="2024-01-01")
    assert PersonMove.objects.count() == 0
