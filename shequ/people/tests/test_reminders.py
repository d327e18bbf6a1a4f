"""The daily reminders: which visits are due, permits and tenancies ending, one digest a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from shequ.cases.models import Notification
from shequ.people.models import CareKind, DwellingUse, ResidenceStatus, VisitPlan
from shequ.people.reminders import reminders_find, reminders_send
from shequ.people.tests.care_builders import dwelling, person, tag, tenancy, visit
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.english

DAY = dt.date(2026, 11, 20)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


@pytest.fixture
def english_inbox(settings: Any) -> None:
    """Digests are written in the site's language: English here, to assert the wording."""
    settings.LANGUAGE_CODE = "en"


def test_permits_expiring_within_30_days_are_found_at_29_and_30_not_31(world: World) -> None:
    floating: dict[str, Any] = {"status": ResidenceStatus.FLOATING, "on": DAY}
    at29 = person(world.grid, residence_permit_expiry=days(29), **floating)
    at30 = person(world.grid, residence_permit_expiry=days(30), **floating)
    person(world.grid, residence_permit_expiry=days(31), **floating)
    person(world.grid, residence_permit_expiry=days(-1), **floating)
    person(world.grid, residence_permit_expiry=days(3), left_on=days(-5), **floating)
    today = person(world.grid, residence_permit_expiry=DAY, **floating)

    found = reminders_find(day=DAY)

    assert [p.person_id for p in found.permits] == [today.pk, at29.pk, at30.pk]


def test_the_window_is_a_setting(world: World, settings: Any) -> None:
    settings.PERMIT_REMINDER_DAYS = 10
    person(world.grid, on=DAY, status=ResidenceStatus.FLOATING, residence_permit_expiry=days(11))
    assert reminders_find(day=DAY).permits == []


def test_tenancies_ending_within_30_days(world: World) -> None:
    home = dwelling(world.grid, DwellingUse.RENTED)
    tenant = person(world.grid, on=DAY, status=ResidenceStatus.FLOATING)
    ending = tenancy(home, [tenant], starts=days(-300), ends=days(10))
    tenancy(home, [tenant], starts=days(-300), ends=days(40))
    tenancy(home, [tenant], starts=days(-700), ends=days(-1))

    assert [t.tenancy_id for t in reminders_find(day=DAY).tenancies] == [ending.pk]


def test_which_visits_are_due(world: World) -> None:
    worker = world.users["gridworker"]
    # Living alone: visited every 30 days (the plans seeded by the migration).
    late = person(world.grid, on=DAY, age=66)
    tag(late, CareKind.LIVING_ALONE, since=days(-400))
    visit(late, worker, on=days(-31))
    recent = person(world.grid, on=DAY, age=66)
    tag(recent, CareKind.LIVING_ALONE, since=days(-400))
    visit(recent, worker, on=days(-10))
    soon = person(world.grid, on=DAY, age=66)
    tag(soon, CareKind.LIVING_ALONE, since=days(-400))
    visit(soon, worker, on=days(-25))
    # Aged 70+ and never visited; 69 and untagged is nobody's concern.
    aged = person(world.grid, on=DAY, age=75)
    person(world.grid, on=DAY, age=69)
    # A visit's own next date wins over the plan.
    planned = person(world.grid, on=DAY, age=50)
    tag(planned, CareKind.LIVING_ALONE, since=days(-400))
    tag(planned, CareKind.DISABLED, since=days(-400))
    visit(planned, worker, on=days(-40), next_due=days(20))
    untagged = person(world.grid, on=DAY, age=40)
    visit(untagged, worker, on=days(-30), next_due=days(-2))
    # An older visit's next date does not count once a later visit set none.
    superseded = person(world.grid, on=DAY, age=40)
    visit(superseded, worker, on=days(-60), next_due=days(-30))
    visit(superseded, worker, on=days(-20))
    # Persons who left, and tags that ended, are not visited.
    gone = person(world.grid, on=DAY, age=80, left_on=days(-3))
    tag(gone, CareKind.LIVING_ALONE, since=days(-400))
    ended = person(world.grid, on=DAY, age=50)
    tag(ended, CareKind.LIVING_ALONE, since=days(-400), ended_on=days(-100))

    due = {v.person_id: v for v in reminders_find(day=DAY).visits}

    assert set(due) == {late.pk, soon.pk, aged.pk, untagged.pk}
    assert (due[late.pk].overdue, due[late.pk].due_on) == (True, days(-1))
    assert (due[soon.pk].overdue, due[soon.pk].due_on) == (False, days(5))
    assert (due[aged.pk].overdue, due[aged.pk].due_on, due[aged.pk].groups) == (
        True,
        None,
        frozenset({"aged_70"}),
    )
    assert due[untagged.pk].due_on == days(-2)
    # Overdue first: never visited, then by the day they fell due.
    order = [v.person_id for v in reminders_find(day=DAY).visits]
    assert order == [aged.pk, untagged.pk, late.pk, soon.pk]


