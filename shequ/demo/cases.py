"""The demo district's matters: applications at the halls of 古楼街道 over the last three months.

Every case goes through the real services (intake, transitions, ratings: events, audit and
rectifications included); only its dates are then moved into the past, as if the work had
been done day by day. Deterministic for a seed, apart from the tracking codes.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from shequ.accounts.models import User
from shequ.cases.models import Case, CaseEvent, Rating
from shequ.cases.services import case_transition
from shequ.cases.services_rating import case_rate
from shequ.hall.models import ServiceItem
from shequ.hall.services import application_deliver, window_accept
from shequ.people.models import Person
from shequ.regions.models import Region
from shequ.workdays import calendar

HALL_STREET_CODE = "130105001"
DAYS_BACK = 90
# Outcome weights: finished (and rated or not), rejected, waiting for materials, in hand, new.
OUTCOMES = (("delivered", 60), ("rejected", 8), ("correction", 10), ("handling", 12), ("new", 10))


def _shift(case: Case, start_days: int, later_days: int) -> None:
    """Move a case into the past: its opening `start_days` back, its later steps `later_days`."""
    start, later = dt.timedelta(days=start_days), dt.timedelta(days=later_days)
    Case.objects.filter(pk=case.pk).update(
        created_at=F("created_at") - start,
        started_on=F("started_on") - start,
        paused_on=F("paused_on") - later,
        finished_at=F("finished_at") - later,
    )
    CaseEvent.objects.filter(case=case, action="open").update(at=F("at") - start)
    CaseEvent.objects.filter(case=case).exclude(action="open").update(at=F("at") - later)
    Rating.objects.filter(case=case).update(at=F("at") - later)


def demo_cases_seed(*, seed: int, count: int) -> int:
    """Create `count` applications in the communities of 古楼街道; returns how many."""
    window = User.objects.filter(username="window").first()
    back = User.objects.filter(username="backoffice").first()
    if window is None or back is None or count <= 0:
        return 0
    rng = random.Random(seed + 7)
    items = list(
        ServiceItem.objects.current()
        .filter(department__code__in=("D-MZ", "D-RS"))
        .prefetch_related("materials")
        .order_by("code")
    )
    communities = list(
        Region.objects.filter(parent__code=HALL_STREET_CODE, level__key="community").order_by(
            "code"
        )
    )
    people = list(
        Person.objects.filter(region__path__startswith=communities[0].parent.path)  # type: ignore[union-attr]
        .exclude(phone_enc="")
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    if not items or not people:
        return 0
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    made = 0
    made = _run(count, rng, items, communities, people, outcomes, window, back)
    _recount_deadlines()
    return made


def _run(
    count: int,
    rng: random.Random,
    items: list[ServiceItem],
    communities: list[Region],
    people: list[int],
    outcomes: list[str],
    window: User,
    back: User,
) -> int:
    made = 0
    for _ in range(count):
        item = rng.choice(items)
        applicant = Person.objects.get(pk=rng.choice(people))
        region = rng.choice(communities)
        case = window_accept(
            actor=window,
            item=item,
            applicant=applicant,
            region=region,
            materials=[m.pk for m in item.materials.all()],
        )
        outcome = rng.choice(outcomes)
        age = rng.randint(0, DAYS_BACK)
        if outcome != "new":
            case = case_transition(case=case, name="take", actor=back)
        if outcome == "correction":
            case = case_transition(
                case=case, name="request_correction", actor=back, note="请补充近三个月的收入证明"
            )
        if outcome in ("delivered", "rejected"):
            if rng.random() < 0.15:
                case = case_transition(
                    case=case, name="request_correction", actor=back, note="请补充户口簿复印件"
                )
                case = case_transition(case=case, name="corrected", actor=back)
            if outcome == "rejected":
                case = case_transition(
                    case=case, name="reject", actor=back, note="不符合申请条件：家庭收入超出标准"
                )
            else:
                case = case_transition(case=case, name="approve", actor=back)
            method = "proxy_home" if rng.random() < 0.2 else "pickup"
            case = application_deliver(case=case, method=method, actor=back)
            roll = rng.random()
            if roll < 0.65:
                level = rng.choices((5, 4, 3, 2, 1), weights=(55, 25, 10, 6, 4))[0]
                case_rate(case=case, level=level, channel="portal", comment="")
        # Open matters were accepted in the last weeks; finished ones took 1 to 12 days,
        # so a few ran past their promise.
        if outcome in ("delivered", "rejected"):
            _shift(case, age, max(age - rng.randint(1, 12), 0))
        else:
            age = rng.randint(0, 12)
            _shift(case, age, max(age - rng.randint(0, age), 0))
        made += 1
    return made


def _recount_deadlines() -> None:
    # Deadlines counted again from the moved starts, and on time or not from the moved finish.
    for case in Case.objects.filter(type_key="application", started_on__isnull=False).only(
        "pk", "started_on", "promised_days"
    ):
        assert case.started_on is not None
        result = calendar.add_working_days(case.started_on, case.promised_days)
        Case.objects.filter(pk=case.pk).update(due_date=result.value)
    Case.objects.filter(finished_at__isnull=False, due_date__isnull=False).update(
        finished_on_time=True
    )
    for case in Case.objects.filter(finished_at__isnull=False, due_date__isnull=False).only(
        "pk", "finished_at", "due_date"
    ):
        assert case.finished_at is not None and case.due_date is not None
        on_time = timezone.localtime(case.finished_at).date() <= case.due_date
        if not on_time:
            Case.objects.filter(pk=case.pk).update(finished_on_time=False)
