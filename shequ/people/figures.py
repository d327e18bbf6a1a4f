"""Figures of the register per region node: computed from the records, never typed or stored.

Each figure is one grouped query over the node's subtree, grouped by the grid the rows sit
in (a few thousand groups at most); the groups are then added up per child of the node in
Python. The cost is one scan per figure whatever the number of children, and the persons'
status, age band and household membership come out of the same scan.

Persons who left the district (`left_on`) are not counted. Sensitive care kinds (disability,
低保, 特困) are counted only for users who may see them at the node; for others they are
left out of the figures altogether, not shown as zero.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.lib.tabular import write_xlsx
from shequ.people.models import (
    CareKind,
    CareTag,
    Dwelling,
    DwellingUse,
    Household,
    Person,
    ResidenceStatus,
    Tenancy,
)
from shequ.people.models_care import AGED_KEY, AGED_YEARS, SENSITIVE_KINDS
from shequ.people.reminders import reminder_days, years_before
from shequ.regions.models import Region
from shequ.regions.permissions import can_export, can_see_sensitive
from shequ.workdays import calendar

# Age bands: (key, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-59", 18, 59),
    ("60-69", 60, 69),
    ("70-79", 70, 79),
    ("80+", 80, None),
)
STATUSES = tuple(ResidenceStatus.values)
USES = tuple(DwellingUse.values)


def care_keys(sensitive: bool) -> list[str]:
    """The care columns in display order: aged 70+ first, sensitive kinds only when allowed."""
    kinds = [k for k in CareKind.values if sensitive or k not in SENSITIVE_KINDS]
    return [AGED_KEY, *kinds]


def care_label(key: str) -> str:
    if key == AGED_KEY:
        return _("Aged %(years)d+") % {"years": AGED_YEARS}
    return str(CareKind(key).label)


@dataclass
class FigureRow:
    """The figures of one node (a child of the chosen node, or the total)."""

    region_id: int | None
    name: str
    code: str = ""
    status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    bands: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in AGE_BANDS})
    care: dict[str, int] = field(default_factory=dict)
    permits_expiring: int = 0
    households: int = 0
    housed: int = 0  # persons who belong to a household: the numerator of the average size
    dwellings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USES, 0))
    tenancies: int = 0

    @property
    def persons(self) -> int:
        return sum(self.status.values())

    @property
    def household_size(self) -> float | None:
        return round(self.housed / self.households, 2) if self.households else None

    @property
    def dwelling_total(self) -> int:
        return sum(self.dwellings.values())

    def add(self, other: FigureRow) -> None:
        for mine, theirs in (
            (self.status, other.status),
            (self.bands, other.bands),
            (self.care, other.care),
            (self.dwellings, other.dwellings),
        ):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        self.permits_expiring += other.permits_expiring
        self.households += other.households
        self.housed += other.housed
        self.tenancies += other.tenancies


@dataclass
class Figures:
    node: Region
    day: dt.date
    days: int  # permits expiring within this many days
    sensitive: bool
    rows: list[FigureRow]
    total: FigureRow
    care_keys: list[str]

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (json_script): labels and series, no personal data."""
        return {
            "names": [row.name for row in self.rows],
            "status": {
                "labels": [str(ResidenceStatus(s).label) for s in STATUSES],
                "series": [[row.status[s] for row in self.rows] for s in STATUSES],
            },
            "bands": {
                "labels": [b[0] for b in AGE_BANDS],
                "values": [self.total.bands[b[0]] for b in AGE_BANDS],
            },
            "care": {
                "labels": [care_label(k) for k in self.care_keys],
                "values": [self.total.care.get(k, 0) for k in self.care_keys],
            },
            "dwellings": {
                "labels": [str(DwellingUse(u).label) for u in USES],
                "series": [[row.dwellings[u] for row in self.rows] for u in USES],
            },
        }


