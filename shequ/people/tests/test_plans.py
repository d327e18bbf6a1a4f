"""Editing the visit plans: district administrators only, audited, bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shequ.audit.models import Action, AuditEvent
from shequ.people.models import VisitPlan
from shequ.people.plans import visit_plan_update
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.english


def plans() -> dict[str, tuple[int, bool]]:
    return {p.kind: (p.interval_days, p.active) for p in VisitPlan.objects.all()}


def test_the_migration_seeds_a_plan_per_care_group(db: None) -> None:
    assert plans()["living_alone"] == (30, True)
    assert plans()["aged_70"] == (90, True)
    assert len(plans()) == 7


def test_an_administrator_changes_a_plan_and_it_is_audited(world: World) -> None:
    plan = VisitPlan.objects.get(kind="living_alone")

    visit_plan_update(
        actor=world.users["admin"], kind="living_alone", interval_days=14, active=False
    )

    assert plans()["living_alone"] == (14, False)
    event = AuditEvent.objects.get(object_type="people.visitplan")
    assert (event.action, event.actor_name, event.object_id) == (
        Action.UPDATE,
        "admin",
        str(plan.pk),
    )
    assert event.changes == {"interval_days": [30, 14], "active": [True, False]}


def test_saving_unchanged_values_records_nothing(world: World) -> None:
    plan = VisitPlan.objects.get(kind="disabled")
    visit_plan_update(
        actor=world.users["admin"], kind="disabled", interval_days=plan.interval_days, active=True
    )
    assert not AuditEvent.objects.filter(object_type="people.visitplan").exists()


@pytest.mark.parametrize("role", ["director", "street", "gridworker", "supervisor"])
def test_other_roles_may_not_change_plans(world: World, role: str) -> None:
    before = plans()
    with pytest.raises(PermissionDenied):
        visit_plan_update(actor=world.users[role], kind="aged_70", interval_days=7, active=True)
    assert plans() == before


@pytest.mark.parametrize("days", [0, 366])
def test_an_interval_out_of_range_is_refused(world: World, days: int) -> None:
    before = plans()
    with pytest.raises(ValidationError) as refused:
        visit_plan_update(
            actor=world.users["admin"], kind="aged_70", interval_days=days, active=True
        )
    assert refused.value.message_dict == {
        "interval_days": ["Enter a number of days from 1 to 365."]
    }
    assert plans() == before


def test_the_page_lists_and_saves(world: World, client: Client) -> None:
    client.force_login(world.users["admin"])
    page = client.get("/people/visit-plans/").content.decode()
    assert 'data-plan="aged_70"' in page and "Aged 70+" in page
    response = client.post(
        "/people/visit-plans/", {"kind": "left_behind_child", "interval_days": "45", "active": "1"}
    )

    assert response.status_code == 302
    assert plans()["left_behind_child"] == (45, True)
    bad = client.post("/people/visit-plans/", {"kind": "left_behind_child", "interval_days": "abc"})
    assert bad.status_code == 400
    assert "Enter a whole number of days." in bad.content.decode()
    assert plans()["left_behind_child"] == (45, True)


def test_the_page_is_refused_to_others(world: World, client: Client) -> None:
    client.force_login(world.users["director"])
    assert client.get("/people/visit-plans/").status_code == 403
    refused = client.post("/people/visit-plans/", {"kind": "aged_70", "interval_days": "5"})
    assert refused.status_code == 403
    assert plans()["aged_70"] == (90, True)


def test_a_group_without_a_plan_gets_one(world: World, client: Client) -> None:
    assert "veteran" not in plans()
    client.force_login(world.users["admin"])
    assert 'data-plan="veteran"' in client.get("/people/visit-plans/").content.decode()

    client.post("/people/visit-plans/", {"kind": "veteran", "interval_days": "180", "active": "1"})

    assert plans()["veteran"] == (180, True)
    event = AuditEvent.objects.get(object_type="people.visitplan")
    assert (event.action, event.changes) == (
        Action.CREATE,
        {"kind": "veteran", "interval_days": 180, "active": True},
    )


def test_an_unknown_group_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        visit_plan_update(actor=world.users["admin"], kind="pets", interval_days=30, active=True)
    assert "pets" not in plans()
