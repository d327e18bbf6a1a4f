"""The register's daily reminders: visits due, residence permits expiring, tenancies ending.

`reminders_find` answers what is due within a subtree (the "due for a visit" page uses it);
`reminders_send` runs it over the whole register once a day and puts one digest per
responsible staff member in the inbox: grid workers hear about everything in their grids,
community leaders about the visits that are overdue. Each digest carries a key made of the
day, so a second run on the same day stores nothing.

The cost follows what is due, not the size of the register: permits and tenancies are read
through their date indexes, and the visit candidates are the bounded sets of current care
tags, of residents aged 70 and over (a birth-date range) and of visits whose `next_due` has
come (the `next_due` index). Their latest visit is read through the (person, -visited_on)
index.

A visit is due when the latest visit's `next_due` has come, or when there is no `next_due`
and the latest visit is older than the shortest active interval of the person's care
groups, or when the person was never visited. "Due" looks `VISIT_AHEAD_DAYS` ahead so that
a grid worker can plan the week; "overdue" means the day has passed (or never visited).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shequ.core.inbox import InboxMessage, deliver
from shequ.people.models import Person, Tenancy
from shequ.people.models_care import AGED_KEY, AGED_YEARS, CareTag, Visit, VisitPlan
from shequ.regions.models import Region, RoleAssignment
from shequ.regions.roles import Role
from shequ.workdays import calendar

# A visit whose day comes within this many days is listed as due (the week ahead).
VISIT_AHEAD_DAYS = 7


def reminder_days() -> int:
    """Days ahead for permits and tenancies (`PERMIT_REMINDER_DAYS`, default 30)."""
    return int(getattr(settings, "PERMIT_REMINDER_DAYS", 30))


def years_before(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone `years` old on `day` (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class DueVisit:
    """A resident due for a visit: `due_on` is None when never visited."""

    person_id: int
    region_id: int
    groups: frozenset[str]
    last_visited: dt.date | None
    due_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class ExpiringPermit:
    person_id: int
    region_id: int
    expires_on: dt.date


@dataclass(frozen=True)
class EndingTenancy:
    tenancy_id: int
    region_id: int
    ends_on: dt.date


@dataclass
class Reminders:
    """What is due within a subtree on a day."""

    day: dt.date
    visits: list[DueVisit] = field(default_factory=list)
    permits: list[ExpiringPermit] = field(default_factory=list)
    tenancies: list[EndingTenancy] = field(default_factory=list)


def active_plans() -> dict[str, int]:
    """Days between visits per care group key, for the active plans."""
    return dict(VisitPlan.objects.filter(active=True).values_list("kind", "interval_days"))


def _visits_due(day: dt.date, region_ids: Subquery | None) -> list[DueVisit]:
    plans = active_plans()
    horizon = day + dt.timedelta(days=VISIT_AHEAD_DAYS)
    # The kinds are filtered here, not in SQL: a filter on the kind would lead SQLite through
    # the kind index over the whole district even for one grid.
    tags = CareTag.objects.current().filter(person__left_on__isnull=True)
    if region_ids is not None:
        tags = tags.filter(person__region_id__in=region_ids)
    groups: dict[int, set[str]] = defaultdict(set)
    for person_id, kind in tags.values_list("person_id", "kind"):
        if kind in plans:
            groups[person_id].add(kind)
    aged_cutoff = years_before(day, AGED_YEARS)
    # Candidates: tagged, aged, or with a planned visit whose day has come. Over the whole
    # register the planned ones come from the next_due index; within a subtree each person
    # of the subtree is probed through the (person, visited_on) index instead.
    planned_visits = Visit.objects.filter(next_due__lte=horizon)
    if region_ids is None:
        tagged = Q(pk__in=tags.values("person_id"))
        wanted = tagged | Q(pk__in=planned_visits.values("person_id"))
    else:
        wanted = Q(pk__in=list(groups)) | Q(Exists(planned_visits.filter(person_id=OuterRef("pk"))))
    if AGED_KEY in plans:
        wanted |= Q(birth_date__lte=aged_cutoff)
    latest = Visit.objects.filter(person_id=OuterRef("pk")).order_by("-visited_on", "-id")
    candidates = Person.objects.filter(wanted, left_on__isnull=True)
    if region_ids is not None:
        candidates = candidates.filter(region_id__in=region_ids)
    rows = candidates.annotate(
        last_on=Subquery(latest.values("visited_on")[:1]),
        planned=Subquery(latest.values("next_due")[:1]),
    ).values_list("pk", "region_id", "birth_date", "last_on", "planned")
    due: list[DueVisit] = []
    for person_id, region_id, birth, last_on, planned in rows:
        keys = set(groups.get(person_id, ()))
        if AGED_KEY in plans and birth <= aged_cutoff:
            keys.add(AGED_KEY)
        if planned is not None:
            due_on: dt.date | None = planned
        elif not keys:
            continue  # only an older visit had planned a date: nothing is asked of anyone
        elif last_on is None:
            due_on = None
        else:
            due_on = last_on + dt.timedelta(days=min(plans[key] for key in keys))
        if due_on is not None and due_on > horizon:
            continue
        overdue = due_on is None or due_on < day
        due.append(DueVisit(person_id, region_id, frozenset(keys), last_on, due_on, overdue))
    # Overdue first (never visited before the longest waiting), then by the day they fall due.
    due.sort(key=lambda v: (not v.overdue, v.due_on or dt.date.min, v.person_id))
    return due


def reminders_find(*, day: dt.date | None = None, region: Region | None = None) -> Reminders:
    """Everything due within the region's subtree (the whole register when None).

    The caller scopes: a page passes a region fetched with `get_region_for_user`.
    """
    day = day or calendar.today()
    region_ids = (
        Subquery(Region.objects.filter(path__startswith=region.path).values("pk"))
        if region is not None
        else None
    )
    until = day + dt.timedelta(days=reminder_days())
    permits = Person.objects.filter(
        residence_permit_expiry__gte=day, residence_permit_expiry__lte=until, left_on__isnull=True
    )
    tenancies = Tenancy.objects.filter(ends_on__gte=day, ends_on__lte=until)
    if region_ids is not None:
        permits = permits.filter(region_id__in=region_ids)
        tenancies = tenancies.filter(region_id__in=region_ids)
    return Reminders(
        day=day,
        visits=_visits_due(day, region_ids),
        permits=[
            ExpiringPermit(pk, region_id, expiry)
            for pk, region_id, expiry in permits.order_by(
                "residence_permit_expiry", "pk"
            ).values_list("pk", "region_id", "residence_permit_expiry")
            if expiry is not None
        ],
        tenancies=[
            EndingTenancy(*row)
            for row in tenancies.order_by("ends_on", "pk").values_list("pk", "region_id", "ends_on")
        ],
    )


@dataclass
class Digest:
    """The counts one staff member hears about, and the node the digest links to."""

    user_id: int
    region_id: int
    visits: int = 0
    overdue: int = 0
    permits: int = 0
    tenancies: int = 0

    def text(self, days: int) -> str:
        parts = []
        if self.visits:
            part = ngettext(
                "%(count)d resident due for a visit",
                "%(count)d residents due for a visit",
                self.visits,
            ) % {"count": self.visits}
            if self.overdue:
                part += _(" (%(count)d overdue)") % {"count": self.overdue}
            parts.append(part)
        elif self.overdue:
            parts.append(
                ngettext(
                    "%(count)d resident overdue for a visit",
                    "%(count)d residents overdue for a visit",
                    self.overdue,
                )
                % {"count": self.overdue}
            )
        if self.permits:
            parts.append(
                ngettext(
                    "%(count)d residence permit expiring within %(days)d days",
                    "%(count)d residence permits expiring within %(days)d days",
                    self.permits,
                )
                % {"count": self.permits, "days": days}
            )
        if self.tenancies:
            parts.append(
                ngettext(
                    "%(count)d tenancy ending within %(days)d days",
                    "%(count)d tenancies ending within %(days)d days",
                    self.tenancies,
                )
                % {"count": self.tenancies, "days": days}
            )
        return _("In the area you look after: %(items)s.") % {"items": _("; ").join(parts)}


class _Recipients:
    """Who looks after a node: grid workers and community leaders at it or above it."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
        rows = RoleAssignment.objects.filter(
            role__in=[Role.GRID_WORKER, Role.COMMUNITY_LEADER], user__is_active=True
        ).values_list("user_id", "role", "region_id", "region__path")
        for user_id, role, region_id, path in rows:
            self.by_path[path].append((user_id, role, region_id))

    def of(self, path: str) -> list[tuple[int, str, int]]:
        found: list[tuple[int, str, int]] = []
        parts = path.strip("/").split("/")
        for end in range(1, len(parts) + 1):
            found.extend(self.by_path.get("/" + "/".join(parts[:end]) + "/", ()))
        return found