def _band_case(day: dt.date) -> Case:
    """The age band of a birth date on `day`, as SQL (a person is n on the n-th birthday)."""
    whens = []
    for key, _low, high in AGE_BANDS:
        if high is not None:
            whens.append(When(birth_date__gt=years_before(day, high + 1), then=Value(key)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def _groups(rows: QuerySet[Any], region_key: str, key: str | None = None) -> dict[int, Any]:
    """{region id: count} or {region id: {key: count}} from a grouped values() query."""
    out: dict[int, Any] = defaultdict(dict) if key else defaultdict(int)
    for row in rows.order_by():
        if key:
            out[row[region_key]][row[key]] = row["n"]
        else:
            out[row[region_key]] += row["n"]
    return out


def people_figures(user: Any, node: Region, *, day: dt.date | None = None) -> Figures:
    """The figures of `node` and each of its children; `node` is within the user's scope.

    The caller fetched `node` with `get_region_for_user`; the subtree is read through
    `visible_to` all the same, so a node outside the scope yields nothing.
    """
    day = day or calendar.today()
    days = reminder_days()
    sensitive = can_see_sensitive(user, node)
    subtree = list(
        Region.objects.visible_to(user)
        .filter(path__startswith=node.path)
        .values_list("pk", "path", "parent_id")
    )
    ids = [pk for pk, _path, _parent in subtree]
    depth = node.path.count("/")
    child_of: dict[int, int] = {}
    for pk, path, _parent in subtree:
        parts = path.strip("/").split("/")
        child_of[pk] = int(parts[depth - 1]) if len(parts) >= depth else node.pk
    children = list(
        Region.objects.filter(parent=node, pk__in=ids)
        .order_by("code")
        .values_list("pk", "name", "code")
    )
    rows = {pk: FigureRow(pk, name, code) for pk, name, code in children}
    own = FigureRow(node.pk, _("%(name)s itself") % {"name": node.name}, node.code)
    keys = care_keys(sensitive)

    def row_of(region_id: int) -> FigureRow:
        return rows.get(child_of.get(region_id, node.pk), own)

    persons = Person.objects.filter(region_id__in=ids, left_on__isnull=True)
    # Figure 1-3 in one scan: status x age band, with the members of households counted.
    for r in (
        persons.annotate(band=_band_case(day))
        .values("region_id", "residence_status", "band")
        .annotate(n=Count("pk"), housed=Count("household_id"))
        .order_by()
    ):
        row = row_of(r["region_id"])
        row.status[r["residence_status"]] = row.status.get(r["residence_status"], 0) + r["n"]
        row.bands[r["band"]] += r["n"]
        row.housed += r["housed"]
        if r["band"] in ("70-79", "80+"):
            row.care[AGED_KEY] = row.care.get(AGED_KEY, 0) + r["n"]
    # Every kind is counted and the hidden ones dropped here: a filter on the kind would lead
    # SQLite through the kind index over the whole district even for one community.
    for r in (
        CareTag.objects.current()
        .filter(person__region_id__in=ids, person__left_on__isnull=True)
        .values("person__region_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if r["kind"] not in keys:
            continue
        row = row_of(r["person__region_id"])
        row.care[r["kind"]] = row.care.get(r["kind"], 0) + r["n"]
    expiring = persons.filter(
        residence_status=ResidenceStatus.FLOATING,
        residence_permit_expiry__gte=day,
        residence_permit_expiry__lte=day + dt.timedelta(days=days),
    )
    for region_id, n in _groups(
        expiring.values("region_id").annotate(n=Count("pk")), "region_id"
    ).items():
        row_of(region_id).permits_expiring += n
    for region_id, n in _groups(
        Household.objects.filter(region_id__in=ids).values("region_id").annotate(n=Count("pk")),
        "region_id",
    ).items():
        row_of(region_id).households += n
    for region_id, uses in _groups(
        Dwelling.objects.filter(region_id__in=ids)
        .values("region_id", "use")
        .annotate(n=Count("pk")),
        "region_id",
        "use",
    ).items():
        row = row_of(region_id)
        for use, n in uses.items():
            row.dwellings[use] = row.dwellings.get(use, 0) + n
    current = Q(starts_on__lte=day, ends_on__gte=day)
    for region_id, n in _groups(
        Tenancy.objects.filter(current, region_id__in=ids)
        .values("region_id")
        .annotate(n=Count("pk")),
        "region_id",
    ).items():
        row_of(region_id).tenancies += n
    ordered = list(rows.values())
    if not ordered:
        own.name = node.name  # a node without children (a grid) is its own one row
        ordered.append(own)
    elif own.persons or own.households or own.dwelling_total:
        ordered.append(own)
    total = FigureRow(node.pk, _("Total"), node.code)
    for row in ordered:
        row.care = {k: row.care.get(k, 0) for k in keys}
        total.add(row)
    total.care = {k: total.care.get(k, 0) for k in keys}
    return Figures(node, day, days, sensitive, ordered, total, keys)


def _export_headers(figures: Figures) -> list[str]:
    return [
        _("Region"),
        _("Code"),
        _("Persons"),
        *[str(ResidenceStatus(s).label) for s in STATUSES],
        *[_("Age %(band)s") % {"band": b[0]} for b in AGE_BANDS],
        *[care_label(k) for k in figures.care_keys],
        _("Floating, permit expiring within %(days)d days") % {"days": figures.days},
        _("Households"),
        _("Average household size"),
        *[_("Dwellings: %(use)s") % {"use": DwellingUse(u).label} for u in USES],
        _("Current tenancies"),
    ]


def _export_rows(figures: Figures) -> list[list[Any]]:
    """One line per child and the total line, in the order of `export_headers`."""
    return [
        [
            row.name,
            row.code,
            row.persons,
            *[row.status[s] for s in STATUSES],
            *[row.bands[b[0]] for b in AGE_BANDS],
            *[row.care.get(k, 0) for k in figures.care_keys],
            row.permits_expiring,
            row.households,
            row.household_size if row.household_size is not None else "",
            *[row.dwellings[u] for u in USES],
            row.tenancies,
        ]
        for row in [*figures.rows, figures.total]
    ]


def figures_workbook(
    *, actor: Any, node: Region, request: HttpRequest | None = None
) -> tuple[Figures, bytes]:
    """The figures of `node` as an xlsx workbook, for leaders only; every export is audited."""
    if not can_export(actor, node):
        raise PermissionDenied(_("Exports are for community, street and district leaders"))
    report = people_figures(actor, node)
    rows = _export_rows(report)
    content = write_xlsx(rows, _export_headers(report), title=node.code)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=Target(
            "people.figures",
            str(node.pk),
            _("Register figures of %(name)s") % {"name": node.name},
            region_path=node.path,
        ),
        changes={
            "region": node.code,
            "day": report.day.isoformat(),
            "rows": len(rows),
            "sensitive": report.sensitive,
        },
        request=request,
    )
    return report, content
