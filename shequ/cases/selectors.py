"""Read-side questions of the engine: which cases a staff user reaches, the work queue, deadlines.

A case is reached through the region scope (`visible_to`) or through its owning unit: a
back-office handler whose role sits at the district works the cases of their unit that any
community window accepted (全区通办), even where the window's node lies outside their scope.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.accounts.models import User
from shequ.cases.deadlines import HOUR_KINDS
from shequ.cases.models import Case, Clock, Notification
from shequ.cases.registry import all_types
from shequ.lib.codes import normalise_code
from shequ.regions.models import Region, RoleAssignment
from shequ.regions.permissions import has_role, unit_ids
from shequ.regions.roles import READ_ONLY_ROLES, Role
from shequ.workdays import calendar

# Who may grant an extension of a deadline: the unit's handlers and the leaders above them.
EXTEND_ROLES = frozenset(
    {Role.BACK_OFFICE, Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN}
)
# Who may record the requester's rating given on a call-back (回访).
CALLBACK_ROLES = frozenset(
    {
        Role.WINDOW_WORKER,
        Role.BACK_OFFICE,
        Role.COMMUNITY_LEADER,
        Role.STREET_MANAGER,
        Role.DISTRICT_ADMIN,
        Role.HOTLINE_OPERATOR,
    }
)

WRITE_ROLES = frozenset(set(Role.values) - READ_ONLY_ROLES)

TABS = ("unit", "mine", "area")
DUE_FILTERS = ("soon", "overdue", "paused")
# Pseudo states of the queue's state filter: every unfinished case (the default), every
# finished one, everything.
OPEN, FINISHED, EVERYTHING = "", "finished", "all"


def cases_for(user: Any) -> QuerySet[Case]:
    """Cases within the user's region scope, and the cases owned by the user's units."""
    return Case.objects.visible_to(user) | Case.objects.for_units(unit_ids(user))


def case_for_user(user: Any, case_id: int) -> Case:
    """One case the user reaches (scope or owning unit), or Http404."""
    try:
        return (
            cases_for(user)
            .select_related("region", "owner_unit", "handler", "first_responder", "parent")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def _acts_on(user: Any, case: Case, allowed: frozenset[str]) -> bool:
    """A role of `allowed` over the case's node, or held on the assignment that names the
    case's owning unit (the same rule as the engine's `may_take`)."""
    if has_role(user, allowed, case.region):
        return True
    return (
        case.owner_unit_id in unit_ids(user)
        and RoleAssignment.objects.filter(
            user=user, unit_id=case.owner_unit_id, role__in=allowed
        ).exists()
    )


def may_extend(user: Any, case: Case) -> bool:
    return _acts_on(user, case, EXTEND_ROLES)


def may_record_rating(user: Any, case: Case) -> bool:
    return _acts_on(user, case, CALLBACK_ROLES)


def may_attach(user: Any, case: Case) -> bool:
    """Any role that writes, over the case's node or for its owning unit."""
    return _acts_on(user, case, WRITE_ROLES)


def finished_q() -> Q:
    """Cases in a final state of their type (an approved application still awaits delivery)."""
    query = Q(pk__in=[])
    for kind in all_types():
        query |= Q(type_key=kind.key, state__in=sorted(kind.final_states))
    return query


@dataclass(frozen=True)
class QueueFilters:
    type_key: str = ""
    state: str = OPEN
    due: str = ""
    text: str = ""
    region: Region | None = None


def due_soon_until(today: dt.date) -> dt.date:
    value = calendar.add_working_days(today, settings.CASE_DUE_SOON_DAYS).value
    assert isinstance(value, dt.date)
    return value


def _filtered(cases: QuerySet[Case], filters: QueueFilters, today: dt.date) -> QuerySet[Case]:
    if filters.type_key:
        cases = cases.filter(type_key=filters.type_key)
    if filters.state == OPEN:
        cases = cases.exclude(finished_q())
    elif filters.state == FINISHED:
        cases = cases.filter(finished_q())
    elif filters.state != EVERYTHING:
        cases = cases.filter(state=filters.state)
    if filters.due == "soon":
        cases = cases.due_soon(due_soon_until(today), today)  # type: ignore[attr-defined]
    elif filters.due == "overdue":
        cases = cases.overdue(today)  # type: ignore[attr-defined]
    elif filters.due == "paused":
        cases = cases.filter(clock=Clock.PAUSED)
    text = filters.text.strip()
    if text:
        code = normalise_code(text)
        cases = cases.filter(Q(tracking_code__contains=code) | Q(title__icontains=text))
    if filters.region is not None:
        cases = cases.filter(region__path__startswith=filters.region.path)
    return cases


