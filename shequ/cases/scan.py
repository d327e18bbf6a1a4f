"""The deadline scan: warn cases due soon, remind on overdue ones. Each case is alerted once.

The queries use the (clock, alert, due_date) index and touch only cases whose alert level
must rise, so the cost follows the number of cases due, not the number of open cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import Alert, Case, CaseEvent, Clock, Notification
from shequ.regions.models import RoleAssignment
from shequ.regions.roles import Role
from shequ.workdays import calendar

SUPERVISOR_ROLES = (Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN)
BATCH = 2000
# What the scan reads of each case, in this order.
FIELDS = (
    "id",
    "tracking_code",
    "title",
    "state",
    "due_date",
    "handler_id",
    "first_responder_id",
    "owner_unit_id",
)
Row = tuple[int, str, str, str, dt.date, int | None, int | None, int | None]


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


def _insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT run for every row, values already adapted for the database.

    A scan writes thousands of messages and timeline events at a time; building a model
    instance for each (what bulk_create does) costs several times more than the rows.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(cast(models.Field, model._meta.get_field(name)).column)) for name in fields
    )
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def _alert(cases: list[Row], level: Alert, today: dt.date) -> None:
    """Message the people of each case, write its timeline event, raise its alert level."""
    overdue = level == Alert.OVERDUE
    leaders = _supervisors({row[7] for row in cases if row[7]}) if overdue else {}
    if overdue:
        template = _("Overdue since %(date)s: %(code)s %(title)s")
    else:
        template = _("Due on %(date)s: %(code)s %(title)s")
    action = "overdue" if overdue else "due_soon"
    system = _("system")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    scanned_on = str(today)
    notes: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for pk, code, title, state, due, handler, responder, unit in cases:
        text = (template % {"date": due, "code": code, "title": title})[:300]
        users = {handler, responder, *leaders.get(unit or 0, [])}
        notes += [(user, pk, text, now) for user in sorted(u for u in users if u)]
        data = {"due_date": str(due), "scanned_on": scanned_on}
        events.append(
            (pk, now, system, action, state, state, "", connection.ops.adapt_json_value(data, None))
        )
    _insert(Notification, ("user", "case", "text", "created_at"), notes)
    _insert(
        CaseEvent,
        ("case", "at", "actor_name", "action", "from_state", "to_state", "note", "data"),
        events,
    )
    Case.objects.filter(pk__in=[row[0] for row in cases]).update(alert=level)


def deadline_scan(today: dt.date | None = None) -> ScanResult:
    """Raise the alert level of cases that have become due soon or overdue.

    Each batch is locked while it is alerted; on PostgreSQL rows locked by another
    transaction (a handler moving the case, another scan) are skipped and picked up by the
    next scan, so a case is never alerted twice and a concurrent change is never overwritten.
    """
    today = today or calendar.today()
    soon_until = calendar.add_working_days(today, settings.CASE_DUE_SOON_DAYS).value
    counts = {Alert.DUE_SOON: 0, Alert.OVERDUE: 0}
    for level, query in (
        # `alert__in` rather than `alert__lt`: each alert value is one seek in the
        # (clock, alert, due_date) index, so only the due rows are read.
        (Alert.OVERDUE, {"alert__in": (Alert.NONE, Alert.DUE_SOON), "due_date__lt": today}),
        (
            Alert.DUE_SOON,
            {"alert": Alert.NONE, "due_date__gte": today, "due_date__lte": soon_until},
        ),
    ):
        while True:
            with transaction.atomic():
                batch: list[Row] = list(
                    Case.objects.filter(clock=Clock.RUNNING, **query)
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("due_date", "id")
                    .values_list(*FIELDS)[:BATCH]
                )
                if not batch:
                    break
                _alert(batch, level, today)
                counts[level] += len(batch)
    return ScanResult(due_soon=counts[Alert.DUE_SOON], overdue=counts[Alert.OVERDUE])
