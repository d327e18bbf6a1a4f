"""The person search: the one search box and the filters of the person list, and its pages.

`person_search` is the only way the list page, the API and the export find persons, so the
three always agree. What the box holds decides the kind of search
(`shequ.people.selectors.classify`). Each kind is answered from an index. Prefixes are ranges
(`key >= q AND key < q + U+10FFFF`) rather than LIKE, because a range uses a plain B-tree
index on SQLite and, with the `text_pattern_ops`-free C-collated comparison of the range on
PostgreSQL's indexes, on both. Results are ordered by the searched key, then id, which is the
index order: the first page needs no sort of all matches. The page is chosen on the person
table before its rows are joined (`search_page`), so that this holds whatever PostgreSQL's
planner estimates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from shequ.lib import crypto
from shequ.people.models import Building, CareTag, Dwelling, Person
from shequ.people.models_care import AGED_KEY, AGED_YEARS, SENSITIVE_KINDS
from shequ.people.selectors import (
    AGE_BANDS,
    SELECTIVE_KINDS,
    Kind,
    PersonFilters,
    Term,
    _sees_sensitive,
    classify,
)
from shequ.regions.models import Region
from shequ.regions.permissions import can_see_sensitive
from shequ.workdays.calendar import today

# The highest code point: `q + TOP` is above every string that starts with q.
TOP = "\U0010ffff"
# A count above this is shown as "1,000+": counting every match of a broad search in a
# million persons costs more than the page itself.
COUNT_LIMIT = 1000
PAGE_SIZE = 25
PERMIT_DAYS = 30


def _prefix(field_name: str, value: str) -> Q:
    return Q(**{f"{field_name}__gte": value, f"{field_name}__lt": value + TOP})


def _birth_range(band: str, day: dt.date) -> Q:
    low, high = AGE_BANDS[band]
    # Aged at least `low`: born on or before this day `low` years ago.
    condition = Q(birth_date__lte=_years_before(day, low))
    if high is not None:
        # Aged at most `high`: born after this day `high + 1` years ago.
        condition &= Q(birth_date__gt=_years_before(day, high + 1))
    return condition


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# A scope holding at least this share of the tree's regions is "broad" (a street, the
# district): its searches walk the index of the searched key in order and check each entry's
# region, stopping after a page. A narrower scope (a community, a grid) starts from the
# region index instead and sorts its few matches.
BROAD_SHARE = 0.1


def scoped_persons(
    user: Any, region: Region | None = None, *, selective_key: bool = False
) -> QuerySet[Person]:
    """Persons within the user's scope (and within `region`, itself checked by the caller).

    The scope is resolved to the ids of the visible regions first (a few thousand at most),
    read with the size of the tree in one statement, so that the person table is filtered on
    its own `region_id` and never joined for it.
    For a broad scope the region test is written `region_id + 0 IN (...)`: the same rows,
    but the planner is kept from starting at the region index and sorting a third of the
    register when the searched key's index yields the first page in order. A `selective_key`
    (a phone, an identity number or its tail, an address) finds fewer rows than any scope
    holds, so it is written that way for every scope.
    """
    regions = Region.objects.visible_to(user)
    if region is not None:
        regions = regions.filter(path__startswith=region.path)
    # The ids and the size of the tree in one statement (one round trip, not two).
    tree_size = RawSQL(
        f"SELECT COUNT(*) FROM {connection.ops.quote_name(Region._meta.db_table)}", ()
    )
    rows = list(regions.order_by().values_list("pk", tree_size))
    if not rows:
        return Person.objects.none()
    ids = [pk for pk, _total in rows]
    total = rows[0][1]
    if region is None and len(ids) == total:
        # The scope is the whole tree (a district administrator): nothing to filter out.
        return Person.objects.all()
    if selective_key or len(ids) >= total * BROAD_SHARE:
        return Person.objects.alias(scope_region=F("region_id") + 0).filter(scope_region__in=ids)
    return Person.objects.filter(region_id__in=ids)


def person_search(
    user: Any,
    *,
    query: str = "",
    region: Any = None,
    filters: PersonFilters | None = None,
) -> QuerySet[Person]:
    """Persons within the user's scope matching the search box and the filters, in order.

    Raises PermissionDenied for a sensitive care-tag filter the user may not use.
    """
    if filters is None:
        filters = PersonFilters(q=query, region=region)
    term = classify(filters.q)
    persons = scoped_persons(user, filters.region, selective_key=term.kind in SELECTIVE_KINDS)
    persons = _apply_filters(user, persons, filters)
    return _apply_term(persons, term)


def _apply_filters(
    user: Any, persons: QuerySet[Person], filters: PersonFilters
) -> QuerySet[Person]:
    day = today()
    if not filters.include_left:
        persons = persons.filter(left_on__isnull=True)
    if filters.status:
        persons = persons.filter(residence_status=filters.status)
    if filters.age:
        persons = persons.filter(_birth_range(filters.age, day))
    if filters.permit_expiring:
        persons = persons.filter(
            residence_permit_expiry__gte=day,
            residence_permit_expiry__lte=day + dt.timedelta(days=PERMIT_DAYS),
        )
    if filters.tag:
        if filters.tag == AGED_KEY:
            persons = persons.filter(birth_date__lte=_years_before(day, AGED_YEARS))
        else:
            if filters.tag in SENSITIVE_KINDS and not (
                can_see_sensitive(user, filters.region)
                if filters.region is not None
                else _sees_sensitive(user)
            ):
                raise PermissionDenied(_("Your role may not filter by this care tag"))
            tagged = CareTag.objects.current().filter(kind=filters.tag).values("person_id")
            persons = persons.filter(pk__in=tagged)
    return persons


def _apply_term(persons: QuerySet[Person], term: Term) -> QuerySet[Person]:
    if term.kind == Kind.NONE:
        return persons.order_by("name", "id")
    if term.kind == Kind.NAME:
        return persons.filter(_prefix("name", term.value)).order_by("name", "id")
    if term.kind == Kind.PINYIN:
        return persons.filter(_prefix("name_pinyin", term.value)).order_by("name_pinyin", "id")
    if term.kind == Kind.INITIALS:
        return persons.filter(_prefix("name_initials", term.value)).order_by("name_initials", "id")
    if term.kind == Kind.ID_NUMBER:
        return persons.filter(id_number_hash=crypto.keyed_hash(term.value)).order_by("id")
    if term.kind == Kind.PHONE:
        return persons.filter(phone_hash=crypto.keyed_hash(term.value)).order_by("id")
    if term.kind == Kind.ID_TAIL:
        return _id_tail(persons, term.value)
    if term.kind == Kind.ADDRESS:
        return _address(persons, term)
    return persons.none()


def _id_tail(persons: QuerySet[Person], tail: str) -> QuerySet[Person]:
    """The last 4 digits from the index; a 5th and 6th checked on the opened numbers.

    A four-character tail leaves about one person in ten thousand; only those few candidates
    are opened, and the opened numbers never leave this function.
    """
    candidates = persons.filter(id_last4=tail[-4:]).order_by("id")
    if len(tail) == 4:
        return candidates
    matching = [
        pk
        for pk, token in candidates.values_list("pk", "id_number_enc")
        if crypto.decrypt(token).endswith(tail)
    ]
    return persons.filter(pk__in=matching).order_by("id")


def _district_prefixes() -> list[str]:
    """Names of the roots of the tree: stored addresses may begin with the district's name."""
    return list(Region.objects.filter(parent__isnull=True).values_list("name", flat=True))


