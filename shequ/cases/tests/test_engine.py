"""The engine on the application type: sources, roles, notes, handlers, conflicts, timeline."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from shequ.audit.models import AuditEvent
from shequ.cases.models import Case, CaseEvent, Clock, IdempotencyKey, Notification
from shequ.cases.registry import get_type
from shequ.cases.services import CaseConflict, case_open, case_transition
from shequ.cases.tests.factories import (
    make_unit,
    move,
    on_day,
    open_application,
    region_staff,
    unit_staff,
)
from shequ.regions.models import Region, RoleAssignment
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World

D = dt.date
TODAY = D(2026, 3, 2)
APPLICATION = get_type("application")
STATES = list(APPLICATION.states)
NAMES = [t.name for t in APPLICATION.transitions]
NOTES = {"request_correction", "reject", "refuse"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in the source language; the translation is checked elsewhere."""
    with translation.override("en"):
        yield


def yuyuan(world: World) -> Region:
    """The community of the other street: where the case is accepted (全区通办)."""
    return Region.objects.get(code="130105002001")


def put_in_state(case: Case, state: str) -> Case:
    """Set the state directly, with the clock that state has in real life."""
    if state == "correction":
        clock, paused_on = Clock.PAUSED, TODAY
    elif state in {"approved", "rejected", "delivered", "refused"}:
        clock, paused_on = Clock.STOPPED, None
    else:
        clock, paused_on = Clock.RUNNING, None
    Case.objects.filter(pk=case.pk).update(state=state, clock=clock, paused_on=paused_on)
    case.refresh_from_db()
    return case


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.state,
        case.clock,
        case.due_date,
        case.handler_id,
        case.updated_at,
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def cast(world: World) -> dict[str, Any]:
    """The owning unit sits at the first street; the case is accepted in the other street.

    So "back office of the owning unit" and "back office over the case's region" are
    different people, and each path of the permission check is exercised on its own.
    """
    unit = make_unit(world.street, "U-CIVIL", "民政科")
    other_unit = make_unit(world.street, "U-HOUSING", "住建科")
    here = yuyuan(world)
    mixed = unit_staff(unit)
    RoleAssignment.objects.create(user=mixed, role=Role.WINDOW_WORKER, region=world.community)
    people: dict[str, Any] = {
        "unit_back": unit_staff(unit),
        "region_back": region_staff(world.other_street),
        "window": region_staff(here, Role.WINDOW_WORKER),
        "other_back": region_staff(world.street),
        "other_unit_back": unit_staff(other_unit),
        "far_window": world.users["window"],
        "mixed": mixed,
        "director": region_staff(here, Role.COMMUNITY_LEADER),
        "admin": world.users["admin"],
        "supervisor": world.users["supervisor"],
    }
    with on_day(TODAY):
        case = case_open(
            case_type="application",
            actor=people["window"],
            region=here,
            title="最低生活保障申请",
            requester_name="张三",
            requester_phone="13800138000",
            owner_unit=unit,
            promised_days=10,
            first_responder=people["window"],
        )
    return {"case": case, "unit": unit, **people}


BACK_ONLY = {"unit_back", "region_back", "mixed"}
EITHER = BACK_ONLY | {"window"}
ALLOWED = {
    "take": BACK_ONLY,
    "request_correction": BACK_ONLY,
    "corrected": EITHER,
    "approve": BACK_ONLY,
    "reject": BACK_ONLY,
    "deliver": EITHER,
    # The mixed user is a window worker, but not over this case's region: refused.
    "refuse": {"window"},
}
ACTORS = [
    "unit_back",
    "region_back",
    "window",
    "other_back",
    "other_unit_back",
    "far_window",
    "mixed",
    "director",
    "admin",
    "supervisor",
]


def test_the_allowed_table_covers_every_transition_of_the_type() -> None:
    assert sorted(ALLOWED) == sorted(NAMES)
    assert NAMES == [
        "take",
        "request_correction",
        "corrected",
        "approve",
        "reject",
        "deliver",
        "refuse",
    ]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("state", STATES)
