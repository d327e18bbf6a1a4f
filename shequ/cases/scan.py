"""The deadline scan: warn cases due soon, remind on overdue ones. Each case is alerted once.

The queries use the (clock, alert, due_date) index and touch only cases whose alert level
must rise, so the cost follows the number of cases due, not the number of open cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from shequ.cases.models import Alert, Case, CaseEvent, Clock, Notification
from shequ.regions.models import RoleAssignment
from shequ.regions.roles import Role
from shequ.workdays import calendar

SUPERVISOR_ROLES = (Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN)
BATCH = 2000


@dataclass(frozen=True)
class ScanResult:
    due_soon: int
    overdue: int


def _supervisors(unit_ids: set[int]) -> dict[int, list[int]]:
    """Leaders assigned to each unit: they get the overdue reminders of its cases."""
    leaders: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in RoleAssignment.objects.filter(
        unit_id__in=unit_ids, role__in=SUPERVISOR_ROLES
    ).values_list("unit_id", "user_id"):
        leaders[unit_id].append(user_id)
    return leaders


def _alert(cases: list[Case], level: Alert, today: dt.date) -> None:
    leaders = (
        _supervisors({c.owner_unit_id for c in cases if c.owner_unit_id})
        if level == Alert.OVERDUE
        else {}
    )
    notes: list[Notification] = []
    events: list[CaseEvent] = []
    for case in cases:
        if level == Alert.OVERDUE:
            text = _("Overdue since %(date)s: %(code)s %(title)s") % {
                "date": case.due_date,
                "code": case.tracking_code,
                "title": case.title,
            }
            users = {
                case.handler_id,
                case.first_responder_id,
                *leaders.get(case.owner_unit_id or 0, []),
            }
        else:
            text = _("Due on %(date)s: %(code)s %(title)s") % {
                "date": case.due_date,
                "code": case.tracking_code,
                "title": case.title,
            }
            users = {case.handler_id, case.first_responder_id}
        notes += [Notification(user_id=u, case=case, text=text[:300]) for u in users if u]
        events.append(
            CaseEvent(
                case=case,
                actor_name=_("system"),
                action="overdue" if level == Alert.OVERDUE else "due_soon",
                from_state=case.state,
                to_state=case.state,
                data={"due_date": str(case.due_date), "scanned_on": str(today)},
            )
        )
    Notification.objects.bulk_create(notes)
    CaseEvent.objects.bulk_create(events)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(alert=level)


def deadline_scan(today: dt.date | None = None) -> ScanResult:
    """Raise the alert level of cases that have become due soon or overdue."""
    today = today or calendar.today()
    soon_until = calendar.add_working_days(today, settings.CASE_DUE_SOON_DAYS).value
    counts = {Alert.DUE_SOON: 0, Alert.OVERDUE: 0}
    fields = [
        "id",
        "tracking_code",
        "title",
        "state",
        "due_date",
        "handler_id",
        "first_responder_id",
        "owner_unit_id",
    ]
    for level, query in (
        (Alert.OVERDUE, {"alert__lt": Alert.OVERDUE, "due_date__lt": today}),
        (
            Alert.DUE_SOON,
            {"alert": Alert.NONE, "due_date__gte": today, "due_date__lte": soon_until},
        ),
    ):
        while True:
            with transaction.atomic():
                batch = list(
                    Case.objects.filter(clock=Clock.RUNNING, **query)
                    .only(*fields)
                    .order_by("due_date", "id")[:BATCH]
                )
                if not batch:
                    break
                _alert(batch, level, today)
                counts[level] += len(batch)
    return ScanResult(due_soon=counts[Alert.DUE_SOON], overdue=counts[Alert.OVERDUE])
