"""Deadlines in working days of the 2026 Chinese calendar: start, pause, resume, extend, stop."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shequ.audit.models import AuditEvent
from shequ.cases.models import Alert, Case, CaseEvent, Clock
from shequ.cases.services import case_extend
from shequ.cases.tests.factories import make_unit, move, on_day, open_application, unit_staff
from shequ.regions.tests.factories import World

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in the source language; the translation is checked elsewhere."""
    with translation.override("en"):
        yield


def test_accepted_on_11_february_with_5_days_is_due_after_the_spring_festival(
    world: World,
) -> None:
    # Thu 12, Fri 13, Sat 14 (make-up day), then 15-23 off, Tue 24, Wed 25.
    case = open_application(world, make_unit(world.street), on=D(2026, 2, 11), days=5)

    case.refresh_from_db()
    assert (case.clock, case.started_on, case.due_date) == (
        Clock.RUNNING,
        D(2026, 2, 11),
        D(2026, 2, 25),
    )
    assert (case.due_provisional, case.alert, case.paused_on) == (False, Alert.NONE, None)


def test_a_pause_for_materials_moves_the_deadline_by_the_paused_working_days(
    world: World,
) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    # Accepted Mon 27 April, 5 days: 28, 29, 30 April, then 1-5 May off, 6 and 7 May.
    case = open_application(world, unit, on=D(2026, 4, 27), days=5)
    assert case.due_date == D(2026, 5, 7)
    move(case, "take", handler, D(2026, 4, 28))

    paused = move(case, "request_correction", handler, D(2026, 4, 29), note="缺户口簿复印件")

    paused.refresh_from_db()
    assert (paused.state, paused.clock, paused.paused_on, paused.due_date) == (
        "correction",
        Clock.PAUSED,
        D(2026, 4, 29),
        D(2026, 5, 7),
    )

    resumed = move(case, "corrected", world.users["window"], D(2026, 5, 8))

    # Paused: 30 April, 6, 7 and 8 May = 4 working days; 7 May + 4 = Fri 8, Sat 9 (make-up
    # day), Mon 11, Tue 12.
    resumed.refresh_from_db()
    assert (resumed.state, resumed.clock, resumed.paused_on, resumed.due_date) == (
        "handling",
        Clock.RUNNING,
        None,
        D(2026, 5, 12),
    )
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.action, event.from_state, event.to_state) == (
        "corrected",
        "correction",
        "handling",
    )
    assert event.data == {"paused_working_days": 4, "due_date": "2026-05-12"}


def test_a_pause_over_the_spring_festival_counts_only_the_make_up_day_and_the_resume_day(
    world: World,
) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    case = open_application(world, unit, on=D(2026, 2, 11), days=5)
    move(case, "take", handler, D(2026, 2, 12))
    move(case, "request_correction", handler, D(2026, 2, 13), note="缺材料")

    move(case, "corrected", handler, D(2026, 2, 24))

    # Paused working days: Sat 14 February (make-up) and Tue 24 = 2; 25 February + 2 = 27.
    case.refresh_from_db()
    assert case.due_date == D(2026, 2, 27)


def test_a_pause_and_resume_on_the_same_day_leaves_the_deadline(world: World) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    case = open_application(world, unit, on=D(2026, 3, 2), days=10)
    move(case, "take", handler, D(2026, 3, 3))
    move(case, "request_correction", handler, D(2026, 3, 4), note="缺材料")

    move(case, "corrected", handler, D(2026, 3, 4))

    case.refresh_from_db()
    assert (case.clock, case.due_date) == (Clock.RUNNING, D(2026, 3, 16))


def test_an_approved_extension_moves_the_deadline_by_working_days(world: World) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    case = open_application(world, unit, on=D(2026, 4, 27), days=5)
    Case.objects.filter(pk=case.pk).update(alert=Alert.DUE_SOON)

    with on_day(D(2026, 5, 6)):
        extended = case_extend(case=case, days=3, actor=handler, note="需要实地核查")

    # 7 May + 3 = Fri 8, Sat 9 (make-up), Mon 11; the warning may be raised again.
    extended.refresh_from_db()
    assert (extended.due_date, extended.alert, extended.due_provisional) == (
        D(2026, 5, 11),
        Alert.NONE,
        False,
    )
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.action, event.note) == ("extend", "需要实地核查")
    assert event.data == {"days": 3, "from": "2026-05-07", "to": "2026-05-11"}


