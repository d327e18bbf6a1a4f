"""The demo register's care tags, visits, tenancies and moves, and the reminders they give."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F

from shequ.accounts.models import User
from shequ.audit.models import AuditEvent
from shequ.cases.models import Notification
from shequ.demo.care import CareMaker, Resident
from shequ.demo.services import SeedReport, demo_seed
from shequ.people.models import (
    CareKind,
    CareTag,
    DwellingUse,
    MoveKind,
    Person,
    PersonMove,
    ResidenceStatus,
    Tenancy,
    Visit,
)
from shequ.people.reminders import reminders_find
from shequ.people.services_care import tag_details
from shequ.regions.models import Region
from shequ.workdays.calendar import today

PERSONS = 6000
SEED = 7


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeedReport]:
    """One load for the module (a few seconds), rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_seed(seed=SEED, persons=PERSONS)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(loaded: SeedReport, db: None) -> SeedReport:
    return loaded


def test_the_tags_have_the_shares_communities_report(demo: SeedReport) -> None:
    persons = Person.objects.filter(left_on__isnull=True).count()
    kinds = Counter(CareTag.objects.values_list("kind", flat=True))

    assert set(kinds) >= set(CareKind.values) - {CareKind.EXTREME_POVERTY}
    assert 0.04 < kinds[CareKind.DISABLED] / persons < 0.08
    assert 0.01 < kinds[CareKind.LOW_INCOME] / persons < 0.035
    assert kinds[CareKind.EXTREME_POVERTY] < kinds[CareKind.LIVING_ALONE] / 10
    grades = Counter(CareTag.objects.filter(kind=CareKind.DISABLED).values_list("grade", flat=True))
    assert set(grades) == {1, 2, 3, 4}
    assert not CareTag.objects.exclude(kind=CareKind.DISABLED).filter(grade__isnull=False)
    # Certificates of the sensitive kinds are sealed, and open.
    disabled = CareTag.objects.filter(kind=CareKind.DISABLED).first()
    assert disabled is not None and disabled.details_enc.startswith("v1:")
    assert tag_details(disabled)["certificate"].endswith(str(disabled.grade))


def test_living_alone_means_a_household_of_one(demo: SeedReport) -> None:
    alone = CareTag.objects.filter(kind=CareKind.LIVING_ALONE).select_related("person")
    households: Counter[int | None] = Counter(Person.objects.values_list("household_id", flat=True))
    assert alone.exists()
    for tag in alone:
        assert households[tag.person.household_id] == 1


def test_visits_lie_in_the_past_and_most_of_the_aged_were_visited(demo: SeedReport) -> None:
    day = today()
    assert not Visit.objects.filter(visited_on__gt=day).exists()
    assert not Visit.objects.filter(next_due__lte=F("visited_on")).exists()
    aged = Person.objects.filter(birth_date__lte=day.replace(year=day.year - 70))
    visited = aged.filter(visits__isnull=False).distinct().count()
    assert visited / aged.count() > 0.8
    assert all(
        v.region_id == v.person.region_id for v in Visit.objects.select_related("person")[:300]
    )


def test_tenancies_are_on_rented_dwellings_with_their_tenants(demo: SeedReport) -> None:
    day = today()
    leases = Tenancy.objects.prefetch_related("tenants").select_related("dwelling")
    assert leases.count() > 50
    for lease in leases[:300]:
        assert lease.dwelling.use == DwellingUse.RENTED
        assert lease.starts_on <= day < lease.ends_on + dt.timedelta(days=3)
        tenants = list(lease.tenants.all())
        assert tenants
        assert all(t.dwelling_id == lease.dwelling_id or t.moves.exists() for t in tenants)
        assert all(t.residence_status != ResidenceStatus.REGISTERED for t in tenants)


def test_a_few_moved_and_a_few_left(demo: SeedReport) -> None:
    moves = PersonMove.objects.all()
    assert 1 <= moves.count() <= PERSONS // 100
    for move in moves.filter(kind=MoveKind.LEFT):
        assert move.person.left_on == move.on
        assert not move.person.care_tags.exists()
    for move in moves.filter(kind=MoveKind.MOVED):
        assert move.person.dwelling_id == move.to_dwelling_id != move.from_dwelling_id


def test_the_demo_grid_worker_has_reminders_and_a_digest(demo: SeedReport) -> None:
    grid = Region.objects.get(code="130105001001001")
    found = reminders_find(region=grid)
    assert found.visits
    assert found.permits
    note = Notification.objects.get(
        user=User.objects.get(username="grid"), key__startswith="people.reminders"
    )
    assert note.url == f"/people/visits-due/?region={grid.pk}"
    assert note.key == f"people.reminders:{today().isoformat()}"
    assert demo.counts["reminders"] == Notification.objects.filter(key=note.key).count()


def test_the_load_event_counts_the_care_records(demo: SeedReport) -> None:
    event = AuditEvent.objects.get(action="import", object_type="demo.seed")
    assert event.changes["care_tags"] == CareTag.objects.count()
    assert event.changes["visits"] == Visit.objects.count()
    assert event.changes["tenancies"] == Tenancy.objects.count()


def test_the_same_seed_and_day_give_the_same_tags() -> None:
    day = dt.date(2026, 11, 20)
    residents = [
        Resident(i, 1, dt.date(1940 + i % 80, 1 + i % 12, 1), ResidenceStatus.REGISTERED,
                 i // 3 if i % 5 else None, None, "head", "M")
        for i in range(1, 3000)
    ]  # fmt: skip
    first = CareMaker(seed=SEED, today=day, stamp=None).tags(residents)
    again = CareMaker(seed=SEED, today=day, stamp=None).tags(residents)
    other = CareMaker(seed=SEED + 1, today=day, stamp=None).tags(residents)
    assert first == again
    assert first != other
