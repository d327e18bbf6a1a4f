"""The moments of the steps on the incident row follow its timeline, kept by the database.

`Incident.filed_at` … `closed_at` (migration 0005) hold the first "file" and "dispatch" and
the last of the other steps the indicators read, whatever writes the event: the engine's
services, or a row inserted into the timeline table directly (an import, a bulk load).
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection
from freezegun import freeze_time

from shequ.cases.models import Case, CaseEvent
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

# Column, action, and whether the column keeps the first or the last moment of the action.
STEPS = (
    ("filed_at", "file", "first"),
    ("not_filed_at", "not_file", "last"),
    ("dispatched_at", "dispatch", "first"),
    ("handled_at", "feedback", "last"),
    ("check_failed_at", "check_fail", "last"),
    ("postponed_at", "approve_postpone", "last"),
    ("closed_at", "close", "last"),
)
COLUMNS = [column for column, _action, _which in STEPS]
BACKFILL = importlib.import_module("shequ.incidents.migrations.0006_incident_steps_backfill")


def moment(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+08:00")


def held(case_id: int) -> dict[str, Any]:
    return Incident.objects.values(*COLUMNS).get(pk=case_id)


def counted(case_id: int) -> dict[str, Any]:
    """The columns as the timeline gives them, counted in Python."""
    events = list(CaseEvent.objects.filter(case_id=case_id).values_list("action", "at"))
    out: dict[str, Any] = {}
    for column, action, which in STEPS:
        found = [when for name, when in events if name == action]
        out[column] = (min(found) if which == "first" else max(found)) if found else None
    return out


def all_held() -> dict[int, dict[str, Any]]:
    return {row.pop("case_id"): row for row in Incident.objects.values("case_id", *COLUMNS)}


def insert_event(case_id: int, action: str, when: dt.datetime) -> None:
    """A timeline row written straight into the table, as an import or a bulk load does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_caseevent (case_id, at, actor_name, action, from_state, "
            "to_state, note, data) VALUES (%s, %s, 'import', %s, '', '', '', '{}')",
            [case_id, connection.ops.adapt_datetimefield_value(when), action],
        )


def step(incident: Incident, name: str, actor: Any, note: str = "") -> None:
    case_transition(case=fresh(incident), name=name, actor=actor, note=note)


def test_the_columns_equal_the_timeline_through_the_whole_loop(story: Story) -> None:
    """Every incident of the indicators' story, taken through the real services."""
    for incident in Incident.objects.all():
        assert held(incident.pk) == counted(incident.pk), incident.case.tracking_code
    b = held(story.b.pk)  # handled 11:00, check failed 11:30, handled again 16:00
    assert b["handled_at"] == moment(MON, "16:00")
    assert b["check_failed_at"] == moment(MON, "11:30")
    assert b["filed_at"] == b["dispatched_at"] == moment(MON, "10:00")
    assert b["closed_at"] == moment(MON, "16:10")
    assert held(story.c.pk)["postponed_at"] == moment(MON, "11:30")
    assert held(story.e.pk) == {**dict.fromkeys(COLUMNS), "not_filed_at": moment(MON, "10:00")}
    assert held(story.f.pk) == {**dict.fromkeys(COLUMNS), "filed_at": moment("2026-03-03", "09:00")}


def test_first_dispatch_and_last_handling_through_the_services(world: World, table: Table) -> None:
    director, worker = world.users["director"], world.users["gridworker"]
    sanitation = department_staff(table)
    with freeze_time(at(MON, "09:00")):
        incident = report(world, table)  # the grid worker's own: verified on the spot
    assert held(incident.pk) == dict.fromkeys(COLUMNS)
    with freeze_time(at(MON, "09:10")):
        step(incident, "file", director)
    with freeze_time(at(MON, "09:20")):
        incident_dispatch(case=fresh(incident), actor=director, tier=Tier.DISTRICT, unit=table.unit)
    with freeze_time(at(MON, "09:30")):
        step(incident, "send_back", sanitation, "不属于本单位职责")
    with freeze_time(at(MON, "09:40")):
        incident_dispatch(case=fresh(incident), actor=director, tier=Tier.GRID)
        step(incident, "take", worker)
    with freeze_time(at(MON, "10:00")):
        incident_feedback(case=fresh(incident), actor=worker, note="已清理")
    with freeze_time(at(MON, "10:10")):
        step(incident, "check_fail", worker, "仍有残留")
    with freeze_time(at(MON, "10:20")):
        step(incident, "request_postpone", worker, "需协调")
    with freeze_time(at(MON, "10:25")):
        incident_postpone_approve(case=fresh(incident), actor=director, amount=2)
    with freeze_time(at(MON, "10:30")):
        incident_feedback(case=fresh(incident), actor=worker, note="已彻底清理")
    with freeze_time(at(MON, "10:40")):
        step(incident, "check_pass", worker)
    with freeze_time(at(MON, "10:50")):
        step(incident, "close", director)
    assert held(incident.pk) == {
        "filed_at": moment(MON, "09:10"),
        "not_filed_at": None,
        "dispatched_at": moment(MON, "09:20"),  # the first of two dispatches
        "handled_at": moment(MON, "10:30"),  # the last of two reports of handling
        "check_failed_at": moment(MON, "10:10"),
        "postponed_at": moment(MON, "10:25"),
        "closed_at": moment(MON, "10:50"),
    }
    assert held(incident.pk) == counted(incident.pk)


