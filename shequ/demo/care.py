"""The demo register's care tags, visits, tenancies and a few moves.

Made after the persons are in the database (read back in one query) with their own
`random.Random`, so a seed gives the same tags, visits and tenancies for the same day of the
load. Dates are placed around the day of the load, not a fixed day: the demo always has
residents due for a visit, permits expiring and tenancies ending, whenever it is loaded.

Shares follow what communities report: most elders who live alone are tagged, about 6 % of
residents hold a disability certificate (more among the old), about 2 % live on 低保 (whole
registered households), a few elders alone are on 特困 support, grandchildren raised by their
grandparents are left-behind children, elders whose household is all elderly are left-behind
elders, and some older men are veterans. Rows go in through `BulkInserter` like the register.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connections

from shequ.accounts.models import User
from shequ.demo import names
from shequ.demo.bulk import BulkInserter, next_id, reset_sequences
from shequ.lib import crypto
from shequ.people.models import (
    CareKind,
    CareTag,
    Dwelling,
    DwellingUse,
    MoveKind,
    Person,
    PersonMove,
    Relation,
    ResidenceStatus,
    Tenancy,
    Visit,
    VisitPlan,
)
from shequ.people.models_care import AGED_KEY, AGED_YEARS
from shequ.people.reminders import reminders_send
from shequ.people.services import age_on
from shequ.regions.models import Region
from shequ.workdays import calendar

TAG_FIELDS = ("id", "person_id", "kind", "grade", "details_enc", "since", "created_at")
VISIT_FIELDS = (
    "id", "person_id", "region_id", "visitor_id", "visited_on", "found", "follow_up",
    "next_due", "created_at",
)  # fmt: skip
TENANCY_FIELDS = (
    "id", "dwelling_id", "region_id", "landlord_name", "starts_on", "ends_on", "registered_on",
    "created_at",
)  # fmt: skip
TENANT_FIELDS = ("tenancy_id", "person_id")
MOVE_FIELDS = (
    "id", "person_id", "kind", "on", "region_id", "to_region_id", "from_dwelling_id",
    "to_dwelling_id", "note", "created_at",
)  # fmt: skip

# Share of tagged or aged residents with at least one visit on record; the rest were never
# visited (the reminders list them first).
VISITED_SHARE = 0.95
# Share of visits recorded with the next date the plan gives (what the visit form does);
# the others are older records without one, due by the plan's interval.
PLANNED_SHARE = 0.8
# One person in this many moves within the grid, one floating person in this many left.
MOVE_ODDS = 1500
LEFT_ODDS = 400
# The demo grid worker's grid: it must show residents due and a permit expiring.
DEMO_GRID_CODE = "130105001001001"

FOUND = (
    "身体状况良好，生活能够自理。",
    "血压偏高，已提醒按时服药。",
    "家中整洁，子女每周来看望。",
    "行动不便，需要助餐服务。",
    "情绪稳定，希望参加社区老年活动。",
    "冬季取暖正常，燃气安全已检查。",
    "反映楼道照明损坏，已上报。",
    "近期住院一次，已出院在家休养。",
    "独自在家，已留下网格员联系电话。",
    "学习情况良好，祖辈照料到位。",
)
FOLLOW_UP = (
    "",
    "",
    "",
    "联系家庭医生上门随访。",
    "协调助餐点送餐。",
    "报物业维修楼道灯。",
    "下周电话回访。",
    "申请居家养老服务补贴。",
)


@dataclass(frozen=True)
class Resident:
    id: int
    region_id: int
    birth: dt.date
    status: str
    household_id: int | None
    dwelling_id: int | None
    relation: str
    gender: str


def _sealed(certificate: str) -> str:
    return crypto.encrypt(json.dumps({"certificate": certificate}, ensure_ascii=False))


class CareMaker:
    """Builds the rows; one instance per load."""

    def __init__(self, *, seed: int, today: dt.date, stamp: Any) -> None:
        self.rng = random.Random(f"care-{seed}")
        self.today = today
        self.stamp = stamp
        self.counts: Counter[str] = Counter()

    def since(self, birth: dt.date, years: int = 8) -> dt.date:
        day = self.today - dt.timedelta(days=self.rng.randint(30, 365 * years))
        return max(day, birth + dt.timedelta(days=1))

    def tags(self, residents: list[Resident]) -> dict[int, set[str]]:
        """The care tags of each person, by the rules of the module's docstring."""
        rng, today = self.rng, self.today
        members: dict[int, list[Resident]] = defaultdict(list)
        for r in residents:
            if r.household_id is not None:
                members[r.household_id].append(r)
        low_income = {
            h
            for h, group in members.items()
            if group[0].status == ResidenceStatus.REGISTERED and rng.random() < 0.025
        }
        tags: dict[int, set[str]] = defaultdict(set)
        for r in residents:
            age = age_on(r.birth, today)
            group = members.get(r.household_id or 0, [r])
            alone = len(group) == 1
            if alone and age >= 60 and rng.random() < 0.9:
                tags[r.id].add(CareKind.LIVING_ALONE)
                if r.status == ResidenceStatus.REGISTERED and rng.random() < 0.03:
                    tags[r.id].add(CareKind.EXTREME_POVERTY)
            if rng.random() < (0.12 if age >= 60 else 0.03):
                tags[r.id].add(CareKind.DISABLED)
            if r.household_id in low_income:
                tags[r.id].add(CareKind.LOW_INCOME)
            if age < 16 and r.relation == Relation.GRANDCHILD and rng.random() < 0.5:
                tags[r.id].add(CareKind.LEFT_BEHIND_CHILD)
            if (
                age >= 65
                and not alone
                and all(age_on(m.birth, today) >= 60 for m in group)
                and rng.random() < 0.3
            ):
                tags[r.id].add(CareKind.LEFT_BEHIND_ELDER)
            if r.gender == "M" and 40 <= age <= 90 and rng.random() < 0.015:
                tags[r.id].add(CareKind.VETERAN)
        return tags

    def tag_rows(self, residents: dict[int, Resident], tags: dict[int, set[str]]) -> list[tuple]:
        rows = []
        next_tag = next_id(CareTag)
        for person_id in sorted(tags):
            r = residents[person_id]
            for kind in sorted(tags[person_id]):
                grade = None
                details = ""
                if kind == CareKind.DISABLED:
                    grade = self.rng.choices((1, 2, 3, 4), weights=(12, 23, 30, 35))[0]
                    details = _sealed(f"1301051{self.rng.randrange(10**11):011d}{grade}")
                elif kind in (CareKind.LOW_INCOME, CareKind.EXTREME_POVERTY):
                    details = _sealed(f"冀民{self.rng.randrange(10**8):08d}")
                rows.append((next_tag, person_id, kind, grade, details, self.since(r.birth)))
                next_tag += 1
                self.counts[f"tag_{kind}"] += 1
        return [(*row, self.stamp) for row in rows]

    def visit_rows(
        self,
        residents: dict[int, Resident],
        groups: dict[int, set[str]],
        plans: dict[str, int],
        visitor_of: dict[int, int],
    ) -> list[tuple]:
        """Visits for most tagged and aged residents, with one or two earlier ones for some.

        The last one lies within the plan's interval and four days more: some are due this
        week, a few overdue.
        """
        rng, today = self.rng, self.today
        rows = []
        next_visit = next_id(Visit)
        for person_id in sorted(groups):
            keys = [k for k in groups[person_id] if k in plans]
            if not keys or rng.random() >= VISITED_SHARE:
                continue
            r = residents[person_id]
            interval = min(plans[k] for k in keys)
            day = today - dt.timedelta(days=rng.randint(1, interval + 4))
            history = []
            for _ in range(rng.choice((1, 1, 2, 3))):
                history.append(day)
                day -= dt.timedelta(days=interval + rng.randint(-5, 20))
            for visited in reversed(history):
                planned = (
                    visited + dt.timedelta(days=interval) if rng.random() < PLANNED_SHARE else None
                )
                rows.append(
                    (
                        next_visit,
                        person_id,
                        r.region_id,
                        visitor_of.get(r.region_id, visitor_of[0]),
                        visited,
                        rng.choice(FOUND),
                        rng.choice(FOLLOW_UP),
                        planned,
                        self.stamp,
                    )
                )
                next_visit += 1
        self.counts["visits"] = len(rows)
        return rows

    def tenancy_rows(
        self, rented: list[tuple[int, int]], tenants_of: dict[int, list[int]]
    ) -> tuple[list[tuple], list[tuple]]:
        """A current lease for each rented dwelling with people in it; one or two years long."""
        rng, today = self.rng, self.today
        leases: list[tuple[Any, ...]] = []
        links: list[tuple[int, int]] = []
        next_lease = next_id(Tenancy)
        for dwelling_id, region_id in rented:
            tenants = tenants_of.get(dwelling_id)
            if not tenants:
                continue
            years = rng.choice((1, 1, 2))
            starts = today - dt.timedelta(days=rng.randint(0, 365 * years - 1))
            ends = starts.replace(day=min(starts.day, 28), year=starts.year + years)
            registered = starts + dt.timedelta(days=rng.choice((3, 7, 12, 20, 26, 45)))
            landlord = names.surname(rng) + rng.choice(("先生", "女士"))
            leases.append(
                (
                    next_lease,
                    dwelling_id,
                    region_id,
                    landlord,
                    starts,
                    ends,
                    registered if registered <= today else None,
                    self.stamp,
                )
            )
            links.extend((next_lease, person_id) for person_id in tenants)
            next_lease += 1
        self.counts["tenancies"] = len(leases)
        return leases, links