def test_a_transition_moves_only_from_its_sources(
    cast: dict[str, Any], name: str, state: str
) -> None:
    transition = APPLICATION.transition(name)
    assert transition is not None
    actor = cast["window"] if name == "refuse" else cast["unit_back"]
    case = put_in_state(cast["case"], state)
    before = snapshot(case)

    with on_day(TODAY):
        if state in transition.sources:
            moved = case_transition(case=case, name=name, actor=actor, note="说明")
            moved.refresh_from_db()
            assert moved.state == transition.target
            event = CaseEvent.objects.filter(case=case).last()
            assert event is not None
            assert (event.action, event.from_state, event.to_state, event.actor_id) == (
                name,
                state,
                transition.target,
                actor.pk,
            )
            assert AuditEvent.objects.count() == before[6] + 1
        else:
            with pytest.raises(CaseConflict):
                case_transition(case=case, name=name, actor=actor, note="说明")
            assert snapshot(case) == before


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("who", ACTORS)
def test_a_transition_is_only_for_its_roles(cast: dict[str, Any], name: str, who: str) -> None:
    transition = APPLICATION.transition(name)
    assert transition is not None
    case = put_in_state(cast["case"], transition.sources[0])
    before = snapshot(case)

    with on_day(TODAY):
        if who in ALLOWED[name]:
            moved = case_transition(case=case, name=name, actor=cast[who], note="说明")
            assert moved.state == transition.target
        else:
            with pytest.raises(PermissionDenied):
                case_transition(case=case, name=name, actor=cast[who], note="说明")
            assert snapshot(case) == before


def test_back_office_of_the_owning_unit_reaches_a_case_accepted_anywhere(
    cast: dict[str, Any], world: World
) -> None:
    # The unit's handler holds no role over the other street: the unit alone lets him in.
    assert Region.objects.get(pk=cast["case"].region_id).path.startswith(world.other_street.path)
    assert not cast["case"].region.path.startswith(world.street.path)

    with on_day(TODAY):
        taken = case_transition(case=cast["case"], name="take", actor=cast["unit_back"])

    assert (taken.state, taken.handler_id) == ("handling", cast["unit_back"].pk)


def test_the_system_may_take_any_transition(cast: dict[str, Any]) -> None:
    with on_day(TODAY):
        moved = case_transition(case=cast["case"], name="take", actor=None)

    assert (moved.state, moved.handler_id) == ("handling", None)
    event = CaseEvent.objects.filter(case=moved).last()
    assert event is not None
    assert (event.actor_id, event.actor_name) == (None, "system")


@pytest.mark.parametrize("name", sorted(NOTES))
@pytest.mark.parametrize("note", ["", "   \n"])
def test_a_transition_that_needs_a_note_is_refused_without_one(
    cast: dict[str, Any], name: str, note: str
) -> None:
    transition = APPLICATION.transition(name)
    assert transition is not None and transition.needs_note
    actor = cast["window"] if name == "refuse" else cast["unit_back"]
    case = put_in_state(cast["case"], transition.sources[0])
    before = snapshot(case)

    with on_day(TODAY), pytest.raises(ValidationError) as error:
        case_transition(case=case, name=name, actor=actor, note=note)

    assert error.value.message_dict == {"note": ["Give a reason"]}
    assert snapshot(case) == before


def test_only_the_three_refusing_steps_need_a_note() -> None:
    assert {t.name for t in APPLICATION.transitions if t.needs_note} == NOTES


def test_take_makes_the_actor_the_handler_and_other_steps_keep_him(
    cast: dict[str, Any],
) -> None:
    case = cast["case"]
    assert case.handler_id is None

    move(case, "take", cast["region_back"], TODAY)
    move(case, "request_correction", cast["unit_back"], TODAY, note="缺材料")
    move(case, "corrected", cast["window"], D(2026, 3, 3))

    case.refresh_from_db()
    assert (case.state, case.handler_id, case.first_responder_id) == (
        "handling",
        cast["region_back"].pk,
        cast["window"].pk,
    )


def test_a_stale_expected_state_raises_a_conflict_naming_who_moved_it(
    cast: dict[str, Any],
) -> None:
    case = cast["case"]
    first, second = cast["unit_back"], cast["region_back"]
    with on_day(TODAY):
        case_transition(case=case, name="take", actor=first, expected_state="accepted")
    last = CaseEvent.objects.filter(case=case).last()
    assert last is not None
    before = snapshot(case)

    with on_day(TODAY), pytest.raises(CaseConflict) as error:
        # The second handler saw "accepted" and presses "approve", allowed from "handling".
        case_transition(case=case, name="approve", actor=second, expected_state="accepted")

    assert str(error.value) == (
        f"This matter was just moved to “Being handled” by {first.name} at "
        f"{timezone.localtime(last.at):%H:%M:%S}. Reload the page to see it."
    )
    assert snapshot(case) == before