def _address(persons: QuerySet[Person], term: Term) -> QuerySet[Person]:
    """Persons living in buildings whose address starts with the typed one (unit, room)."""
    prefixes = {term.value}
    for root in _district_prefixes():
        if not term.value.startswith(root):
            prefixes.add(root + term.value)
    condition = Q(pk__in=[])
    for prefix in sorted(prefixes):
        condition |= _prefix("address", prefix)
    dwellings = Dwelling.objects.filter(
        building__in=Building.objects.filter(condition).values("pk")
    )
    if term.unit is not None:
        dwellings = dwellings.filter(unit=term.unit)
    if term.room:
        dwellings = dwellings.filter(_prefix("number", term.room))
    if connection.vendor == "postgresql":
        return persons.filter(_ListedIn(F("dwelling_id"), dwellings)).order_by("dwelling_id", "id")
    return persons.filter(dwelling__in=dwellings.values("pk")).order_by("dwelling_id", "id")


class _ListedIn(Func):
    """`column = ANY(ARRAY(SELECT pk ...))`, PostgreSQL's form of `column IN (SELECT pk ...)`.

    The ids are listed once, and the column's index is read for them in their order (a scan
    that stops after a page), as SQLite reads `IN (SELECT ...)`. PostgreSQL plans `IN
    (SELECT ...)` as a join chosen on estimates: for an address, walking the person table
    in dwelling order from its start until it meets the matching dwellings, a compound's
    neighbours in that order (76 ms for one a tenth of the way in, 95 ms for a road), or
    reading every match and sorting them (7 ms for a compound of 6,000 persons, 145 ms
    for a road). Listed, 2 ms and 14 ms.
    """

    output_field = BooleanField()

    def __init__(self, column: F, queryset: QuerySet[Any]) -> None:
        from django.contrib.postgres.expressions import ArraySubquery

        super().__init__(column, ArraySubquery(queryset.order_by().values("pk")))

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, array = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        array_sql, array_params = compiler.compile(array)
        return f"{column_sql} = ANY({array_sql})", (*column_params, *array_params)


