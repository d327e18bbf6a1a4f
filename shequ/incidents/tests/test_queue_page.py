"""The incident work queues and the incident's part of the case page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from shequ.cases.services import case_transition
from shequ.incidents.models import Tier
from shequ.incidents.services_loop import incident_dispatch
from shequ.incidents.tests.loop import department_staff, draw_grids, fresh, report
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db


def page(user: object, url: str, **params: str) -> object:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client.get(url, params)


def listed(response: object) -> list[int]:
    return [row["case"].pk for row in response.context["rows"]]  # type: ignore[attr-defined]


def test_each_role_sees_its_step(world: World, table: Table) -> None:
    draw_grids(world)
    worker = department_staff(table)
    url = reverse("incidents:queue")
    with freeze_time("2026-03-02 02:00:00"):
        incident = report(world, table)
        director = world.users["director"]
        assert listed(page(director, url, tab="dispatch")) == [incident.pk]
        case_transition(case=fresh(incident), name="file", actor=director)
        incident_dispatch(case=fresh(incident), actor=director, tier=Tier.DISTRICT, unit=table.unit)
        assert listed(page(director, url, tab="dispatch")) == []
        handle = page(worker, url, tab="handle")
        assert listed(handle) == [incident.pk]
        # The grid worker does not handle what went to a department.
        assert listed(page(world.users["gridworker"], url, tab="handle")) == []
        assert listed(page(world.users["stranger"], url, tab="verify")) == []
    # 4 working hours from 10:00: overdue at 16:00.
    with freeze_time("2026-03-02 08:00:00"):
        row = page(worker, url, tab="handle").context["rows"][0]  # type: ignore[attr-defined]
        assert (row["deadline"].mark, row["deadline"].hours_over) == ("overdue", 1)


def test_the_case_page_shows_the_incident_with_its_photos_and_dispatch_fields(
    world: World, table: Table
) -> None:
    incident = report(world, table)
    director = world.users["director"]
    case_transition(case=fresh(incident), name="file", actor=director)
    response = page(director, reverse("cases:case-detail", args=[incident.pk]))
    html = response.content.decode()  # type: ignore[attr-defined]
    assert 'data-testid="incident"' in html and 'data-testid="dispatch-fields"' in html
    assert 'data-testid="photo-before"' in html
    photo = incident.photos.get()
    client = Client()
    client.force_login(director)
    assert client.get(reverse("incidents:photo", args=[photo.pk])).status_code == 200
    stranger = Client()
    stranger.force_login(world.users["stranger"])
    assert stranger.get(reverse("incidents:photo", args=[photo.pk])).status_code == 404


def test_the_dispatch_button_carries_tier_and_unit(world: World, table: Table) -> None:
    incident = report(world, table)
    director = world.users["director"]
    case_transition(case=fresh(incident), name="file", actor=director)
    client = Client()
    client.force_login(director)
    client.post(
        reverse("cases:case-transition", args=[incident.pk]),
        {
            "name": "dispatch",
            "expected_state": "filed",
            "data_tier": "district",
            "data_unit": str(table.unit.pk),
        },
    )
    case = fresh(incident)
    assert (case.state, case.owner_unit) == ("dispatched", table.unit)
