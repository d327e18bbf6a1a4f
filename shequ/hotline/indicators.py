"""The hotline's indicators, computed from the timeline (never from stored counters).

The cohort of a period is the hotline requests accepted in it within the user's scope; each
figure is read from their timeline events, their rating and the calls of the period:

- on-time sign-for rate = dispatches signed for within their sign-for limit ÷ dispatches signed
  for or past their limit unsigned (a dispatch sent back before its limit is not counted);
- on-time finish rate = cases finished within their limit ÷ (finished cases + open cases past
  their limit) (按期办结率 = 按期办结数 / 应办结数);
- satisfaction rate = ratings very satisfied, satisfied or basically satisfied ÷ ratings;
- one-time finish rate = finished cases never sent back nor returned for rework ÷ finished;
- send-back rate = send-backs ÷ dispatches;
- repeat-call rate = calls merged into an open case ÷ calls taken in the period.

By unit, the dispatch figures go to the unit of each dispatch; the case figures to the unit of
the case's last dispatch ("the hotline centre" for a case answered without a dispatch). By
category, everything goes to the case's category. By month, the months of the period's year.
Residents' opinions are counted per community: received, adopted, solved.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.cases.models import Case, CaseEvent, Clock, Rating
from shequ.hotline.models import Call, CallOutcome, Category, HotlineCase
from shequ.regions.models import Region, Unit

BY_CHOICES = {
    "unit": gettext_lazy("Unit"),
    "category": gettext_lazy("Category"),
    "month": gettext_lazy("Month"),
    "community": gettext_lazy("Community (opinions)"),
}
DISPATCHES = ("dispatch", "assign")
SEND_BACKS = ("send_back", "send_back_escalate")
FINISHES = ("finish", "answer_directly")
SATISFIED = 3  # basically satisfied and above
CENTRE = 0  # the bucket of cases the hotline answered without a dispatch


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.datetime
    end: dt.datetime
    year: int

    @property
    def months(self) -> list[tuple[str, dt.datetime, dt.datetime]]:
        return [_month(self.year, month) for month in range(1, 13)]


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def _month(year: int, month: int) -> tuple[str, dt.datetime, dt.datetime]:
    last = pycalendar.monthrange(year, month)[1]
    return (
        f"{year}-{month:02d}",
        _moment(dt.date(year, month, 1)),
        _moment(dt.date(year, month, last) + dt.timedelta(days=1)),
    )


def parse_period(raw: str) -> Period | None:
    """A month "2026-11" or a year "2026"; None when not understood."""
    raw = raw.strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            key, start, end = _month(year, month)
            return Period(key, start, end, year)
    if re.fullmatch(r"\d{4}", raw) and 2000 <= int(raw) <= 2100:
        year = int(raw)
        return Period(raw, _moment(dt.date(year, 1, 1)), _moment(dt.date(year + 1, 1, 1)), year)
    return None


def month_of(day: dt.date) -> Period:
    key, start, end = _month(day.year, day.month)
    return Period(key, start, end, day.year)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    key: Any
    name: str
    calls: int = 0
    repeats: int = 0
    accepted: int = 0
    dispatches: int = 0
    sign_due: int = 0
    signed_on_time: int = 0
    finished: int = 0
    finished_on_time: int = 0
    open_overdue: int = 0
    one_time: int = 0
    send_backs: int = 0
    rated: int = 0
    satisfied: int = 0
    called_back: int = 0

    @property
    def sign_for_rate(self) -> float | None:
        return _rate(self.signed_on_time, self.sign_due)

    @property
    def finish_rate(self) -> float | None:
        return _rate(self.finished_on_time, self.finished + self.open_overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def one_time_rate(self) -> float | None:
        return _rate(self.one_time, self.finished)

    @property
    def send_back_rate(self) -> float | None:
        return _rate(self.send_backs, self.dispatches)

    @property
    def repeat_rate(self) -> float | None:
        return _rate(self.repeats, self.calls)


@dataclass
class OpinionRow:
    name: str
    received: int = 0
    adopted: int = 0
    solved: int = 0


@dataclass
class Report:
    period: Period
    by: str
    total: Row
    rows: list[Row]
    opinions: list[OpinionRow] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        if self.by == "community":
            return {
                "names": [row.name for row in self.opinions],
                "counts": {
                    "received": [row.received for row in self.opinions],
                    "adopted": [row.adopted for row in self.opinions],
                    "solved": [row.solved for row in self.opinions],
                },
                "series": {},
                "labels": {
                    "received": _("Received"),
                    "adopted": _("Adopted"),
                    "solved": _("Solved"),
                },
            }
        rows = self.rows
        return {
            "names": [row.name for row in rows],
            "series": {
                key: [getattr(row, key) for row in rows]
                for key in (
                    "sign_for_rate",
                    "finish_rate",
                    "satisfaction_rate",
                    "one_time_rate",
                    "send_back_rate",
                    "repeat_rate",
                )
            },
            "counts": {
                "calls": [row.calls for row in rows],
                "accepted": [row.accepted for row in rows],
                "finished": [row.finished for row in rows],
            },
            "labels": {key: str(label) for key, label in RATE_LABELS.items()}
            | {"calls": _("Calls"), "accepted": _("Accepted"), "finished": _("Finished")},
        }


RATE_LABELS = {
    "sign_for_rate": gettext_lazy("On-time sign-for rate"),
    "finish_rate": gettext_lazy("On-time finish rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
    "one_time_rate": gettext_lazy("One-time finish rate"),
    "send_back_rate": gettext_lazy("Send-back rate"),
    "repeat_rate": gettext_lazy("Repeat-call rate"),
}


@dataclass
class _Facts:
    """What one case contributes, read from its timeline."""

    unit: int  # the unit of its last dispatch, CENTRE if none
    category: int
    month: str
    dispatch_units: list[int] = field(default_factory=list)  # the unit of each dispatch
    dispatches: list[tuple[int, bool | None]] = field(default_factory=list)  # signed: unit, on time
    send_backs: list[int] = field(default_factory=list)  # unit that sent back
    finished: bool = False
    on_time: bool = False
    reworked: bool = False
    overdue_open: bool = False
    rating: int | None = None
    called_back: bool = False


def _parse_moment(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _facts(case: Case, events: list[CaseEvent], category: int, now: dt.datetime) -> _Facts:
    facts = _Facts(
        unit=CENTRE,
        category=category,
        month=f"{timezone.localtime(case.created_at):%Y-%m}",
    )
    current: tuple[int, dt.datetime | None] | None = None
    signed = False
    for event in events:
        data = event.data or {}
        if event.action in DISPATCHES:
            if current is not None and not signed and current[1] and event.at > current[1]:
                facts.dispatches.append((current[0], False))
            current = (int(data.get("lead_unit") or 0), _parse_moment(data.get("sign_for_due")))
            facts.unit = current[0]
            facts.dispatch_units.append(current[0])
            signed = False
        elif event.action == "sign_for" and current is not None and not signed:
            signed = True
            due = current[1]
            facts.dispatches.append((current[0], due is None or event.at <= due))
        elif event.action in SEND_BACKS:
            facts.send_backs.append(int(data.get("unit") or (current[0] if current else 0)))
            if current is not None and not signed and current[1] and event.at > current[1]:
                facts.dispatches.append((current[0], False))
            current, signed = None, False
        elif event.action == "rework":
            facts.reworked = True
        elif event.action in FINISHES:
            facts.finished = True
            facts.on_time = bool(data.get("on_time", True))
        elif event.action == "call_back":
            facts.called_back = True
    late = current is not None and not signed and current[1] and now > current[1]
    if late and current is not None and case.state == "dispatched":
        facts.dispatches.append((current[0], False))
    due = case.due_at
    facts.overdue_open = case.clock == Clock.RUNNING and due is not None and now > due
    return facts


def _names(by: str, keys: set[Any]) -> dict[Any, str]:
    if by == "unit":
        names = dict(Unit.objects.filter(pk__in=keys).values_list("pk", "name"))
        names[CENTRE] = _("Hotline centre (no unit)")
        return names
    if by == "category":
        names = dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
        names[0] = _("No category")
        return names
    return {key: str(key) for key in keys}


def hotline_indicators(user: Any, *, period: Period, by: str = "unit") -> Report:
    """The indicators of the period within the user's scope, in total and broken down."""
    now = timezone.now()
    cases = list(
        Case.objects.visible_to(user)
        .filter(type_key="hotline", created_at__gte=period.start, created_at__lt=period.end)
        .order_by("id")
    )
    ids = [case.pk for case in cases]
    categories = dict(
        HotlineCase.objects.filter(case_id__in=ids).values_list("case_id", "category_id")
    )
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=ids).order_by("id"):
        events[event.case_id].append(event)
    ratings = dict(Rating.objects.filter(case_id__in=ids).values_list("case_id", "level"))
    facts = {}
    for case in cases:
        item = _facts(case, events[case.pk], categories.get(case.pk) or 0, now)
        item.rating = ratings.get(case.pk)
        facts[case.pk] = item
    calls = list(
        Call.objects.visible_to(user)
        .filter(taken_at__gte=period.start, taken_at__lt=period.end)
        .values_list(
            "case_id", "outcome", "taken_at", "case__owner_unit_id", "case__hotline__category"
        )
    )

    def bucket_of(f: _Facts) -> Any:
        return {"unit": f.unit, "category": f.category, "month": f.month}.get(by, f.unit)

    rows: dict[Any, Row] = {}
    total = Row(key="", name=_("All"))

    def row(key: Any) -> Row:
        if key not in rows:
            rows[key] = Row(key=key, name="")
        return rows[key]

    def add(key: Any, apply: Callable[[Row], None]) -> None:
        apply(total)
        apply(row(key))

    for item in facts.values():
        key = bucket_of(item)
        add(key, _inc("accepted"))
        for unit, on_time in item.dispatches:
            dkey = unit if by == "unit" else key
            add(dkey, functools.partial(_signed, on_time=on_time))
        for unit in item.dispatch_units:
            add(unit if by == "unit" else key, _inc("dispatches"))
        for unit in item.send_backs:
            add(unit if by == "unit" else key, _inc("send_backs"))
        if item.finished:
            add(key, functools.partial(_finished, item=item))
        if item.overdue_open:
            add(key, _inc("open_overdue"))
    for _case_id, outcome, taken_at, owner_unit, category in calls:
        if by == "unit":
            key = owner_unit or CENTRE
        elif by == "category":
            key = category or 0
        else:
            key = f"{timezone.localtime(taken_at):%Y-%m}"
        repeat = outcome == CallOutcome.REPEAT
        add(key, functools.partial(_call, repeat=repeat))
    if by == "month":
        ordered = [row(key) for key, _start, _end in period.months]
    else:
        ordered = sorted(rows.values(), key=lambda r: (-r.accepted, -r.calls, str(r.key)))
    names = _names(by, {r.key for r in ordered})
    for r in ordered:
        r.name = names.get(r.key, str(r.key))
    report = Report(period=period, by=by, total=total, rows=ordered)
    report.opinions = opinion_counts(user, period=period)
    return report