def tab_cases(user: Any, tab: str) -> QuerySet[Case]:
    """The cases of a queue tab before the filters."""
    if tab == "unit":
        return Case.objects.for_units(unit_ids(user))
    if tab == "mine":
        return cases_for(user).filter(handler=user)
    return Case.objects.visible_to(user)


def work_queue(
    user: Any, *, tab: str, filters: QueueFilters, today: dt.date | None = None
) -> QuerySet[Case]:
    """A tab of the work queue with its filters, soonest deadline first."""
    cases = _filtered(tab_cases(user, tab), filters, today or calendar.today())
    return cases.select_related("region", "owner_unit", "handler").order_by(
        F("due_date").asc(nulls_last=True), "id"
    )


def tab_counts(
    user: Any,
    filters: QueueFilters,
    today: dt.date | None = None,
    tabs: tuple[str, ...] | list[str] = TABS,
) -> dict[str, int]:
    day = today or calendar.today()
    return {tab: _filtered(tab_cases(user, tab), filters, day).count() for tab in tabs}


def queue_regions(user: Any) -> list[Region]:
    """Nodes offered by the queue's region filter: the user's scope down to communities."""
    regions = Region.objects.visible_to(user).select_related("level").order_by("path")
    upper = list(regions.filter(level__depth__lte=2))
    return upper or list(regions.filter(pk__in=_root_ids(user)))


def _root_ids(user: Any) -> list[int]:
    from shequ.regions.scoping import scope_prefixes

    return [int(path.strip("/").rsplit("/", 1)[-1]) for path in scope_prefixes(user)]


@dataclass(frozen=True)
class Deadline:
    """Where a case stands against its deadline, in working days."""

    mark: str  # "", "soon", "overdue", "paused", "stopped"
    days_left: int | None = None
    days_over: int | None = None
    provisional: bool = False
    # For limits counted in hours (incidents): whole hours left or over, by the clock.
    hours_left: int | None = None
    hours_over: int | None = None


def _count(value: dt.date | int) -> int:
    assert isinstance(value, int)
    return value


def _hours_deadline(due_at: dt.datetime) -> Deadline:
    """A limit in hours: overdue past the moment, due soon within CASE_DUE_SOON_HOURS."""
    left = (due_at - timezone.now()).total_seconds() / 3600
    if left < 0:
        return Deadline("overdue", hours_over=max(1, math.ceil(-left)))
    mark = "soon" if left <= settings.CASE_DUE_SOON_HOURS else ""
    return Deadline(mark, hours_left=math.floor(left))


def deadline(case: Case, today: dt.date, soon_until: dt.date) -> Deadline:
    """The case's deadline mark; counts are working days (calendar lookups, no queries)."""
    if case.clock == Clock.STOPPED:
        return Deadline("stopped", provisional=case.due_provisional)
    if case.due_date is None:
        return Deadline("")
    if case.limit_kind in HOUR_KINDS and case.due_at is not None and case.clock == Clock.RUNNING:
        return _hours_deadline(case.due_at)
    if case.clock == Clock.PAUSED:
        since = case.paused_on or today
        left = calendar.working_days_between(since, case.due_date)
        return Deadline("paused", days_left=_count(left.value), provisional=case.due_provisional)
    if case.due_date < today:
        over = calendar.working_days_between(case.due_date, today)
        return Deadline("overdue", days_over=_count(over.value), provisional=case.due_provisional)
    left = calendar.working_days_between(today, case.due_date)
    mark = "soon" if case.due_date <= soon_until else ""
    return Deadline(mark, days_left=_count(left.value), provisional=case.due_provisional)


def unread_count(user: Any) -> int:
    """The inbox badge of the staff shell."""
    if not isinstance(user, User):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user: Any) -> QuerySet[Notification]:
    """A user's messages, unread first, newest first."""
    return (
        Notification.objects.filter(user=user)
        .select_related("case")
        .order_by(F("read_at").desc(nulls_first=True), "-id")
    )