def test_rows_inserted_into_the_timeline_directly(world: World, table: Table) -> None:
    with freeze_time(at(MON, "09:00")):
        incident = report(world, table)
    pk = incident.pk
    insert_event(pk, "file", moment(MON, "10:00"))
    insert_event(pk, "file", moment(MON, "09:30"))  # earlier: the first filing moves back
    insert_event(pk, "file", moment(MON, "11:00"))  # later: stays
    insert_event(pk, "dispatch", moment(MON, "10:10"))
    insert_event(pk, "dispatch", moment(MON, "10:20"))  # a second dispatch: the first stays
    insert_event(pk, "feedback", moment(MON, "12:00"))
    insert_event(pk, "feedback", moment(MON, "14:00"))  # the last report of handling wins
    insert_event(pk, "feedback", moment(MON, "13:00"))  # written late, earlier: stays 14:00
    insert_event(pk, "check_fail", moment(MON, "12:30"))
    insert_event(pk, "check_fail", moment(MON, "12:15"))
    insert_event(pk, "approve_postpone", moment(MON, "12:40"))
    insert_event(pk, "close", moment(MON, "15:00"))
    insert_event(pk, "not_file", moment(MON, "09:20"))
    insert_event(pk, "take", moment(MON, "10:30"))  # not a step the indicators read
    assert held(pk) == {
        "filed_at": moment(MON, "09:30"),
        "not_filed_at": moment(MON, "09:20"),
        "dispatched_at": moment(MON, "10:10"),
        "handled_at": moment(MON, "14:00"),
        "check_failed_at": moment(MON, "12:30"),
        "postponed_at": moment(MON, "12:40"),
        "closed_at": moment(MON, "15:00"),
    }
    assert held(pk) == counted(pk)


def test_a_moved_or_deleted_event_is_counted_again(world: World, table: Table) -> None:
    """The timeline is append-only, but the demo moves its cases' events into the past."""
    with freeze_time(at(MON, "09:00")):
        incident = report(world, table)
    pk = incident.pk
    insert_event(pk, "dispatch", moment(MON, "10:00"))
    insert_event(pk, "dispatch", moment(MON, "11:00"))
    insert_event(pk, "feedback", moment(MON, "12:00"))
    events = CaseEvent.objects.filter(case_id=pk)
    events.filter(action="dispatch", at=moment(MON, "10:00")).update(at=moment(MON, "11:30"))
    assert held(pk)["dispatched_at"] == moment(MON, "11:00")
    events.update(at=dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC))  # every event moved at once
    assert held(pk)["dispatched_at"] == held(pk)["handled_at"] == moment("2026-01-05", "09:00")
    events.filter(action="feedback").update(action="close")
    assert (held(pk)["handled_at"], held(pk)["closed_at"]) == (None, moment("2026-01-05", "09:00"))
    events.filter(action="dispatch").delete()
    assert held(pk) == {**dict.fromkeys(COLUMNS), "closed_at": moment("2026-01-05", "09:00")}
    assert held(pk) == counted(pk)


def test_another_case_types_events_touch_no_incident(story: Story, world: World) -> None:
    before = all_held()
    application = open_application(world, None)
    for _column, action, _which in STEPS:
        insert_event(application.pk, action, moment(MON, "12:00"))
        insert_event(application.pk, action, moment("2026-01-01", "08:00"))
    CaseEvent.objects.filter(case=application).update(at=moment("2026-04-01", "08:00"))
    CaseEvent.objects.filter(case=application, action="close").delete()
    assert all_held() == before
    assert not Incident.objects.filter(pk=application.pk).exists()
    assert Case.objects.filter(pk=application.pk, type_key="application").exists()


def test_the_backfill_counts_what_the_triggers_keep(story: Story) -> None:
    """Migration 0006 fills the incidents that existed before the columns: from the timeline,
    to the same values the triggers keep."""
    kept = all_held()
    assert any(row["dispatched_at"] for row in kept.values())
    Incident.objects.update(**dict.fromkeys(COLUMNS))
    assert all(row == dict.fromkeys(COLUMNS) for row in all_held().values())
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL.FILL)
    assert all_held() == kept
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL.FILL)  # again: nothing moves
    assert all_held() == kept


def test_the_triggers_are_in_the_schema() -> None:
    """A migration that rebuilds the timeline table (SQLite copies a table to alter it) drops
    its triggers: it must create them again, or the indicators go stale."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'cases_caseevent'::regclass "
                "AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'cases_caseevent'"
            )
        names = {row[0] for row in cursor.fetchall()}
    expected = {"incident_steps_update", "incident_steps_delete"} | (
        {"incident_steps_insert"}
        if connection.vendor == "postgresql"
        else {f"incident_steps_{action}" for _column, action, _which in STEPS}
    )
    assert expected <= names


@pytest.fixture
def story(world: World, table: Table) -> Story:
    return build(world, table)