def _inc(name: str) -> Callable[[Row], None]:
    def apply(row: Row) -> None:
        setattr(row, name, getattr(row, name) + 1)

    return apply


def _signed(row: Row, on_time: bool | None) -> None:
    row.sign_due += 1
    row.signed_on_time += 1 if on_time else 0


def _finished(row: Row, item: _Facts) -> None:
    row.finished += 1
    row.finished_on_time += 1 if item.on_time else 0
    row.one_time += 1 if not item.send_backs and not item.reworked else 0
    row.called_back += 1 if item.called_back else 0
    if item.rating is not None:
        row.rated += 1
        row.satisfied += 1 if item.rating >= SATISFIED else 0


def _call(row: Row, repeat: bool) -> None:
    row.calls += 1
    row.repeats += 1 if repeat else 0


def opinion_counts(user: Any, *, period: Period) -> list[OpinionRow]:
    """Residents' opinions received in the period per community: received, adopted, solved."""
    cases = (
        Case.objects.visible_to(user)
        .filter(type_key="opinion", created_at__gte=period.start, created_at__lt=period.end)
        .values_list("pk", "region_id", "state")
    )
    adopted = set(
        CaseEvent.objects.filter(
            case__in=Case.objects.visible_to(user).filter(
                type_key="opinion", created_at__gte=period.start, created_at__lt=period.end
            ),
            action="adopt",
        ).values_list("case_id", flat=True)
    )
    rows: dict[int, OpinionRow] = {}
    for pk, region_id, state in cases:
        row = rows.setdefault(region_id, OpinionRow(name=""))
        row.received += 1
        row.adopted += 1 if pk in adopted else 0
        row.solved += 1 if state == "solved" else 0
    names = dict(Region.objects.filter(pk__in=rows).values_list("pk", "name"))
    for region_id, row in rows.items():
        row.name = names.get(region_id, "")
    return sorted(rows.values(), key=lambda r: (-r.received, r.name))


def export_table(report: Report) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the export: the breakdown, then the total."""
    if report.by == "community":
        headers = [str(BY_CHOICES["community"]), _("Received"), _("Adopted"), _("Solved")]
        return headers, [[r.name, r.received, r.adopted, r.solved] for r in report.opinions]
    headers = [
        str(BY_CHOICES.get(report.by, "")),
        _("Calls"),
        _("Repeat calls"),
        _("Accepted"),
        _("Dispatches"),
        _("Signed for on time"),
        _("Finished"),
        _("Finished on time"),
        _("Open past the limit"),
        _("Send-backs"),
        _("Ratings"),
    ]
    headers += [str(label) + " %" for label in RATE_LABELS.values()]

    def line(r: Row) -> list[Any]:
        return [
            r.name,
            r.calls,
            r.repeats,
            r.accepted,
            r.dispatches,
            r.signed_on_time,
            r.finished,
            r.finished_on_time,
            r.open_overdue,
            r.send_backs,
            r.rated,
            r.sign_for_rate,
            r.finish_rate,
            r.satisfaction_rate,
            r.one_time_rate,
            r.send_back_rate,
            r.repeat_rate,
        ]

    return headers, [line(r) for r in report.rows] + [line(report.total)]
