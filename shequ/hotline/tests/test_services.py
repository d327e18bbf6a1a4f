"""The 12345 loop on the engine: take, merge, link, dispatch, sign for, send back (escalating at
the third), assign, answer, rework, finish, call back and rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

from shequ.cases.models import Case, CaseEvent, Clock, Notification, Rating
from shequ.cases.services import case_transition
from shequ.hotline.models import Assist, Call, CallOutcome, HotlineCase
from shequ.hotline.services import (
    assist_reply,
    case_call_back,
    case_dispatch,
    case_send_back,
    case_supervise,
    sign_for_reminders,
)
from shequ.hotline.tests.conftest import Hotline
from shequ.lib import crypto
from shequ.regions.roles import Role
from shequ.regions.tests.factories import staff

pytestmark = pytest.mark.django_db

# A Wednesday, 10:00 in Shanghai.
MORNING = "2026-03-04 02:00:00"


def test_a_call_opens_a_hotline_case_waiting_for_dispatch(hotline: Hotline) -> None:
    call = hotline.call(caller_name="王芳", caller_phone="13812345678", address="湖北路12号")
    case = call.case
    assert call.outcome == CallOutcome.NEW
    assert (case.type_key, case.state, case.clock) == ("hotline", "accepted", Clock.IDLE)
    assert case.requester_name == "王芳"
    assert case.requester_phone_masked == "138****5678"
    assert case.first_responder == hotline.operator
    assert case.title.startswith("供水：")
    detail = HotlineCase.objects.get(case=case)
    assert (detail.confidential, detail.caller_phone_enc) == (False, "")
    assert crypto.decrypt(call.caller_phone_enc) == "13812345678"


def test_a_bad_phone_is_refused_and_nothing_is_stored(hotline: Hotline) -> None:
    with pytest.raises(ValidationError) as error:
        hotline.call(caller_phone="1381234")
    assert "caller_phone" in error.value.message_dict
    assert (Case.objects.count(), Call.objects.count()) == (0, 0)


def test_a_confidential_call_keeps_the_caller_off_the_case(hotline: Hotline) -> None:
    call = hotline.call(caller_name="王芳", caller_phone="13812345678", confidential=True)
    case = call.case
    assert case.requester_name != "王芳"
    assert (case.requester_phone_enc, case.requester_phone_masked, case.requester_id) == (
        "",
        "",
        None,
    )
    detail = HotlineCase.objects.get(case=case)
    assert crypto.decrypt(detail.caller_name_enc) == "王芳"
    assert crypto.decrypt(detail.caller_phone_enc) == "13812345678"
    assert detail.caller_phone_masked == "138****5678"


def test_a_repeat_call_is_merged_into_the_open_case(hotline: Hotline) -> None:
    first = hotline.call().case
    repeat = hotline.call("又打来问停水的事", merge_into=first)
    assert repeat.outcome == CallOutcome.REPEAT
    assert repeat.case_id == first.pk
    assert Case.objects.count() == 1
    event = CaseEvent.objects.filter(case=first, action="repeat_call").get()
    assert (event.note, event.data) == ("又打来问停水的事", {"repeats": 1})


def test_a_finished_case_takes_no_repeat(hotline: Hotline) -> None:
    case = hotline.call().case
    case_transition(case=case, name="answer_directly", actor=hotline.operator, note="已答复")
    with pytest.raises(ValidationError):
        hotline.call(merge_into=case)
    assert Call.objects.count() == 1


def test_a_linked_call_opens_its_own_case(hotline: Hotline) -> None:
    first = hotline.call().case
    linked = hotline.call("隔壁楼也停水", link_to=first)
    assert linked.outcome == CallOutcome.LINKED
    assert linked.case.parent_id == first.pk


def _dispatched(hotline: Hotline, **kw: Any) -> Case:
    with freeze_time(MORNING):
        case = hotline.call(**kw).case
        return case_dispatch(
            case=case,
            actor=hotline.operator,
            lead_unit=hotline.water,
            assisting_units=[hotline.partner],
        )


def test_dispatch_routes_to_the_lead_unit_with_the_category_limits(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    assert (case.state, case.owner_unit, case.clock) == ("dispatched", hotline.water, Clock.RUNNING)
    assert (case.promised_days, case.limit_kind) == (3, "working_days")
    assert case.due_date == dt.date(2026, 3, 7 + 2)  # three working days after Wednesday
    detail = HotlineCase.objects.get(case=case)
    # Two working hours from 10:00.
    assert timezone.localtime(detail.sign_for_due).strftime("%H:%M") == "12:00"
    assert list(Assist.objects.filter(case=case).values_list("unit__code", "active")) == [
        ("P-WATER", True)
    ]
    assert Notification.objects.filter(user=hotline.users["water"], case=case).exists()
    assert Notification.objects.filter(user=hotline.users["partner"], case=case).exists()


def test_an_urgent_call_gets_hours_around_the_clock(hotline: Hotline) -> None:
    case = _dispatched(hotline, urgency="urgent")
    assert (case.promised_days, case.limit_kind) == (12, "urgent_hours")
    detail = HotlineCase.objects.get(case=case)
    assert timezone.localtime(detail.sign_for_due).strftime("%H:%M") == "11:00"


def test_routed_steps_are_refused_outside_the_hotline_services(hotline: Hotline) -> None:
    case = hotline.call().case
    with pytest.raises(PermissionDenied):
        case_transition(case=case, name="dispatch", actor=hotline.operator)
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_only_the_lead_units_staff_sign_for(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    with pytest.raises(PermissionDenied):
        case_transition(case=case, name="sign_for", actor=hotline.users["housing"])
    with pytest.raises(PermissionDenied):
        case_transition(case=case, name="sign_for", actor=hotline.users["partner"])
    assert Case.objects.get(pk=case.pk).state == "dispatched"
    signed = case_transition(case=case, name="sign_for", actor=hotline.users["water"])
    assert (signed.state, signed.handler) == ("handling", hotline.users["water"])


def test_the_third_send_back_escalates_at_once(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    street = hotline.world.users["street"]
    admin = hotline.world.users["admin"]
    for number in (1, 2):
        moved = case_send_back(case=case, actor=hotline.users["water"], note="不归我们管")
        assert (moved.state, moved.owner_unit) == ("returned", None)
        assert HotlineCase.objects.get(case=case).send_backs == number
        case = case_dispatch(case=moved, actor=hotline.operator, lead_unit=hotline.water)
    assert not Notification.objects.filter(user=street, text__contains="Escalated").exists()
    escalated = case_send_back(case=case, actor=hotline.users["water"], note="仍不归我们管")
    assert escalated.state == "escalated"
    assert HotlineCase.objects.get(case=case).send_backs == 3
    events = list(
        CaseEvent.objects.filter(case=case, action__startswith="send_back").values_list(
            "action", "data"
        )
    )
    assert [action for action, _data in events] == ["send_back", "send_back", "send_back_escalate"]
    assert [data["send_backs"] for _a, data in events] == [1, 2, 3]
    # The managers over the case's place are told; the operator may not dispatch it any more.
    assert Notification.objects.filter(user=admin, case=case).exists()
    assert Notification.objects.filter(user=street, case=case).exists()
    with pytest.raises(PermissionDenied):
        case_dispatch(case=escalated, actor=hotline.operator, lead_unit=hotline.housing)
    assigned = case_dispatch(
        case=escalated, actor=street, lead_unit=hotline.housing, note="由住建局牵头"
    )
    assert (assigned.state, assigned.owner_unit) == ("dispatched", hotline.housing)
    assert CaseEvent.objects.filter(case=case, action="assign").count() == 1


def test_an_assignment_needs_a_reason(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    for _ in range(3):
        case = case_send_back(case=case, actor=hotline.users["water"], note="不归我们管")
        if case.state == "returned":
            case = case_dispatch(case=case, actor=hotline.operator, lead_unit=hotline.water)
    with pytest.raises(ValidationError):
        case_dispatch(case=case, actor=hotline.world.users["street"], lead_unit=hotline.housing)
    assert Case.objects.get(pk=case.pk).state == "escalated"


def test_another_units_staff_cannot_send_back(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    with pytest.raises(PermissionDenied):
        case_send_back(case=case, actor=hotline.users["housing"], note="x")
    assert HotlineCase.objects.get(case=case).send_backs == 0
    assert Case.objects.get(pk=case.pk).state == "dispatched"


def test_the_whole_loop_to_the_rating(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    water = hotline.users["water"]
    case = case_transition(case=case, name="sign_for", actor=water)
    assist = Assist.objects.get(case=case)
    assist_reply(assist=assist, actor=hotline.users["partner"], reply="已检修管道")
    case_supervise(case=case, actor=hotline.operator, note="请今日内恢复供水")
    assert Notification.objects.filter(user=water, text__contains="请今日内恢复供水").exists()
    case = case_transition(case=case, name="answer", actor=water, note="已恢复供水")
    case = case_transition(case=case, name="rework", actor=hotline.operator, note="仍水压不足")
    case = case_transition(case=case, name="answer", actor=water, note="已加压")
    case = case_transition(case=case, name="finish", actor=hotline.operator)
    assert (case.state, case.clock) == ("finished", Clock.STOPPED)
    closed, rating = case_call_back(
        case=case, actor=hotline.operator, result="solved", note="居民表示已解决", level=5
    )
    assert closed.state == "closed"
    assert closed.data["callback_result"] == "solved"
    assert rating is not None and rating.level == 5


def test_a_call_back_without_a_rating_records_none(hotline: Hotline) -> None:
    case = hotline.call().case
    case = case_transition(case=case, name="answer_directly", actor=hotline.operator, note="已答复")
    closed, rating = case_call_back(
        case=case, actor=hotline.operator, result="unreachable", note="无人接听"
    )
    assert (closed.state, rating) == ("closed", None)
    assert Rating.objects.count() == 0


def test_a_bad_call_back_result_is_refused(hotline: Hotline) -> None:
    case = hotline.call().case
    case = case_transition(case=case, name="answer_directly", actor=hotline.operator, note="已答复")
    with pytest.raises(ValidationError):
        case_call_back(case=case, actor=hotline.operator, result="maybe", note="x")
    assert Case.objects.get(pk=case.pk).state == "finished"


def test_a_late_sign_for_is_reminded_once(hotline: Hotline) -> None:
    case = _dispatched(hotline)
    with freeze_time("2026-03-04 05:00:00"):  # 13:00, past the 12:00 limit
        assert sign_for_reminders() == 1
        assert sign_for_reminders() == 0
    event = CaseEvent.objects.filter(case=case, action="sign_for_overdue").get()
    assert event.actor_name
    assert Notification.objects.filter(user=hotline.users["water"], text__contains="12:00").exists()


def test_only_an_operator_takes_calls_through_the_desk_rules(hotline: Hotline) -> None:
    grid_worker = staff(Role.GRID_WORKER, hotline.world.grid)
    from shequ.hotline.selectors import can_take_calls

    assert can_take_calls(hotline.operator)
    assert not can_take_calls(grid_worker)
    assert not can_take_calls(hotline.users["water"])