def test_the_shortest_active_interval_counts(world: World) -> None:
    worker = world.users["gridworker"]
    both = person(world.grid, on=DAY, age=72)
    tag(both, CareKind.LIVING_ALONE, since=days(-400))
    visit(both, worker, on=days(-40))
    assert [v.due_on for v in reminders_find(day=DAY).visits] == [days(-10)]

    VisitPlan.objects.filter(kind=CareKind.LIVING_ALONE).update(active=False)
    # Only "aged 70+" remains: every 90 days, so due on day +50, beyond the week ahead.
    assert reminders_find(day=DAY).visits == []

    VisitPlan.objects.filter(kind="aged_70").update(interval_days=45)
    assert [v.due_on for v in reminders_find(day=DAY).visits] == [days(5)]


def test_the_scan_costs_the_same_queries_whatever_is_due(
    world: World, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        person(world.grid, on=DAY, age=80)
        person(world.grid, on=DAY, status=ResidenceStatus.FLOATING, residence_permit_expiry=DAY)
    # Plans, tags, candidates with their latest visit, permits, tenancies.
    with django_assert_num_queries(5):
        found = reminders_find(day=DAY, region=world.grid)
    assert (len(found.visits), len(found.permits)) == (5, 5)


@pytest.fixture
def due_world(world: World) -> World:
    """In the grid: one resident overdue, one due in 3 days, one permit and one lease ending.

    In the sibling grid: one resident never visited.
    """
    worker = world.users["gridworker"]
    overdue = person(world.grid, on=DAY, age=81)
    visit(overdue, worker, on=days(-120))
    soon = person(world.grid, on=DAY, age=50)
    tag(soon, CareKind.LEFT_BEHIND_ELDER, since=days(-400))
    visit(soon, worker, on=days(-27))
    floating = person(
        world.grid, on=DAY, status=ResidenceStatus.FLOATING, residence_permit_expiry=days(12)
    )
    tenancy(dwelling(world.grid, DwellingUse.RENTED), [floating], starts=days(-340), ends=days(25))
    person(world.sibling, on=DAY, age=90)
    return world


def test_one_digest_per_recipient(due_world: World, english_inbox: None) -> None:
    world = due_world
    result = reminders_send(day=DAY)

    assert (result.visits, result.permits, result.tenancies, result.sent) == (3, 1, 1, 3)
    notes = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(notes) == {"gridworker", "stranger", "director"}
    assert notes["gridworker"].text == (
        "In the area you look after: 2 residents due for a visit (1 overdue); "
        "1 residence permit expiring within 30 days; 1 tenancy ending within 30 days."
    )
    assert notes["gridworker"].url == f"/people/visits-due/?region={world.grid.pk}"
    assert notes["stranger"].text == (
        "In the area you look after: 1 resident due for a visit (1 overdue)."
    )
    # The community's leader hears only of the overdue visits, of both grids.
    assert notes["director"].text == (
        "In the area you look after: 2 residents overdue for a visit."
    )
    assert notes["director"].url == f"/people/visits-due/?region={world.community.pk}"
    assert all(n.case_id is None and n.read_at is None for n in notes.values())


def test_a_second_run_the_same_day_sends_nothing(due_world: World) -> None:
    reminders_send(day=DAY)
    before = list(Notification.objects.values_list("pk", "user_id", "text"))

    again = reminders_send(day=DAY)

    assert again.sent == 0
    assert list(Notification.objects.values_list("pk", "user_id", "text")) == before
    # The next day brings the next digest.
    assert reminders_send(day=days(1)).sent == 3
    assert Notification.objects.count() == 6


def test_nothing_due_sends_nothing(world: World) -> None:
    assert reminders_send(day=DAY).sent == 0
    assert Notification.objects.count() == 0


def test_the_digest_opens_the_due_page_in_the_inbox(due_world: World, client: Client) -> None:
    reminders_send(day=DAY)
    client.force_login(due_world.users["gridworker"])
    page = client.get("/cases/inbox/").content.decode()
    assert f'href="/people/visits-due/?region={due_world.grid.pk}"' in page


def test_the_scan_is_a_daily_job_of_the_scheduler(due_world: World) -> None:
    from shequ.core.scheduler import registered_jobs
    from shequ.people.reminders import reminders_task

    job = next(j for j in registered_jobs() if j.name == "people.reminders")
    assert (job.task, job.every) == (reminders_task, dt.timedelta(days=1))
    result = reminders_task.call()
    assert result["sent"] == Notification.objects.count()
