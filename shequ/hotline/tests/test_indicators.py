"""The indicators against counts made by hand from a small day of calls."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from shequ.cases.models import Case
from shequ.cases.services import case_transition
from shequ.hotline.indicators import (
    CENTRE,
    Period,
    hotline_indicators,
    opinion_counts,
    parse_period,
)
from shequ.hotline.services import case_call_back, case_dispatch, case_send_back
from shequ.hotline.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def period(raw: str) -> Period:
    parsed = parse_period(raw)
    assert parsed is not None
    return parsed


# Wednesday 4 March 2026, Shanghai time (UTC+8): the sign-for limit is 2 working hours.
DAY = "2026-03-04"


def at(hour: str) -> Any:
    hours, minutes = (int(part) for part in hour.split(":"))
    return freeze_time(f"{DAY} {hours - 8:02d}:{minutes:02d}:00")


def step(case: Case, name: str, actor: Any, when: str, note: str = "") -> Case:
    with at(when):
        return case_transition(case=case, name=name, actor=actor, note=note)


@pytest.fixture
def day(hotline: Hotline) -> Hotline:
    """A: signed on time, finished, rated 5. B: sent back past its sign-for limit, sent to
    housing, signed late, finished, rated 2. C: dispatched to housing, never signed, plus a
    repeat call. D: answered directly, rated 4."""
    water, housing = hotline.users["water"], hotline.users["housing"]
    op = hotline.operator
    with at("10:00"):
        a = case_dispatch(case=hotline.call("A 停水").case, actor=op, lead_unit=hotline.water)
        b = case_dispatch(case=hotline.call("B 停水").case, actor=op, lead_unit=hotline.water)
        c = case_dispatch(case=hotline.call("C 停水").case, actor=op, lead_unit=hotline.housing)
        d = hotline.call("D 咨询").case
    a = step(a, "sign_for", water, "11:00")
    a = step(a, "answer", water, "14:00", "已恢复")
    a = step(a, "finish", op, "14:30")
    with at("15:00"):
        case_call_back(case=a, actor=op, result="solved", note="好", level=5)
    with at("13:00"):
        b = case_send_back(case=b, actor=water, note="不归水务")
    with at("13:30"):
        b = case_dispatch(case=b, actor=op, lead_unit=hotline.housing)
    b = step(b, "sign_for", housing, "16:00")
    b = step(b, "answer", housing, "16:30", "已处理")
    b = step(b, "finish", op, "17:00")
    d = step(d, "answer_directly", op, "10:30", "已解答")
    with at("17:10"):
        case_call_back(case=b, actor=op, result="unsolved", note="不满意", level=2)
        case_call_back(case=d, actor=op, result="solved", note="好", level=4)
        hotline.call("C 又来电", merge_into=c)
    return hotline


def test_totals_by_hand(day: Hotline) -> None:
    with at("18:00"):
        report = hotline_indicators(day.operator, period=period("2026-03"), by="unit")
    t = report.total
    assert (t.calls, t.repeats, t.accepted, t.dispatches) == (5, 1, 4, 4)
    assert (t.sign_due, t.signed_on_time, t.sign_for_rate) == (4, 1, 25.0)
    assert (t.send_backs, t.send_back_rate) == (1, 25.0)
    assert (t.finished, t.finished_on_time, t.open_overdue, t.finish_rate) == (3, 3, 0, 100.0)
    assert (t.one_time, t.one_time_rate) == (2, 66.7)
    assert (t.rated, t.satisfied, t.satisfaction_rate) == (3, 2, 66.7)
    assert t.repeat_rate == 20.0


def test_by_unit_by_hand(day: Hotline) -> None:
    with at("18:00"):
        report = hotline_indicators(day.operator, period=period("2026-03"), by="unit")
    rows = {row.key: row for row in report.rows}
    water, housing, centre = rows[day.water.pk], rows[day.housing.pk], rows[CENTRE]
    assert (water.dispatches, water.sign_due, water.signed_on_time, water.send_backs) == (
        2,
        2,
        1,
        1,
    )
    assert (water.finished, water.one_time, water.rated, water.satisfied) == (1, 1, 1, 1)
    assert (housing.dispatches, housing.sign_due, housing.signed_on_time) == (2, 2, 0)
    assert (housing.finished, housing.one_time, housing.satisfaction_rate) == (1, 0, 0.0)
    assert (housing.calls, housing.repeats) == (3, 1)
    assert (centre.accepted, centre.finished, centre.one_time, centre.satisfied) == (1, 1, 1, 1)
    assert water.name == "区水务局"


def test_by_category_and_month(day: Hotline) -> None:
    with at("18:00"):
        by_category = hotline_indicators(day.operator, period=period("2026-03"), by="category")
        by_month = hotline_indicators(day.operator, period=period("2026"), by="month")
    assert [(row.name, row.accepted) for row in by_category.rows] == [("供水", 4)]
    assert len(by_month.rows) == 12
    assert [row.accepted for row in by_month.rows][2] == 4
    assert sum(row.accepted for row in by_month.rows) == 4


def test_scope_limits_the_figures(day: Hotline) -> None:
    other = day.world.other_street
    from shequ.regions.roles import Role
    from shequ.regions.tests.factories import staff

    elsewhere = staff(Role.STREET_MANAGER, other)
    with at("18:00"):
        report = hotline_indicators(elsewhere, period=period("2026-03"), by="unit")
    assert (report.total.calls, report.total.accepted) == (0, 0)


def test_a_period_is_parsed_or_refused() -> None:
    assert parse_period("2026-3") is not None
    assert parse_period("2026-13") is None
    assert parse_period("next month") is None


def test_opinions_per_community(hotline: Hotline) -> None:
    from shequ.accounts.services import resident_register
    from shequ.hotline.services_opinions import opinion_submit

    resident = resident_register(phone="13912345678", name="李娜", password="Shequ-resident-1")
    director = hotline.world.users["director"]
    with at("09:00"):
        one = opinion_submit(
            resident=resident, community=hotline.world.community, text="建议增加充电桩"
        )
        two = opinion_submit(
            resident=resident, community=hotline.world.community, text="建议更换路灯灯泡"
        )
        opinion_submit(resident=resident, community=hotline.world.community, text="建议开放活动室")
    one = step(one, "adopt", director, "10:00", "纳入年度计划")
    step(one, "solve", director, "11:00", "已安装")
    step(two, "adopt", director, "10:00", "转物业")
    with at("18:00"):
        rows = opinion_counts(director, period=period("2026-03"))
    assert [(r.name, r.received, r.adopted, r.solved) for r in rows] == [("湖北社区", 3, 2, 1)]
