"""The case's owning unit, deadline and on-time verdict on the incident row, kept by the database.

`Incident.owner_unit`, `due_at` and `finished_on_time` (migration 0007) copy the case's own
columns: taken from the case when the incident is inserted, passed on whenever the case
changes them, whatever code writes them. The indicators read them instead of the case rows.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from freezegun import freeze_time

from shequ.cases.models import Case
from shequ.cases.services import case_transition
from shequ.cases.tests.factories import open_application
from shequ.incidents.models import Tier
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import (
    incident_dispatch,
    incident_feedback,
    incident_postpone_approve,
)
from shequ.incidents.tests.indicators_world import MON, Story, at, build
from shequ.incidents.tests.loop import department_staff, fresh, report
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

COLUMNS = ("owner_unit_id", "due_at", "finished_on_time")
MIGRATION = importlib.import_module("shequ.incidents.migrations.0007_incident_case_copies")


@pytest.fixture
def story(world: World, table: Table) -> Story:
    return build(world, table)


def copies(pk: int) -> dict[str, Any]:
    return Incident.objects.values(*COLUMNS).get(pk=pk)


def of_case(pk: int) -> dict[str, Any]:
    return Case.objects.values(*COLUMNS).get(pk=pk)


def all_copies() -> dict[int, dict[str, Any]]:
    return {row.pop("case_id"): row for row in Incident.objects.values("case_id", *COLUMNS)}


def all_cases() -> dict[int, dict[str, Any]]:
    ids = Incident.objects.values_list("case_id", flat=True)
    return {row.pop("id"): row for row in Case.objects.filter(pk__in=ids).values("id", *COLUMNS)}


def test_the_copies_equal_the_cases_through_the_whole_loop(story: Story) -> None:
    """Every incident of the indicators' story, taken through the real services: filed,
    dispatched to units and grids, postponed, closed on time and late, never handled."""
    held = all_copies()
    assert held == all_cases()
    assert held[story.a.pk]["finished_on_time"] is True
    assert held[story.b.pk]["finished_on_time"] is False
    assert held[story.a.pk]["owner_unit_id"] is not None
    assert held[story.d.pk]["due_at"] is not None and held[story.d.pk]["finished_on_time"] is None


def test_each_step_passes_its_change_on(world: World, table: Table) -> None:
    director, worker = world.users["director"], world.users["gridworker"]
    sanitation = department_staff(table)
    with freeze_time(at(MON, "09:00")):
        incident = report(world, table)
    pk = incident.pk
    assert copies(pk) == dict.fromkeys(COLUMNS) == of_case(pk)
    with freeze_time(at(MON, "09:10")):
        case_transition(case=fresh(incident), name="file", actor=director)
    assert copies(pk)["due_at"] is not None
    assert copies(pk) == of_case(pk)
    with freeze_time(at(MON, "09:20")):
        incident_dispatch(case=fresh(incident), actor=director, tier=Tier.DISTRICT, unit=table.unit)
    assert copies(pk)["owner_unit_id"] == table.unit.pk
    with freeze_time(at(MON, "09:30")):
        case_transition(
            case=fresh(incident), name="send_back", actor=sanitation, note="不属于本单位职责"
        )
    with freeze_time(at(MON, "09:40")):
        incident_dispatch(case=fresh(incident), actor=director, tier=Tier.GRID)
    assert copies(pk) == of_case(pk)
    with freeze_time(at(MON, "09:45")):
        case_transition(case=fresh(incident), name="take", actor=worker)
        case_transition(case=fresh(incident), name="request_postpone", actor=worker, note="需协调")
    due = copies(pk)["due_at"]
    with freeze_time(at(MON, "09:50")):
        incident_postpone_approve(case=fresh(incident), actor=director, amount=2)
    assert copies(pk)["due_at"] > due
    assert copies(pk) == of_case(pk)
    with freeze_time(at(MON, "10:00")):
        incident_feedback(case=fresh(incident), actor=worker, note="已清理")
        case_transition(case=fresh(incident), name="check_pass", actor=worker)
        case_transition(case=fresh(incident), name="close", actor=director)
    assert copies(pk)["finished_on_time"] is True
    assert copies(pk) == of_case(pk)


def test_rows_written_straight_into_the_tables(story: Story, table: Table) -> None:
    """An update of the case table and an incident row inserted by hand (an import, a bulk
    load) keep the copies too."""
    pk = story.d.pk
    Case.objects.filter(pk=pk).update(owner_unit=None, finished_on_time=False)
    assert copies(pk) == of_case(pk)
    assert copies(pk)["finished_on_time"] is False
    row = Incident.objects.get(pk=pk)
    Incident.objects.filter(pk=pk).delete()
    assert Case.objects.filter(pk=pk).exists()
    row.owner_unit_id, row.due_at, row.finished_on_time = table.unit.pk, None, None
    Incident.objects.bulk_create([row])  # copies that differ from the case's are taken from it
    assert copies(pk) == of_case(pk)


def test_another_case_types_updates_touch_no_incident(story: Story, world: World) -> None:
    before = all_copies()
    application = open_application(world, None)
    Case.objects.filter(pk=application.pk).update(finished_on_time=True, owner_unit=None)
    assert all_copies() == before


def test_the_backfill_copies_what_the_triggers_keep(story: Story) -> None:
    """Migration 0007 fills the incidents that existed before the columns, to the same values
    the triggers keep."""
    kept = all_copies()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_incident SET owner_unit_id = NULL, due_at = NULL, "
                       "finished_on_time = NULL")  # fmt: skip
    assert all(row == dict.fromkeys(COLUMNS) for row in all_copies().values())
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.BACKFILL[connection.vendor])
    assert all_copies() == kept


def test_the_triggers_are_in_the_schema() -> None:
    """A migration that rebuilds either table (SQLite copies a table to alter it) drops its
    triggers: it must create them again, or the indicators go stale."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"incident_case_copy", "incident_case_follow"} <= names