def test_the_expected_state_that_matches_lets_the_step_through(cast: dict[str, Any]) -> None:
    with on_day(TODAY):
        moved = case_transition(
            case=cast["case"], name="take", actor=cast["unit_back"], expected_state="accepted"
        )

    assert moved.state == "handling"


def test_an_unknown_transition_is_refused(cast: dict[str, Any]) -> None:
    case = cast["case"]
    before = snapshot(case)

    with pytest.raises(ValidationError) as error:
        case_transition(case=case, name="archive", actor=cast["unit_back"])

    assert error.value.message_dict == {"action": ["Unknown action archive"]}
    assert snapshot(case) == before


def test_a_transition_notifies_the_handler_and_first_responder_but_not_the_actor(
    cast: dict[str, Any],
) -> None:
    case = cast["case"]
    move(case, "take", cast["unit_back"], TODAY)
    assert list(Notification.objects.values_list("user_id", flat=True)) == [cast["window"].pk]

    move(case, "approve", cast["unit_back"], TODAY)

    case.refresh_from_db()
    texts = list(Notification.objects.order_by("id").values_list("user_id", "text"))
    assert texts == [
        (cast["window"].pk, f"{case.tracking_code} 最低生活保障申请: Being handled"),
        (cast["window"].pk, f"{case.tracking_code} 最低生活保障申请: Approved"),
    ]


def test_a_step_that_tells_the_requester_texts_after_commit(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    case = cast["case"]
    move(case, "take", cast["unit_back"], TODAY)

    with (
        mock.patch("shequ.core.sms.LoggingSender.send", return_value="ok") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        move(case, "request_correction", cast["unit_back"], TODAY, note="缺户口簿")
        # Nothing leaves before the transaction commits.
        assert send.call_count == 0

    send.assert_called_once_with(
        "13800138000",
        f"Your matter {case.tracking_code} is now: Waiting for materials. Details: look it up "
        "with the code and the last 4 digits of your phone.",
    )


def test_a_step_that_does_not_tell_the_requester_sends_nothing(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch("shequ.core.sms.LoggingSender.send") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        move(cast["case"], "take", cast["unit_back"], TODAY)

    assert send.call_count == 0


def test_opening_records_the_open_event_and_the_audit(world: World) -> None:
    audits = AuditEvent.objects.count()

    case = open_application(world, make_unit(world.street), on=D(2026, 2, 11))

    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        "open",
        "",
        "accepted",
        world.users["window"].pk,
    )
    assert AuditEvent.objects.count() == audits + 1
    assert (case.requester_phone_masked, case.requester_phone_tail) == ("138****8000", "8000")
    assert case.requester_phone_enc not in ("", "13800138000")


def test_an_idempotency_key_returns_the_same_case_on_retry(world: World) -> None:
    window, unit = world.users["window"], make_unit(world.street)

    def open_it() -> Case:
        return case_open(
            case_type="application",
            actor=window,
            region=world.community,
            title="最低生活保障申请",
            requester_name="张三",
            owner_unit=unit,
            promised_days=5,
            idempotency_key="req-7f3a",
        )

    first = open_it()
    counts = (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())

    again = open_it()

    assert again.pk == first.pk
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == counts
    assert IdempotencyKey.objects.filter(key="req-7f3a").count() == 1


def test_the_same_key_from_another_user_opens_another_case(world: World) -> None:
    unit = make_unit(world.street)
    cases = [
        case_open(
            case_type="application",
            actor=actor,
            region=world.community,
            title="最低生活保障申请",
            requester_name="张三",
            owner_unit=unit,
            idempotency_key="req-7f3a",
        )
        for actor in (world.users["window"], world.users["director"])
    ]

    assert cases[0].pk != cases[1].pk


def test_the_timeline_is_append_only(cast: dict[str, Any]) -> None:
    event = CaseEvent.objects.get(case=cast["case"])
    event.note = "改写"

    with pytest.raises(RuntimeError):
        event.save()

    event.refresh_from_db()
    assert event.note == ""
