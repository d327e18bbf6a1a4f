"""The incident loop through the API: report (idempotent), list within scope, steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shequ.incidents.models_loop import Incident
from shequ.incidents.tests.loop import IN_GRID, department_staff, draw_grids, photo
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents"


def client_of(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def post_report(client: Client, table: Table, **changes: object) -> object:
    body = {
        "category_id": table.garbage.pk,
        "description": "垃圾桶满溢",
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "address": "湖北路3号",
        "client_id": "c-1",
        "reported_at": "2026-03-02T09:15:00+08:00",
        "photos": [photo()],
        **changes,
    }
    return client.post(f"{URL}/reports", body)


def test_a_report_twice_makes_one_incident(world: World, table: Table) -> None:
    draw_grids(world)
    client = client_of(world.users["gridworker"])
    first = post_report(client, table)
    assert first.status_code == 201, first.content  # type: ignore[attr-defined]
    body = first.json()  # type: ignore[attr-defined]
    assert (body["state"], body["category_code"], body["photos"], body["replayed"]) == (
        "verified",
        "0102",
        1,
        False,
    )
    reported = dt.datetime.fromisoformat(body["reported_at"])
    assert reported == dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
    again = post_report(client, table)
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert again.json()["id"] == body["id"] and again.json()["replayed"] is True  # type: ignore[attr-defined]
    assert Incident.objects.count() == 1


def test_a_bad_report_names_the_field(world: World, table: Table) -> None:
    client = client_of(world.users["gridworker"])
    response = post_report(client, table, description=" ", client_id="c-2")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "description" in response.content.decode()  # type: ignore[attr-defined]
    assert Incident.objects.count() == 0


def test_the_loop_through_steps_and_scope(world: World, table: Table) -> None:
    draw_grids(world)
    reporter = client_of(world.users["gridworker"])
    case_id = post_report(reporter, table).json()["id"]  # type: ignore[attr-defined]
    director = client_of(world.users["director"])
    assert (
        director.post(
            f"{URL}/{case_id}/steps", {"name": "file"}, content_type="application/json"
        ).json()["state"]
        == "filed"
    )
    dispatched = director.post(
        f"{URL}/{case_id}/steps",
        {"name": "dispatch", "data": {"tier": "district", "unit": table.unit.pk}},
        content_type="application/json",
    ).json()
    assert (dispatched["state"], dispatched["owner_unit_name"]) == ("dispatched", table.unit.name)
    worker = client_of(department_staff(table))
    assert worker.post(
        f"{URL}/{case_id}/steps", {"name": "take"}, content_type="application/json"
    ).json()["actions"] == ["send_back", "feedback", "request_postpone", "escalate"]
    handled = worker.post(f"{URL}/{case_id}/feedback", {"note": "已清运", "photos": [photo()]})
    assert handled.json()["state"] == "handled"
    stale = reporter.post(
        f"{URL}/{case_id}/steps",
        {"name": "check_pass", "expected_state": "handling"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    # The stranger of the sibling grid neither lists nor reads it.
    stranger = client_of(world.users["stranger"])
    assert stranger.get(f"{URL}/").json()["count"] == 0
    assert stranger.get(f"{URL}/{case_id}").status_code == 404
    assert reporter.get(f"{URL}/?open=true").json()["count"] == 1