def _visitors() -> dict[int, int]:
    """Who records the visits of each grid: its demo grid worker, else the district admin.

    Key 0 holds the fallback. The demo has grid workers only for its first two grids.
    """
    users = dict(
        User.objects.filter(username__in=("grid", "grid2", "admin")).values_list("username", "pk")
    )
    codes = {"130105001001001": "grid", "130105001001002": "grid2"}
    out = {
        pk: users[codes[code]]
        for pk, code in Region.objects.filter(code__in=codes).values_list("pk", "code")
        if codes[code] in users
    }
    out[0] = users.get("admin") or User.objects.order_by("pk").values_list("pk", flat=True)[0]
    return out


def _moves(maker: CareMaker, residents: list[Resident], cursor: Any) -> set[int]:
    """A few moves within grids and departures of floating persons; the persons are updated."""
    rng, today = maker.rng, maker.today
    dwellings_of: dict[int, list[int]] = defaultdict(list)
    for r in residents:
        if r.dwelling_id is not None:
            dwellings_of[r.region_id].append(r.dwelling_id)
    rows: list[tuple[Any, ...]] = []
    left: set[int] = set()
    moved: list[tuple[int, int]] = []
    next_move = next_id(PersonMove)
    for r in residents:
        roll = rng.randrange(MOVE_ODDS * LEFT_ODDS)
        day = today - dt.timedelta(days=rng.randint(5, 200))
        if r.status == ResidenceStatus.FLOATING and roll % LEFT_ODDS == 0:
            note = "合同到期，返回原籍"
            rows.append((next_move, r.id, MoveKind.LEFT, day, r.region_id, None, r.dwelling_id))
            rows[-1] += (None, note, maker.stamp)
            left.add(r.id)
        elif roll % MOVE_ODDS == 1 and r.dwelling_id is not None:
            target = rng.choice(dwellings_of[r.region_id])
            if target == r.dwelling_id:
                continue
            note = "同网格内搬家"
            rows.append((next_move, r.id, MoveKind.MOVED, day, r.region_id, r.region_id))
            rows[-1] += (r.dwelling_id, target, note, maker.stamp)
            moved.append((target, r.id))
        else:
            continue
        next_move += 1
    quote = connections["default"].ops.quote_name
    table = quote(Person._meta.db_table)
    cursor.executemany(
        f"UPDATE {table} SET {quote('left_on')} = %s WHERE {quote('id')} = %s",
        [(row[3], row[1]) for row in rows if row[2] == MoveKind.LEFT],
    )
    cursor.executemany(
        f"UPDATE {table} SET {quote('dwelling_id')} = %s WHERE {quote('id')} = %s", moved
    )
    writer = BulkInserter(PersonMove, MOVE_FIELDS)
    writer.add(rows)
    writer.flush()
    maker.counts["moves"] = len(rows)
    return left


