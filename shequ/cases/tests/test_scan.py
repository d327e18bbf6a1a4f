"""The deadline scan: warnings before the deadline, reminders after it, each raised once."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from shequ.cases.models import Alert, Case, CaseEvent, Clock, Notification
from shequ.cases.scan import ScanResult, deadline_scan
from shequ.cases.services import case_extend
from shequ.cases.tests.factories import (
    bulk_cases,
    make_unit,
    move,
    on_day,
    open_application,
    unit_staff,
)
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World
from shequ.workdays import calendar

D = dt.date
TUESDAY = D(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def office(world: World) -> dict[str, Any]:
    """A unit with a handler, two leaders, and leaders who must not be told."""
    unit = make_unit(world.street, "U-CIVIL", "民政科")
    other = make_unit(world.street, "U-HOUSING", "住建科")
    return {
        "unit": unit,
        "handler": unit_staff(unit),
        "responder": world.users["window"],
        "leader": unit_staff(unit, Role.COMMUNITY_LEADER),
        "manager": unit_staff(unit, Role.STREET_MANAGER),
        "other_leader": unit_staff(other, Role.COMMUNITY_LEADER),
        # A leader over the region who works for no unit: not the unit's leader.
        "street": world.users["street"],
        # Holds a unit assignment, but not a leader role.
        "colleague": unit_staff(unit),
        "region": world.community,
    }


def one_case(office: dict[str, Any], due: dt.date | None, **kwargs: Any) -> Case:
    return bulk_cases(
        1,
        region=office["region"],
        unit=office["unit"],
        due=due,
        handler=office["handler"],
        first_responder=office["responder"],
        **kwargs,
    )[0]


def alerts() -> dict[int, int]:
    return dict(Case.objects.values_list("pk", "alert"))


def test_due_soon_and_overdue_cases_are_alerted_once_each(office: dict[str, Any]) -> None:
    due_today = one_case(office, TUESDAY)
    due_tomorrow = one_case(office, D(2026, 3, 11))
    due_later = one_case(office, D(2026, 3, 12))
    overdue = one_case(office, D(2026, 3, 9))
    warned_then_overdue = one_case(office, D(2026, 3, 6))
    Case.objects.filter(pk=warned_then_overdue.pk).update(alert=Alert.DUE_SOON)
    reminded = one_case(office, D(2026, 3, 5))
    Case.objects.filter(pk=reminded.pk).update(alert=Alert.OVERDUE)
    paused = one_case(office, D(2026, 3, 5), clock=Clock.PAUSED, state="correction")
    stopped = one_case(office, D(2026, 3, 5), clock=Clock.STOPPED, state="approved")
    idle = one_case(office, None, clock=Clock.IDLE, state="accepted")

    with on_day(TUESDAY):
        result = deadline_scan()

    assert result == ScanResult(due_soon=2, overdue=2)
    assert alerts() == {
        due_today.pk: Alert.DUE_SOON,
        due_tomorrow.pk: Alert.DUE_SOON,
        due_later.pk: Alert.NONE,
        overdue.pk: Alert.OVERDUE,
        warned_then_overdue.pk: Alert.OVERDUE,
        reminded.pk: Alert.OVERDUE,
        paused.pk: Alert.NONE,
        stopped.pk: Alert.NONE,
        idle.pk: Alert.NONE,
    }
    events = CaseEvent.objects.order_by("case_id").values_list(
        "case_id", "action", "actor_id", "actor_name", "from_state", "to_state", "data"
    )
    assert list(events) == [
        (
            case.pk,
            action,
            None,
            "system",
            "handling",
            "handling",
            {"due_date": due, "scanned_on": "2026-03-10"},
        )
        for case, action, due in (
            (due_today, "due_soon", "2026-03-10"),
            (due_tomorrow, "due_soon", "2026-03-11"),
            (overdue, "overdue", "2026-03-09"),
            (warned_then_overdue, "overdue", "2026-03-06"),
        )
    ]

    with on_day(TUESDAY):
        again = deadline_scan()

    assert again == ScanResult(due_soon=0, overdue=0)
    assert CaseEvent.objects.count() == 4
    # One digest per person and level: handler and first responder for the two warnings;
    # they and the unit's two leaders for the two reminders.
    assert Notification.objects.count() == 2 + 4


def test_a_warning_goes_to_the_handler_and_first_responder(office: dict[str, Any]) -> None:
    case = one_case(office, D(2026, 3, 11))

    deadline_scan(TUESDAY)

    received = Notification.objects.values_list("user_id", "case_id", "text")
    assert sorted(received) == sorted(
        (office[who].pk, case.pk, f"Due on 2026-03-11: {case.tracking_code} 申请 0")
        for who in ("handler", "responder")
    )


def test_a_reminder_also_goes_to_the_leaders_of_the_owning_unit(office: dict[str, Any]) -> None:
    case = one_case(office, D(2026, 3, 9))

    deadline_scan(TUESDAY)

    received = Notification.objects.values_list("user_id", "case_id", "text")
    assert sorted(received) == sorted(
        (office[who].pk, case.pk, f"Overdue since 2026-03-09: {case.tracking_code} 申请 0")
        for who in ("handler", "responder", "leader", "manager")
    )


def test_several_cases_make_one_digest_per_person_linking_to_the_queue(
    office: dict[str, Any],
) -> None:
    cases = [one_case(office, D(2026, 3, 9)) for _ in range(10)]
    own = bulk_cases(
        1,
        region=office["region"],
        unit=office["unit"],
        due=D(2026, 3, 9),
        handler=office["colleague"],
        first_responder=office["responder"],
    )[0]

    assert deadline_scan(TUESDAY) == ScanResult(due_soon=0, overdue=11)

    received = {
        user: (case, text, url)
        for user, case, text, url in Notification.objects.values_list(
            "user_id", "case_id", "text", "url"
        )
    }
    assert set(received) == {
        office[who].pk for who in ("handler", "responder", "leader", "manager", "colleague")
    }
    case, text, url = received[office["handler"].pk]
    assert (case, url) == (None, "/cases/?due=overdue")
    assert text.startswith("10 matters are overdue: ") and text.endswith(" …")
    assert all(c.tracking_code in text for c in cases[:8])
    assert cases[8].tracking_code not in text
    assert received[office["responder"].pk][1].startswith("11 matters are overdue: ")
    # One case for the colleague: the message about it, pointing at the case.
    assert received[office["colleague"].pk] == (
        own.pk,
        f"Overdue since 2026-03-09: {own.tracking_code} 申请 0",
        "",
    )
    assert CaseEvent.objects.filter(action="overdue").count() == 11


def test_a_case_without_handler_or_unit_still_gets_its_timeline_event(
    office: dict[str, Any],
) -> None:
    case = bulk_cases(1, region=office["region"], unit=None, due=D(2026, 3, 9))[0]

    assert deadline_scan(TUESDAY) == ScanResult(due_soon=0, overdue=1)

    assert Notification.objects.count() == 0
    assert list(CaseEvent.objects.values_list("case_id", "action")) == [(case.pk, "overdue")]


def test_the_warning_window_counts_working_days_over_a_weekend_and_a_holiday(
    office: dict[str, Any],
) -> None:
    monday = one_case(office, D(2026, 3, 16))
    after_labour_day = one_case(office, D(2026, 5, 6))

    # Friday: one working day left reaches Monday.
    assert deadline_scan(D(2026, 3, 13)) == ScanResult(due_soon=1, overdue=0)
    # 30 April: the next working day is 6 May, after the Labour Day holiday.
    assert deadline_scan(D(2026, 4, 30)) == ScanResult(due_soon=1, overdue=1)

    assert alerts() == {monday.pk: Alert.OVERDUE, after_labour_day.pk: Alert.DUE_SOON}


def test_a_warned_case_is_reminded_once_when_it_becomes_overdue(office: dict[str, Any]) -> None:
    case = one_case(office, D(2026, 3, 11))

    results = [deadline_scan(D(2026, 3, day)) for day in (10, 11, 12, 13)]

    assert results == [
        ScanResult(due_soon=1, overdue=0),
        ScanResult(due_soon=0, overdue=0),
        ScanResult(due_soon=0, overdue=1),
        ScanResult(due_soon=0, overdue=0),
    ]
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "due_soon",
        "overdue",
    ]


def test_a_paused_case_is_not_alerted_until_it_resumes(
    world: World, office: dict[str, Any]
) -> None:
    unit, handler = office["unit"], office["handler"]
    case = open_application(world, unit, on=D(2026, 3, 2), days=5)
    assert case.due_date == TUESDAY - dt.timedelta(days=1)
    move(case, "take", handler, D(2026, 3, 3))
    move(case, "request_correction", handler, D(2026, 3, 4), note="缺材料")

    with on_day(D(2026, 3, 20)):
        assert deadline_scan() == ScanResult(due_soon=0, overdue=0)

    # Resumed on Friday 20 March after 12 paused working days: due 9 + 12 = 25 March.
    move(case, "corrected", handler, D(2026, 3, 20))
    case.refresh_from_db()
    assert (case.due_date, case.alert) == (D(2026, 3, 25), Alert.NONE)

    assert deadline_scan(D(2026, 3, 24)) == ScanResult(due_soon=1, overdue=0)
    assert deadline_scan(D(2026, 3, 26)) == ScanResult(due_soon=0, overdue=1)


def test_an_extension_lets_the_warning_be_raised_again(office: dict[str, Any]) -> None:
    case = one_case(office, D(2026, 3, 11))
    assert deadline_scan(TUESDAY) == ScanResult(due_soon=1, overdue=0)

    with on_day(TUESDAY):
        case_extend(case=case, days=5, actor=office["handler"], note="专家评审")

    case.refresh_from_db()
    assert (case.due_date, case.alert) == (D(2026, 3, 18), Alert.NONE)
    assert deadline_scan(TUESDAY) == ScanResult(due_soon=0, overdue=0)
    assert deadline_scan(D(2026, 3, 17)) == ScanResult(due_soon=1, overdue=0)


@pytest.mark.parametrize("background", [10, 200])
def test_the_scan_runs_the_same_queries_whatever_the_number_of_open_cases(
    office: dict[str, Any], background: int, django_assert_num_queries: Any
) -> None:
    # Open cases far from their deadline, paused ones and finished ones do not count.
    bulk_cases(background, region=office["region"], unit=office["unit"], due=D(2026, 4, 30))
    bulk_cases(background, region=office["region"], unit=office["unit"], due=D(2026, 3, 2),
               clock=Clock.PAUSED, state="correction")  # fmt: skip
    bulk_cases(background, region=office["region"], unit=office["unit"], due=D(2026, 3, 2),
               clock=Clock.STOPPED, state="approved")  # fmt: skip
    for due in (D(2026, 3, 11), D(2026, 3, 11), D(2026, 3, 9), D(2026, 3, 6)):
        one_case(office, due)
    calendar.current()  # the holiday table is read once per process, not per scan

    # Per level: the batch's update (returning its rows), the leaders (overdue only), the
    # messages, the events, and the empty batch that ends the loop; each batch in its own
    # savepoint.
    with django_assert_num_queries(17):
        result = deadline_scan(TUESDAY)

    assert result == ScanResult(due_soon=2, overdue=2)