@dataclass
class SendResult:
    visits: int = 0
    permits: int = 0
    tenancies: int = 0
    digests: int = 0
    sent: int = 0


def reminders_send(*, day: dt.date | None = None) -> SendResult:
    """Find what is due in the whole register and put one digest per recipient in the inbox.

    Idempotent per day: each digest is keyed by the day, a second run adds nothing.
    """
    found = reminders_find(day=day)
    recipients = _Recipients()
    region_ids = (
        {v.region_id for v in found.visits}
        | {p.region_id for p in found.permits}
        | {t.region_id for t in found.tenancies}
    )
    paths = dict(Region.objects.filter(pk__in=region_ids).values_list("pk", "path"))
    digests: dict[int, Digest] = {}

    def tell_grid_workers(region_id: int, name: str) -> None:
        for user_id, role, node_id in recipients.of(paths[region_id]):
            if role == Role.GRID_WORKER:
                digest = digests.setdefault(user_id, Digest(user_id=user_id, region_id=node_id))
                setattr(digest, name, getattr(digest, name) + 1)

    for visit in found.visits:
        overdue = int(visit.overdue)
        for user_id, role, node_id in recipients.of(paths[visit.region_id]):
            digest = digests.setdefault(user_id, Digest(user_id=user_id, region_id=node_id))
            if role == Role.GRID_WORKER:
                digest.visits += 1
                digest.overdue += overdue
            elif overdue:
                digest.overdue += 1
    for permit in found.permits:
        tell_grid_workers(permit.region_id, "permits")
    for tenancy in found.tenancies:
        tell_grid_workers(tenancy.region_id, "tenancies")
    days = reminder_days()
    base = reverse("people:visits-due")
    key = f"people.reminders:{found.day.isoformat()}"
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            InboxMessage(
                user_id=d.user_id,
                text=d.text(days),
                url=f"{base}?region={d.region_id}",
                key=key,
            )
            for d in digests.values()
            if d.visits or d.overdue or d.permits or d.tenancies
        ]
    return SendResult(
        visits=len(found.visits),
        permits=len(found.permits),
        tenancies=len(found.tenancies),
        digests=len(messages),
        sent=deliver(messages),
    )


@task()
def reminders_task() -> dict[str, int]:
    """The daily run (registered in `people.tasks.PERIODIC`)."""
    result = reminders_send()
    return {"visits": result.visits, "permits": result.permits, "sent": result.sent}
