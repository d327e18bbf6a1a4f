"""The demo district's hotline: categories, partner units, the responsibility list, calls of the
last month and residents' opinions.

Every call goes through the real services (take, merge as a repeat, dispatch by the
responsibility list, sign for, send back, answer, finish, call back and rate), so the timeline,
the audit log and the indicators are real; only the dates are then moved into the past. The
demo login "shuiwu" handles for the water department (shequ/demo/logins.py), so the loop can be
tried by hand with "hotline" and "shuiwu". Deterministic for a seed, apart from the codes.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F

from shequ.accounts.models import User
from shequ.cases.models import Case, CaseEvent, Rating
from shequ.cases.services import case_transition
from shequ.hotline.models import Call, Category, RequestKind, Urgency
from shequ.hotline.services import (
    CallIn,
    call_take,
    case_call_back,
    case_dispatch,
    case_send_back,
)
from shequ.hotline.services_lists import category_save, responsibility_save, unit_save
from shequ.regions.models import Region, RoleAssignment, Unit, UnitKind

STREET_CODE = "130105001"
DAYS_BACK = 30
# code, name, sign-for hours, handling days, lead unit, assisting units.
CATEGORIES = (
    ("GS", "供水", 2, 3, "D-SW", ("P-ZLS",)),
    ("GD", "供电", 2, 3, "P-GD", ()),
    ("RQ", "燃气", 1, 2, "P-RQ", ("D-YJ",)),
    ("GN", "供暖", 2, 3, "P-RL", ("D-ZJ",)),
    ("WY", "物业管理", 4, 5, "D-ZJ", ("D-JD",)),
    ("ZY", "噪音扰民", 4, 5, "D-HB", ("D-GA",)),
    ("HJ", "环境卫生", 4, 3, "D-HW", ("D-CG",)),
    ("DL", "道路设施", 4, 5, "D-SZ", ()),
    ("SC", "市场监管", 4, 5, "D-SJ", ()),
    ("SH", "社会救助", 4, 5, "D-MZ", ("D-JD",)),
    ("QT", "其他", 4, 5, "D-JD", ()),
)
PARTNERS = (
    ("P-ZLS", "市自来水公司"),
    ("P-GD", "供电公司"),
    ("P-RQ", "燃气公司"),
    ("P-RL", "热力公司"),
    ("P-WY", "金盾物业服务有限公司"),
)
CALLS = (
    ("GS", "湖北路{n}号", "家里停水一天了，也没有看到停水通知"),
    ("GS", "八一小区{n}号楼", "自来水发黄有异味，不敢喝"),
    ("GN", "幸福小区{n}号楼", "暖气不热，室温只有十五度"),
    ("WY", "阳光花园{n}号楼", "物业不处理楼道堆物，还乱收停车费"),
    ("ZY", "中山路{n}号", "夜里十一点还在施工，噪音很大"),
    ("HJ", "裕华路{n}号", "路边垃圾桶满了两天没人清"),
    ("DL", "建设大街{n}号", "人行道地砖松动，老人差点摔倒"),
    ("RQ", "东风小区{n}号楼", "楼道里有燃气味道"),
    ("SC", "和平路{n}号", "超市卖过期面包"),
    ("SH", "新华里{n}号楼", "独居老人生活困难，想咨询救助"),
    ("GD", "铁路宿舍{n}号楼", "整栋楼停电三个小时了"),
)
OPINIONS = (
    "建议在小区里增加电动车充电桩",
    "希望社区多组织老年人健康讲座",
    "小区门口路灯太暗，建议更换",
    "建议周末开放社区活动室给孩子们看书",
    "希望在菜市场门口设置临时停车位",
)
OUTCOMES = (
    ("closed", 40), ("sent_back", 10), ("handling", 15), ("dispatched", 10), ("answered", 8),
    ("direct", 8), ("accepted", 5), ("escalated", 2),
)  # fmt: skip


def _shift(case_id: int, days: float) -> None:
    back = dt.timedelta(days=days)
    Case.objects.filter(pk=case_id).update(
        created_at=F("created_at") - back,
        due_at=F("due_at") - back,
        due_date=F("due_date") - dt.timedelta(days=int(days)),
        started_on=F("started_on") - dt.timedelta(days=int(days)),
        finished_at=F("finished_at") - back,
    )
    CaseEvent.objects.filter(case_id=case_id).update(at=F("at") - back)
    Call.objects.filter(case_id=case_id).update(taken_at=F("taken_at") - back)
    Rating.objects.filter(case_id=case_id).update(at=F("at") - back)


def demo_hotline_seed(*, district: Region, seed: int, count: int) -> dict[str, int]:
    """Seed the lists, `count` calls in 古楼街道 over the last month, a few opinions."""
    rng = random.Random(seed + 12)
    units = {unit.code: unit for unit in Unit.objects.all()}
    for code, name in PARTNERS:
        if code not in units:
            units[code] = unit_save(
                actor=None, code=code, name=name, kind=UnitKind.PARTNER, region=district
            )
    if "D-JD" not in units:
        units["D-JD"] = unit_save(
            actor=None, code="D-JD", name="街道办事处", kind=UnitKind.STREET_OFFICE, region=district
        )
    categories: dict[str, Category] = {}
    for code, name, hours, days, lead, assisting in CATEGORIES:
        categories[code] = category_save(
            actor=None,
            values={
                "code": code,
                "name": name,
                "sign_for_hours": hours,
                "handling_amount": days,
                "handling_kind": "working_days",
                "urgent_hours": 24,
                "is_active": True,
            },
        )
        if lead in units:
            responsibility_save(
                actor=None,
                category=categories[code],
                region=district,
                lead_unit=units[lead],
                assisting_units=[units[a] for a in assisting if a in units],
            )
    operator = User.objects.filter(username="hotline").first()
    back = User.objects.filter(username="shuiwu").first()
    made = 0
    if operator is not None and back is not None and count > 0:
        made = _calls(rng, count, operator, back, categories, units)
    return {"hotline_categories": len(categories), "hotline_calls": made}


def _calls(
    rng: random.Random,
    count: int,
    operator: Any,
    back: Any,
    categories: dict[str, Category],
    units: dict[str, Unit],
) -> int:
    grids = list(
        Region.objects.filter(
            path__startswith=Region.objects.get(code=STREET_CODE).path, level__key="grid"
        ).order_by("code")
    )
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    handlers = {
        unit_id: user
        for unit_id, user in (
            (row.unit_id, row.user) for row in RoleAssignment.objects.select_related("user")
        )
        if unit_id is not None
    }
    made = 0
    opened: list[Case] = []
    for _index in range(count):
        code, place, text = rng.choice(CALLS)
        category = categories[code]
        address = place.format(n=rng.randint(1, 60))
        grid = rng.choice(grids)
        days = rng.uniform(0.2, DAYS_BACK)
        if opened and rng.random() < 0.12:
            # A repeat call about a matter still open.
            target = rng.choice(opened)
            if Case.objects.filter(pk=target.pk).exclude(clock="stopped").exists():
                call_take(
                    actor=operator,
                    data=CallIn(text=f"再次来电：{text}", region=grid, address=target.address),
                    merge_into=target,
                )
                made += 1
                continue
        call = call_take(
            actor=operator,
            data=CallIn(
                text=f"{address}{text}",
                region=grid,
                address=address,
                category=category,
                kind=RequestKind.COMPLAINT if rng.random() < 0.4 else RequestKind.HELP,
                urgency=Urgency.URGENT if code == "RQ" else Urgency.NORMAL,
                confidential=rng.random() < 0.08,
                caller_name=rng.choice(("王女士", "李先生", "张阿姨", "刘师傅", "陈先生", "")),
                caller_phone=f"139{rng.randint(10000000, 99999999)}",
            ),
        )
        case = call.case
        made += 1
        outcome = rng.choice(outcomes)
        _run(case, outcome, rng, operator, back, units, handlers)
        _shift(case.pk, days)
        if outcome not in ("closed", "direct"):
            opened.append(case)
    return made


def _run(
    case: Case,
    outcome: str,
    rng: random.Random,
    operator: Any,
    back: Any,
    units: dict[str, Unit],
    handlers: dict[int, Any],
) -> None:
    """Take the case as far as its outcome through the real services."""
    if outcome == "accepted":
        return
    if outcome == "direct":
        case = case_transition(case=case, name="answer_directly", actor=operator, note="已电话解答")
        case_call_back(case=case, actor=operator, result="solved", note="来电人满意", level=5)
        return
    category: Any = case.hotline.category
    entry = category.responsibilities.select_related("lead_unit").first()
    lead = entry.lead_unit if entry else units["D-JD"]
    # A unit without a demo handler cannot take the later steps: the water department does.
    if lead.pk not in handlers:
        lead = units["D-SW"]
    back = handlers.get(lead.pk, back)
    assisting = list(entry.assisting_units.all()) if entry else []
    case = case_dispatch(case=case, actor=operator, lead_unit=lead, assisting_units=assisting)
    if outcome == "dispatched":
        return
    if outcome in ("sent_back", "escalated"):
        for _ in range(3 if outcome == "escalated" else 1):
            case = case_send_back(case=case, actor=back, note="非本单位职责，请重新派单")
            if case.state == "returned" and outcome == "escalated":
                case = case_dispatch(case=case, actor=operator, lead_unit=lead)
        if outcome == "escalated":
            return
        case = case_dispatch(case=case, actor=operator, lead_unit=lead, note="经核实，请予办理")
    case = case_transition(case=case, name="sign_for", actor=back)
    if outcome == "handling":
        return
    case = case_transition(case=case, name="answer", actor=back, note="已到现场处理完毕")
    if outcome == "answered":
        return
    case = case_transition(case=case, name="finish", actor=operator)
    level = rng.choice((5, 5, 5, 4, 4, 3, 2))
    case_call_back(
        case=case,
        actor=operator,
        result="solved" if level >= 3 else "unsolved",
        note="回访来电人",
        level=level if rng.random() < 0.85 else None,
    )


def demo_opinions_seed(*, seed: int) -> int:
    """A few residents' opinions from the demo resident, to 湖北社区."""
    from shequ.accounts.models import Resident
    from shequ.hotline.services_opinions import opinion_submit

    resident = Resident.objects.order_by("pk").first()
    community = Region.objects.filter(code="130105001001").first()
    if resident is None or community is None:
        return 0
    rng = random.Random(seed + 13)
    made = 0
    for text in rng.sample(OPINIONS, 3):
        opinion_submit(resident=resident, community=community, text=text)
        made += 1
    return made
