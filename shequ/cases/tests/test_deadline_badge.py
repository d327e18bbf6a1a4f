"""The deadline badge of the work queue and the case page, across a weekend."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.cases.models import Case
from shequ.cases.tests.pages import Hall, accept, at, login
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_case_due_on_friday_is_past_its_date_on_sunday_and_one_day_over_on_monday(
    world: World, hall: Hall
) -> None:
    """No working day has passed over a weekend: the badge says the date is past, not
    "0 working days overdue"; on Monday it counts one."""
    client = login(hall.back)
    with at("2026-03-12"):
        case = accept(world, hall)
    Case.objects.filter(pk=case.pk).update(due_date=dt.date(2026, 3, 13))
    with at("2026-03-15"):
        sunday = client.get(f"/cases/{case.pk}/").content.decode()
        queue_page = client.get("/cases/").content.decode()
    assert "Past its due date" in sunday
    assert "0 working days overdue" not in sunday
    assert "0 working days overdue" not in queue_page
    assert "Past its due date" in queue_page
    with at("2026-03-16"):
        monday = client.get(f"/cases/{case.pk}/").content.decode()
    assert "1 working day overdue" in monday
