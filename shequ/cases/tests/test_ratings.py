"""Ratings (好差评): once, on finished matters; a poor one opens a rectification with a call-back."""

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from shequ.audit.models import AuditEvent
from shequ.cases.models import Case, CaseEvent, Clock, Notification, Rating, RatingLevel
from shequ.cases.services_rating import case_rate
from shequ.cases.tests.factories import (
    PHONE,
    make_unit,
    move,
    on_day,
    open_application,
    unit_staff,
)
from shequ.regions.tests.factories import World

D = dt.date
RATED_ON = D(2026, 3, 10)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def done(world: World) -> dict[str, Any]:
    """An application accepted, approved and delivered: ready to be rated."""
    unit = make_unit(world.street)
    handler = unit_staff(unit)
    case = open_application(world, unit, on=D(2026, 3, 2), days=5)
    move(case, "take", handler, D(2026, 3, 3))
    move(case, "approve", handler, D(2026, 3, 5))
    move(case, "deliver", world.users["window"], D(2026, 3, 6))
    case.refresh_from_db()
    assert case.state == "delivered"
    return {"case": case, "unit": unit, "handler": handler, "window": world.users["window"]}


def counts() -> tuple[int, ...]:
    return (
        Rating.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def rate(case: Case, level: int, comment: str = "") -> Rating:
    with on_day(RATED_ON):
        return case_rate(case=case, level=level, comment=comment, channel="portal")


def test_a_finished_matter_is_rated_once(done: dict[str, Any]) -> None:
    case = done["case"]
    before = counts()

    rating = rate(case, RatingLevel.VERY_SATISFIED, "办得很快")

    assert (rating.case_id, rating.level, rating.comment, rating.channel) == (
        case.pk,
        5,
        "办得很快",
        "portal",
    )
    assert rating.is_poor is False
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.action, event.from_state, event.to_state, event.note, event.data) == (
        "rate",
        "delivered",
        "delivered",
        "办得很快",
        {"level": 5, "channel": "portal"},
    )
    # The rating, its event and its audit record; no rectification, nobody notified.
    assert counts() == (before[0] + 1, before[1], before[2] + 1, before[3] + 1, before[4])


def test_a_second_rating_is_refused_and_changes_nothing(done: dict[str, Any]) -> None:
    rate(done["case"], RatingLevel.SATISFIED)
    before = counts()

    with pytest.raises(ValidationError) as error:
        rate(done["case"], RatingLevel.VERY_DISSATISFIED)

    assert error.value.message_dict == {"level": ["This matter has been rated already"]}
    assert counts() == before
    assert Rating.objects.get(case=done["case"]).level == RatingLevel.SATISFIED


@pytest.mark.parametrize("state", ["accepted", "handling", "correction", "approved"])
def test_a_matter_that_is_not_finished_cannot_be_rated(done: dict[str, Any], state: str) -> None:
    Case.objects.filter(pk=done["case"].pk).update(state=state)
    before = counts()

    with pytest.raises(ValidationError) as error:
        rate(done["case"], RatingLevel.VERY_SATISFIED)

    assert error.value.message_dict == {"level": ["A matter can be rated once it is finished"]}
    assert counts() == before


@pytest.mark.parametrize("level", [0, 6, -1])
def test_a_level_outside_the_five_is_refused(done: dict[str, Any], level: int) -> None:
    before = counts()

    with pytest.raises(ValidationError) as error:
        rate(done["case"], level)

    assert error.value.message_dict == {"level": ["Choose one of the five levels"]}
    assert counts() == before


def test_a_refusal_at_the_window_is_finished_and_can_be_rated(world: World) -> None:
    case = open_application(world, make_unit(world.street), on=D(2026, 3, 2))
    move(case, "refuse", world.users["window"], D(2026, 3, 2), note="不属于本事项")

    rating = rate(case, RatingLevel.BASICALLY_SATISFIED)

    assert rating.level == 3
    assert not Case.objects.filter(parent=case).exists()


@pytest.mark.parametrize("level", [RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED])
def test_a_poor_rating_opens_a_rectification(done: dict[str, Any], level: int) -> None:
    case = done["case"]
    before = counts()

    rating = rate(case, level, "态度差")

    assert rating.is_poor is True
    rectification = Case.objects.get(parent=case)
    assert (
        rectification.type_key,
        rectification.state,
        rectification.region_id,
        rectification.owner_unit_id,
        rectification.requester_name,
        rectification.title,
        rectification.data,
    ) == (
        "rectification",
        "open",
        case.region_id,
        case.owner_unit_id,
        "张三",
        "Rectification: 最低生活保障申请",
        {"rating": level, "comment": "态度差"},
    )
    # 15 working days from 10 March: 11-13, 16-20, 23-27, 30 and 31 March.
    assert (
        rectification.promised_days,
        rectification.clock,
        rectification.started_on,
        rectification.due_date,
    ) == (15, Clock.RUNNING, RATED_ON, D(2026, 3, 31))
    # The phone goes along sealed, as it was: the call-back needs it, nobody sees it.
    assert (
        rectification.requester_phone_enc,
        rectification.requester_phone_masked,
        rectification.requester_phone_tail,
    ) == (case.requester_phone_enc, "138****8000", "8000")
    opened = CaseEvent.objects.get(case=rectification)
    label = RatingLevel(level).label
    assert (opened.action, opened.actor_id, opened.note) == (
        "open",
        None,
        f"Opened by a poor rating ({label})",
    )
    text = (
        f"Poor rating on {case.tracking_code}: a rectification {rectification.tracking_code} "
        "is open; first contact within 1 working day."
    )
    assert sorted(
        Notification.objects.filter(case=rectification).values_list("user_id", "text")
    ) == sorted([(done["handler"].pk, text), (done["window"].pk, text)])
    # Rating + rectification; events: rate, open; audits: rating, rectification; 2 messages.
    assert counts() == (
        before[0] + 1,
        before[1] + 1,
        before[2] + 2,
        before[3] + 2,
        before[4] + 2,
    )