@pytest.mark.parametrize(
    ("days", "note", "field"),
    [(0, "需要实地核查", "days"), (-2, "需要实地核查", "days"), (3, "  ", "note")],
)
def test_an_extension_without_days_or_reason_is_refused_and_changes_nothing(
    world: World, days: int, note: str, field: str
) -> None:
    unit = make_unit(world.street)
    case = open_application(world, unit, on=D(2026, 4, 27), days=5)
    events, audits = CaseEvent.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        case_extend(case=case, days=days, actor=unit_staff(unit), note=note)

    assert list(error.value.message_dict) == [field]
    case.refresh_from_db()
    assert case.due_date == D(2026, 5, 7)
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_a_finished_case_cannot_be_extended(world: World) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    case = open_application(world, unit, on=D(2026, 4, 27), days=5)
    move(case, "take", handler, D(2026, 4, 28))
    move(case, "approve", handler, D(2026, 4, 29))
    events = CaseEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        case_extend(case=case, days=3, actor=handler, note="需要实地核查")

    assert error.value.message_dict == {"days": ["Only a matter whose clock runs can be extended"]}
    case.refresh_from_db()
    assert (case.clock, case.due_date, CaseEvent.objects.count()) == (
        Clock.STOPPED,
        D(2026, 5, 7),
        events,
    )


def test_national_day_2026_is_skipped_and_its_make_up_saturday_counts(world: World) -> None:
    # Accepted Wed 30 September: 1-7 October off, Thu 8, Fri 9, Sat 10 (make-up), 11 is a
    # Sunday, Mon 12, Tue 13.
    case = open_application(world, make_unit(world.street), on=D(2026, 9, 30), days=5)

    assert (case.due_date, case.due_provisional) == (D(2026, 10, 13), False)


def test_the_make_up_sunday_before_national_day_is_a_working_day(world: World) -> None:
    # Accepted Fri 18 September: Sat 19 off, Sun 20 (make-up) counts, then Mon 21, Tue 22.
    case = open_application(world, make_unit(world.street), on=D(2026, 9, 18), days=3)

    assert case.due_date == D(2026, 9, 22)


def test_a_deadline_reaching_into_2027_is_provisional(world: World) -> None:
    # No 2027 schedule yet: Monday to Friday is assumed, 1 January 2027 included.
    case = open_application(world, make_unit(world.street), on=D(2026, 12, 24), days=10)

    case.refresh_from_db()
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 7), True)


def test_an_extension_into_2027_makes_the_deadline_provisional(world: World) -> None:
    unit = make_unit(world.street)
    case = open_application(world, unit, on=D(2026, 12, 14), days=5)
    assert (case.due_date, case.due_provisional) == (D(2026, 12, 21), False)

    with on_day(D(2026, 12, 18)):
        case_extend(case=case, days=10, actor=unit_staff(unit), note="专家评审")

    case.refresh_from_db()
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 4), True)


def test_finishing_on_the_due_date_is_on_time_and_a_day_later_is_not(world: World) -> None:
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    on_time = open_application(world, unit, on=D(2026, 2, 11), days=5)
    late = open_application(world, unit, on=D(2026, 2, 11), days=5)
    for case in (on_time, late):
        move(case, "take", handler, D(2026, 2, 12))

    move(on_time, "approve", handler, D(2026, 2, 25))
    move(late, "approve", handler, D(2026, 2, 26))

    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.clock, on_time.finished_on_time) == (Clock.STOPPED, True)
    assert (late.clock, late.finished_on_time) == (Clock.STOPPED, False)
    assert on_time.finished_at is not None


def test_a_case_opened_without_the_clock_has_no_deadline_until_it_starts(world: World) -> None:
    from shequ.cases.services import case_open

    with on_day(D(2026, 2, 11)):
        case = case_open(
            case_type="application",
            actor=world.users["window"],
            region=world.community,
            title="证明开具",
            requester_name="张三",
            promised_days=5,
            start_clock=False,
        )

    case.refresh_from_db()
    assert (case.clock, case.started_on, case.due_date) == (Clock.IDLE, None, None)