def demo_care_seed(*, seed: int, stamp: Any, today: dt.date | None = None) -> dict[str, int]:
    """Tags, visits, tenancies and moves for the persons just loaded; the counts made.

    Ends with the day's reminder run, so that the demo staff find a digest in their inbox.
    """
    today = today or calendar.today()
    maker = CareMaker(seed=seed, today=today, stamp=stamp)
    residents = [
        Resident(*row)
        for row in Person.objects.filter(left_on__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "region_id",
            "birth_date",
            "residence_status",
            "household_id",
            "dwelling_id",
            "relation",
            "gender",
        )
    ]
    with connections["default"].cursor() as cursor:
        left = _moves(maker, residents, cursor)
    staying = [r for r in residents if r.id not in left]
    by_id = {r.id: r for r in staying}
    tags = maker.tags(staying)
    tag_writer = BulkInserter(CareTag, TAG_FIELDS)
    tag_writer.add(maker.tag_rows(by_id, tags))
    tag_writer.flush()
    plans = dict(VisitPlan.objects.filter(active=True).values_list("kind", "interval_days"))
    aged_before = today.replace(year=today.year - AGED_YEARS)
    groups = {pid: set(kinds) for pid, kinds in tags.items()}
    for r in staying:
        if r.birth <= aged_before:
            groups.setdefault(r.id, set()).add(AGED_KEY)
    visit_writer = BulkInserter(Visit, VISIT_FIELDS)
    visit_writer.add(maker.visit_rows(by_id, groups, plans, _visitors()))
    visit_writer.flush()
    tenants_of: dict[int, list[int]] = defaultdict(list)
    for r in staying:
        if r.dwelling_id is not None and r.status != ResidenceStatus.REGISTERED:
            tenants_of[r.dwelling_id].append(r.id)
    rented = list(
        Dwelling.objects.filter(use=DwellingUse.RENTED)
        .order_by("pk")
        .values_list("pk", "region_id")
    )
    leases, links = maker.tenancy_rows(rented, tenants_of)
    lease_writer = BulkInserter(Tenancy, TENANCY_FIELDS)
    lease_writer.add(leases)
    lease_writer.flush()
    link_writer = BulkInserter(Tenancy.tenants.through, TENANT_FIELDS)
    link_writer.add(links)
    link_writer.flush()
    _demo_grid_permit(today)
    reset_sequences([CareTag, Visit, Tenancy, Tenancy.tenants.through, PersonMove])
    sent = reminders_send(day=today)
    return {
        "care_tags": tag_writer.count,
        "visits": visit_writer.count,
        "tenancies": lease_writer.count,
        "moves": maker.counts["moves"],
        "reminders": sent.sent,
    }


def _demo_grid_permit(today: dt.date) -> None:
    """Make sure the demo grid worker's grid has a residence permit expiring this month."""
    soon = today + dt.timedelta(days=30)
    floating = Person.objects.filter(
        region__code=DEMO_GRID_CODE, left_on__isnull=True, residence_permit_expiry__isnull=False
    )
    if floating.filter(residence_permit_expiry__gte=today, residence_permit_expiry__lte=soon):
        return
    first = floating.order_by("pk").first()
    if first is not None:
        Person.objects.filter(pk=first.pk).update(
            residence_permit_expiry=today + dt.timedelta(days=12)
        )