@dataclass(frozen=True)
class SearchPage:
    """One page of results with a bounded count ("1,000+" past COUNT_LIMIT)."""

    rows: list[Person]
    number: int
    count: int
    count_capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


# The columns a result row shows (the list page, the API's PersonOut, the care tags' region
# check). The sealed values (identity number, phone), the search keys and the grid's boundary
# stay in the table. Reading another field of a row later costs a query per row: whatever a
# result row shows must be named here (the tests check the list page and the API for it).
ROW_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "doc_type",
    "id_number_masked",
    "phone_masked",
    "residence_status",
    "region",
    "household",
    "relation",
    # The grid without its boundary (a polygon of dozens of points, parsed for every row).
    "region__code",
    "region__name",
    "region__path",
    "region__depth",
    "dwelling__unit",
    "dwelling__number",
    "dwelling__building__address",
)


def search_page(persons: QuerySet[Person], number: int = 1, size: int = PAGE_SIZE) -> SearchPage:
    """The n-th page and the count the page shows, each at the cost of an index walk.

    The page is chosen on the person table alone, `id IN (SELECT id ... ORDER BY key, id
    LIMIT 26)`, and only its rows are joined to their grid and dwelling: the ordered walk of
    the searched key's index stops after a page whatever the planner estimates. (Joined in
    one statement, PostgreSQL estimated a prefix range at a handful of rows for a surname
    held by 8,000 persons, joined all 8,000 to their grid, dwelling and building and sorted
    them.) The count is that of the ids alone, in no order, capped at COUNT_LIMIT + 1 in the
    database: it stops after that many matches, and on a search key's index reads no table
    row. It is skipped when the first page holds every match.
    """
    number = max(1, number)
    offset = (number - 1) * size
    ordering = [*persons.query.order_by] or ["id"]  # "id": Person's Meta.ordering
    page_ids = persons.values("pk")[offset : offset + size + 1]
    shown = (
        Person.objects.filter(pk__in=page_ids)
        .select_related("region", "dwelling__building")
        .only(*ROW_FIELDS)
        .order_by(*ordering)
    )
    rows = list(shown)
    has_next = len(rows) > size
    rows = rows[:size]
    if number == 1 and not has_next:
        count = len(rows)
    else:
        count = persons.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    capped = count > COUNT_LIMIT
    return SearchPage(rows, number, min(count, COUNT_LIMIT), capped, has_next)


__all__ = [
    "COUNT_LIMIT",
    "PAGE_SIZE",
    "SearchPage",
    "person_search",
    "scoped_persons",
    "search_page",
]
