"""The incident loop on the engine: report, verify, file, dispatch, handle, check, rework, close;
send back, postponement, supervision, escalation by hand and when overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from shequ.cases.models import CaseEvent, Clock, Notification
from shequ.cases.services import case_transition
from shequ.incidents.models import Tier
from shequ.incidents.models_loop import Channel, Incident, PhotoStage
from shequ.incidents.services_loop import (
    incident_dispatch,
    incident_escalate,
    incident_feedback,
    incident_postpone_approve,
    incident_supervise,
    overdue_escalate,
)
from shequ.incidents.tests.loop import (
    IN_SIBLING,
    department_staff,
    draw_grids,
    fresh,
    photo,
    report,
)
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

# A Monday 10:00 in Shanghai (2026-03-02), far from holidays.
MONDAY = "2026-03-02 02:00:00"


def actions(incident: Incident) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=incident.pk).values_list("action", flat=True))


def to_filed(world: World, table: Table) -> Incident:
    incident = report(world, table)
    case_transition(case=fresh(incident), name="file", actor=world.users["director"])
    return incident


def test_a_grid_workers_report_lands_in_the_grid_of_its_location_verified(
    world: World, table: Table
) -> None:
    draw_grids(world)
    incident = report(world, table, lng=IN_SIBLING[0], lat=IN_SIBLING[1], client_id="a-1")
    case = fresh(incident)
    assert (case.region, incident.located, incident.channel) == (world.sibling, True, Channel.GRID)
    # Not the reporter's own grid: nobody verified it on the spot.
    assert (case.state, case.clock, case.first_responder) == (
        "reported",
        Clock.IDLE,
        world.users["gridworker"],
    )
    own = report(world, table, client_id="a-2")
    assert (fresh(own).region, fresh(own).state) == (world.grid, "verified")
    assert actions(own) == ["open", "verify"]
    assert own.photos.get().stage == PhotoStage.BEFORE
    assert (fresh(own).address, fresh(own).lng, fresh(own).lat) == ("湖北路12号", 116.05, 39.05)


def test_a_location_outside_every_grid_falls_back_to_the_reporters_grid(
    world: World, table: Table
) -> None:
    draw_grids(world)
    incident = report(world, table, lng=117.5, lat=39.5)
    assert (fresh(incident).region, incident.located) == (world.grid, False)


def test_the_same_client_id_makes_one_incident(world: World, table: Table) -> None:
    first = report(world, table, client_id="phone-42")
    again = report(world, table, client_id="phone-42", description="重发")
    assert again.pk == first.pk and again.replayed is True  # type: ignore[attr-defined]
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "description"),
        ({"lng": 10.0, "lat": 10.0}, "lat"),
        ({"lng": 116.05, "lat": None}, "lat"),
        ({"photos": [photo("x.jpg", b"GIF89a" + b"\0" * 20)]}, "photos"),
        ({"photos": [photo() for _ in range(7)]}, "photos"),
    ],
)
def test_bad_reports_are_refused_and_leave_nothing(
    world: World, table: Table, change: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        report(world, table, **change)
    assert field in error.value.message_dict
    assert Incident.objects.count() == 0


def test_the_whole_loop_with_a_failed_check_and_rework(world: World, table: Table) -> None:
    worker = department_staff(table)
    with freeze_time(MONDAY):
        incident = to_filed(world, table)
        case = fresh(incident)
        # 暴露垃圾: 4 working hours from Monday 10:00 ends at 15:30 (lunch 12:00-13:30).
        assert case.clock == Clock.RUNNING
        assert case.due_at is not None
        assert case.due_at.isoformat() == "2026-03-02T07:30:00+00:00"
        incident_dispatch(
            case=case, actor=world.users["director"], tier=Tier.DISTRICT, unit=table.unit
        )
        # The grid worker may not take what was sent to a department.
        with pytest.raises(PermissionDenied):
            case_transition(case=fresh(incident), name="take", actor=world.users["gridworker"])
        case_transition(case=fresh(incident), name="take", actor=worker)
        incident_feedback(case=fresh(incident), actor=worker, note="已清运", photos=[photo()])
        case_transition(
            case=fresh(incident),
            name="check_fail",
            actor=world.users["gridworker"],
            note="仍有残留",
        )
        assert fresh(incident).state == "handling"
        incident_feedback(case=fresh(incident), actor=worker, note="已彻底清理")
        case_transition(case=fresh(incident), name="check_pass", actor=world.users["gridworker"])
        closed = case_transition(case=fresh(incident), name="close", actor=world.users["director"])
    assert (closed.state, closed.clock, closed.finished_on_time) == ("closed", Clock.STOPPED, True)
    assert actions(incident) == [
        "open", "verify", "file", "dispatch", "take", "feedback", "check_fail", "feedback",
        "check_pass", "close",
    ]  # fmt: skip
    assert incident.photos.filter(stage=PhotoStage.AFTER).count() == 1
    # The reporter heard of the steps that concern them in the inbox.
    assert Notification.objects.filter(user=world.users["gridworker"]).exists()


def test_send_back_returns_it_to_the_dispatcher(world: World, table: Table) -> None:
    incident = to_filed(world, table)
    incident_dispatch(case=fresh(incident), actor=world.users["director"], tier=Tier.GRID)
    with pytest.raises(ValidationError):
        case_transition(case=fresh(incident), name="send_back", actor=world.users["gridworker"])
    back = case_transition(
        case=fresh(incident), name="send_back", actor=world.users["gridworker"], note="不属本网格"
    )
    assert (back.state, back.handler) == ("filed", None)
    # The stranger of the sibling grid may not take it.
    incident_dispatch(case=back, actor=world.users["director"], tier=Tier.GRID)
    with pytest.raises(PermissionDenied):
        case_transition(case=fresh(incident), name="take", actor=world.users["stranger"])


def test_postponement_needs_approval_and_moves_the_deadline(world: World, table: Table) -> None:
    with freeze_time(MONDAY):
        incident = to_filed(world, table)
        incident_dispatch(case=fresh(incident), actor=world.users["director"], tier=Tier.GRID)
        gridworker = world.users["gridworker"]
        case_transition(case=fresh(incident), name="take", actor=gridworker)
        case_transition(
            case=fresh(incident), name="request_postpone", actor=gridworker, note="需协调物业"
        )
        with pytest.raises(PermissionDenied):
            incident_postpone_approve(case=fresh(incident), actor=gridworker, amount=2)
        before = fresh(incident).due_at
        after = incident_postpone_approve(
            case=fresh(incident), actor=world.users["director"], amount=2
        )
    assert after.state == "handling"
    assert before is not None and after.due_at is not None
    # Two working hours after 15:30: 17:30 the same day.
    assert after.due_at - before == dt.timedelta(hours=2)
    assert actions(incident)[-2:] == ["approve_postpone", "extend"]


def test_supervision_is_a_remark_for_leaders_only(world: World, table: Table) -> None:
    incident = to_filed(world, table)
    with pytest.raises(PermissionDenied):
        incident_supervise(case=fresh(incident), actor=world.users["gridworker"], note="快")
    incident_supervise(case=fresh(incident), actor=world.users["street"], note="请尽快处置")
    assert actions(incident)[-1] == "supervise"
    assert fresh(incident).state == "filed"


def test_an_overdue_incident_at_grid_tier_climbs_to_the_community_then_the_street(
    world: World, table: Table
) -> None:
    with freeze_time(MONDAY):
        incident = to_filed(world, table)
        incident_dispatch(case=fresh(incident), actor=world.users["director"], tier=Tier.GRID)
        assert overdue_escalate() == 0
    # 4 working hours: due at 15:30; at 16:00 it is overdue.
    with freeze_time("2026-03-02 08:00:00"):
        assert overdue_escalate() == 1
        climbed = Incident.objects.get(pk=incident.pk)
        assert (climbed.tier, climbed.handling_region) == (Tier.COMMUNITY, world.community)
        case = fresh(incident)
        assert (case.state, case.handler, case.region) == ("dispatched", None, world.grid)
        # A fresh limit from now: 1.5 hours on Monday, 2.5 on Tuesday: 11:00.
        assert case.due_at is not None
        assert case.due_at.isoformat() == "2026-03-03T03:00:00+00:00"
        assert overdue_escalate() == 0
    with freeze_time("2026-03-03 04:00:00"):
        assert overdue_escalate() == 1
    top = Incident.objects.get(pk=incident.pk)
    assert (top.tier, top.handling_region) == (Tier.STREET, world.street)
    assert actions(incident)[-2:] == ["escalate", "escalate"]
    # The community's leader now handles at the street only if he is a street manager.
    with pytest.raises(PermissionDenied):
        case_transition(case=fresh(incident), name="take", actor=world.users["director"])
    case_transition(case=fresh(incident), name="take", actor=world.users["street"])


def test_escalation_by_hand_needs_a_reason_and_stops_at_the_top(world: World, table: Table) -> None:
    incident = to_filed(world, table)
    incident_dispatch(case=fresh(incident), actor=world.users["director"], tier=Tier.STREET)
    with pytest.raises(ValidationError):
        incident_escalate(case=fresh(incident), actor=world.users["street"], note="")
    incident_escalate(case=fresh(incident), actor=world.users["street"], note="超出街道权限")
    assert Incident.objects.get(pk=incident.pk).tier == Tier.DISTRICT
    with pytest.raises(ValidationError):
        incident_escalate(case=fresh(incident), actor=world.users["admin"], note="再升")