def test_a_basically_satisfied_rating_opens_nothing(done: dict[str, Any]) -> None:
    rate(done["case"], RatingLevel.BASICALLY_SATISFIED)

    assert not Case.objects.filter(type_key="rectification").exists()


def test_the_rectification_deadline_is_configurable(done: dict[str, Any], settings: Any) -> None:
    settings.RECTIFICATION_DAYS = 5

    rate(done["case"], RatingLevel.DISSATISFIED)

    assert Case.objects.get(parent=done["case"]).due_date == D(2026, 3, 17)


def test_the_rectification_loop_closes_with_a_call_back_and_texts_the_requester(
    done: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    rate(done["case"], RatingLevel.VERY_DISSATISFIED, "材料丢失")
    rectification = Case.objects.get(parent=done["case"])
    handler = done["handler"]

    move(rectification, "contact", handler, D(2026, 3, 11), note="电话联系，致歉")
    move(rectification, "rectify", handler, D(2026, 3, 16), note="补办完成")
    with (
        mock.patch("shequ.core.sms.LoggingSender.send", return_value="ok") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        move(rectification, "call_back", handler, D(2026, 3, 17), note="回访满意")

    rectification.refresh_from_db()
    assert (
        rectification.state,
        rectification.handler_id,
        rectification.clock,
        rectification.finished_on_time,
    ) == ("closed", handler.pk, Clock.STOPPED, True)
    assert rectification.finished_at is not None
    send.assert_called_once_with(
        PHONE,
        f"Your matter {rectification.tracking_code} is now: Closed. Details: look it up with "
        "the code and the last 4 digits of your phone.",
    )
    steps = CaseEvent.objects.filter(case=rectification).values_list("action", "to_state", "note")
    assert list(steps) == [
        ("open", "open", "Opened by a poor rating (Very dissatisfied)"),
        ("contact", "contacted", "电话联系，致歉"),
        ("rectify", "rectified", "补办完成"),
        ("call_back", "closed", "回访满意"),
    ]


@pytest.mark.parametrize("name", ["contact", "rectify", "call_back"])
def test_each_rectification_step_needs_a_note(done: dict[str, Any], name: str) -> None:
    rate(done["case"], RatingLevel.VERY_DISSATISFIED)
    rectification = Case.objects.get(parent=done["case"])
    handler = done["handler"]
    steps = ["contact", "rectify", "call_back"]
    for earlier in steps[: steps.index(name)]:
        move(rectification, earlier, handler, D(2026, 3, 11), note="说明")
    rectification.refresh_from_db()
    before = (rectification.state, *counts())

    with pytest.raises(ValidationError):
        move(rectification, name, handler, D(2026, 3, 12))

    rectification.refresh_from_db()
    assert (rectification.state, *counts()) == before


def test_an_upheld_appeal_closes_the_rectification_without_a_text(
    world: World, done: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    rate(done["case"], RatingLevel.VERY_DISSATISFIED, "恶意差评")
    rectification = Case.objects.get(parent=done["case"])
    move(rectification, "appeal", done["handler"], D(2026, 3, 11), note="申请人未到场办理")

    # The unit's handler may not decide his own appeal.
    with pytest.raises(PermissionDenied):
        move(rectification, "appeal_upheld", done["handler"], D(2026, 3, 12), note="同意")
    rectification.refresh_from_db()
    assert rectification.state == "appealed"

    with (
        mock.patch("shequ.core.sms.LoggingSender.send") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        move(rectification, "appeal_upheld", world.users["street"], D(2026, 3, 12), note="核实属实")

    rectification.refresh_from_db()
    assert (rectification.state, rectification.clock) == ("closed", Clock.STOPPED)
    assert send.call_count == 0


def test_a_dismissed_appeal_goes_back_to_the_rectification(
    world: World, done: dict[str, Any]
) -> None:
    rate(done["case"], RatingLevel.DISSATISFIED)
    rectification = Case.objects.get(parent=done["case"])
    move(rectification, "contact", done["handler"], D(2026, 3, 11), note="已联系")
    move(rectification, "appeal", done["handler"], D(2026, 3, 11), note="评价与事实不符")

    move(rectification, "appeal_dismissed", world.users["admin"], D(2026, 3, 12), note="驳回")

    rectification.refresh_from_db()
    assert (rectification.state, rectification.clock) == ("contacted", Clock.RUNNING)
    move(rectification, "rectify", done["handler"], D(2026, 3, 13), note="整改完成")
    rectification.refresh_from_db()
    assert rectification.state == "rectified"


def test_a_rectification_itself_cannot_be_rated(world: World, done: dict[str, Any]) -> None:
    rate(done["case"], RatingLevel.DISSATISFIED)
    rectification = Case.objects.get(parent=done["case"])
    Case.objects.filter(pk=rectification.pk).update(state="closed", clock=Clock.STOPPED)
    before = counts()

    with pytest.raises(ValidationError) as error:
        rate(rectification, RatingLevel.VERY_DISSATISFIED)

    assert error.value.message_dict == {"level": ["A matter can be rated once it is finished"]}
    assert counts() == before
