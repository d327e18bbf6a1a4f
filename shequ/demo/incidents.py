"""The demo district's grid incidents: reports in 古楼街道 over the last two months.

Every incident goes through the real services (report with a point inside its grid, verify,
file, dispatch, take, feedback, check with some rework, close; some escalated, some sent
back), so the timeline, the audit log and the indicators are real; only the dates are then
moved into the past. The handlers of two departments have demo logins ("chengguan" for the
城管 bureau, "huanwei" for sanitation, shequ/demo/logins.py) so the loop can be tried by hand.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F

from shequ.accounts.models import User
from shequ.cases.models import Case, CaseEvent
from shequ.cases.services import case_transition
from shequ.incidents.models import IncidentCategory, Tier
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import incident_dispatch, incident_feedback, incident_report
from shequ.lib.polygons import GeometryError, Shape, geometry_rings
from shequ.regions.models import Region

STREET_CODE = "130105001"
COMMUNITY_CODE = "130105001001"
DAYS_BACK = 60
# Outcome weights: closed, closed after rework, with the handler, handled (to check),
# filed (to dispatch), reported (to verify), not filed.
OUTCOMES = (
    ("closed", 45), ("rework", 8), ("handling", 15), ("handled", 8), ("filed", 8),
    ("reported", 8), ("not_filed", 4),
)  # fmt: skip
NOTES = ("已到现场处置完毕", "已清理干净", "已修复并恢复使用", "已劝离并教育", "已联系责任单位整改")


def _point_in(boundary: Any, rng: random.Random) -> tuple[float, float] | None:
    if not boundary:
        return None
    try:
        shape = Shape("grid", 0, geometry_rings(boundary))
    except GeometryError:
        return None
    lo_x, lo_y, hi_x, hi_y = shape.bbox
    for _try in range(30):
        x, y = rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y)
        if shape.contains(x, y):
            return round(x, 6), round(y, 6)
    return None


def _shift(case_id: int, days: int) -> None:
    """Move an incident `days` into the past, its later steps spread over the following hours."""
    back = dt.timedelta(days=days)
    Case.objects.filter(pk=case_id).update(
        created_at=F("created_at") - back,
        due_at=F("due_at") - back,
        finished_at=F("finished_at") - back,
    )
    Incident.objects.filter(pk=case_id).update(reported_at=F("reported_at") - back)
    for step, event in enumerate(CaseEvent.objects.filter(case_id=case_id).order_by("id")):
        CaseEvent.objects.filter(pk=event.pk).update(at=F("at") - back + dt.timedelta(hours=step))
    Case.objects.filter(pk=case_id).update(
        started_on=F("started_on") - back, due_date=F("due_date") - back
    )


def demo_incidents_seed(*, seed: int, count: int) -> dict[str, int]:
    """Create about `count` incidents in 古楼街道's grids; the counts made."""
    users = {u.username: u for u in User.objects.filter(username__in=("grid", "grid2", "director", "street", "chengguan", "huanwei"))}  # fmt: skip
    if "director" not in users or "street" not in users or count <= 0:
        return {"incidents": 0}
    rng = random.Random(seed + 11)
    grids = list(
        Region.objects.filter(path__startswith=Region.objects.get(code=STREET_CODE).path)
        .filter(level__key="grid")
        .exclude(boundary=None)
        .order_by("code")
    )
    categories = list(
        IncidentCategory.objects.active().select_related("default_unit").order_by("id")
    )
    if not grids or not categories:
        return {"incidents": 0}
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    made = 0
    for number in range(count):
        grid = grids[0] if number % 3 == 0 else rng.choice(grids)
        point = _point_in(grid.boundary, rng)
        if point is None:
            continue
        made += _one(rng, users, grid, point, rng.choice(categories), rng.choice(outcomes), number)
    return {"incidents": made}


def _one(
    rng: random.Random,
    users: dict[str, User],
    grid: Region,
    point: tuple[float, float],
    category: IncidentCategory,
    outcome: str,
    number: int,
) -> int:
    reporter = users["grid"] if grid.code.endswith("001001001") else users["director"]
    incident = incident_report(
        actor=reporter,
        category=category,
        description=f"{category.name}（巡查发现，第{number + 1}号）",
        lng=point[0],
        lat=point[1],
        address=f"{grid.name}附近 {rng.randint(1, 120)}号",
        grid=grid,
        client_id=f"demo-{number}",
    )
    case = Case.objects.get(pk=incident.pk)
    # 湖北社区's secretary dispatches and checks its grids; the street's manager the others.
    home = grid.code.startswith(COMMUNITY_CODE)
    director = users["director"] if home else users["street"]
    days = rng.randint(1, DAYS_BACK)
    if outcome == "reported" and case.state == "verified":
        outcome = "filed"
    if outcome == "reported":
        _shift(case.pk, days)
        return 1
    if case.state == "reported":
        case = case_transition(case=case, name="verify", actor=director)
    if outcome == "not_filed":
        case_transition(case=case, name="not_file", actor=director, note="不属于城市管理范围")
        _shift(case.pk, days)
        return 1
    case = case_transition(case=case, name="file", actor=director)
    if outcome == "filed":
        _shift(case.pk, days)
        return 1
    unit = category.default_unit
    handler_name = {"D-CG": "chengguan", "D-HW": "huanwei"}.get(unit.code if unit else "", "")
    if unit is not None and handler_name in users:
        case = incident_dispatch(case=case, actor=director, tier=Tier.DISTRICT, unit=unit)
        handler = users[handler_name]
    else:
        tier = Tier.COMMUNITY if home else Tier.STREET
        case = incident_dispatch(case=case, actor=director, tier=tier)
        handler = director
    case = case_transition(case=case, name="take", actor=handler)
    if outcome == "handling":
        _shift(case.pk, days)
        return 1
    case = incident_feedback(case=case, actor=handler, note=rng.choice(NOTES))
    if outcome == "rework":
        case = case_transition(
            case=case, name="check_fail", actor=director, note="现场复查仍未处理到位"
        )
        case = incident_feedback(case=case, actor=handler, note="已返工处理")
    if outcome == "handled":
        _shift(case.pk, days)
        return 1
    case = case_transition(case=case, name="check_pass", actor=director)
    case_transition(case=case, name="close", actor=director)
    _shift(case.pk, days)
    return 1
