"""The deadline scan: warn cases due soon, remind on overdue ones. Each case is alerted once.

The queries use the (clock, due_date) index and write only cases whose alert level must
rise, so the cost follows the number of cases due, not the number of open cases. `alert` is
in no index, so that raising it is a HOT update on PostgreSQL (no new index entries); the
price is that the overdue query reads the open overdue cases already alerted, through the
index, and skips them on their row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import Alert, Case, CaseEvent, Clock, Notification
from shequ.core.sql import insert_rows
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


# How many matters a digest names before "…": the message holds 300 characters.
DIGEST_NAMES = 8


def _digest(level: Alert, rows: list[Row], template: str, link: str) -> tuple[int | None, str, str]:
    """(case id or None, text, link) of the one message a recipient gets for these cases.

    One case: the message about it, as before, pointing at the case. Several: their number and
    the first codes, pointing at the work queue filtered to these deadlines.
    """
    if len(rows) == 1:
        pk, code, title, _state, due = rows[0][:5]
        return pk, (template % {"date": due, "code": code, "title": title})[:300], ""
    if level == Alert.OVERDUE:
        head = _("%(count)d matters are overdue:") % {"count": len(rows)}
    else:
        head = _("%(count)d matters are due soon:") % {"count": len(rows)}
    names = " ".join(f"{code} {title[:20]}" for _pk, code, title, *_rest in rows[:DIGEST_NAMES])
    more = " …" if len(rows) > DIGEST_NAMES else ""
    text = f"{head} {names}"[: 300 - len(more)] + more
    return None, text, link


def _alert(cases: list[Row], level: Alert, today: dt.date) -> None:
    """Tell the people of the cases and write each case's timeline event (their alert level
    is raised already, `_raise_batch`).

    Each recipient (handler, first responder and, when overdue, the leaders of the owning
    unit) gets one message for all of his cases of the batch, not one per case: a digest is
    a few rows where a message per case and person was three or four rows per case.
    """
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
    per_user: dict[int, list[Row]] = defaultdict(list)
    events: list[tuple[Any, ...]] = []
    for row in cases:
        pk, _code, _title, state, due, handler, responder, unit = row
        for user in {handler, responder, *leaders.get(unit or 0, [])}:
            if user:
                per_user[user].append(row)
        data = {"due_date": str(due), "scanned_on": scanned_on}
        events.append(
            (pk, now, system, action, state, state, "", connection.ops.adapt_json_value(data, None))
        )
    link = f"{reverse('cases:queue')}?{urlencode({'due': 'overdue' if overdue else 'soon'})}"
    notes = [
        (user, *_digest(level, rows, template, link), "", now) for user, rows in per_user.items()
    ]
    insert_rows(Notification, ("user", "case", "text", "url", "key", "created_at"), notes)
    insert_rows(
        CaseEvent,
        ("case", "at", "actor_name", "action", "from_state", "to_state", "note", "data"),
        events,
    )


def _raise_batch(level: Alert, query: dict[str, Any]) -> list[Row]:
    """Raise the alert of up to BATCH cases matching `query` and return their rows.

    One statement: `UPDATE ... WHERE id IN (the batch, locked) RETURNING` the columns the
    messages need, so each case row is visited once (no separate lock, then update). On
    PostgreSQL the batch is locked with SKIP LOCKED; SQLite's write transaction holds the
    database's one write lock already.
    """
    batch = (
        Case.objects.filter(clock=Clock.RUNNING, **query)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due_date", "id")
        .values("pk")[:BATCH]
    )
    inner, params = batch.query.sql_with_params()
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Case._meta.db_table)} SET {quote('alert')} = %s "
        f"WHERE {quote('id')} IN ({inner}) RETURNING {', '.join(map(quote, FIELDS))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(level), *params])
        rows = cursor.fetchall()
    found: list[Row] = [
        (pk, code, title, state, _day(due), handler, responder, unit)
        for pk, code, title, state, due, handler, responder, unit in rows
    ]
    found.sort(key=lambda row: (row[4], row[0]))
    return found


def _day(value: Any) -> dt.date:
    """A date column as read by a raw cursor (SQLite gives its ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


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
        (Alert.OVERDUE, {"alert__in": (Alert.NONE, Alert.DUE_SOON), "due_date__lt": today}),
        (
            Alert.DUE_SOON,
            {"alert": Alert.NONE, "due_date__gte": today, "due_date__lte": soon_until},
        ),
    ):
        while True:
            with transaction.atomic():
                batch = _raise_batch(level, query)
                if not batch:
                    break
                _alert(batch, level, today)
                counts[level] += len(batch)
    return ScanResult(due_soon=counts[Alert.DUE_SOON], overdue=counts[Alert.OVERDUE])
