"""Writes to the holiday table: seeding from the package, administrators' edits, file imports.

Every write is audited and reloads the working-day calendar of this process. Rows entered by
an administrator or imported from a file are never overwritten by the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record, diff, snapshot
from shequ.workdays import calendar
from shequ.workdays.models import CalendarYear, DayKind, Source, SpecialDay

if TYPE_CHECKING:
    from shequ.accounts.models import User

MIN_YEAR = 2000
MAX_YEAR = 2100
DAY_FIELDS = ("date", "kind", "name", "source")
YEAR_FIELDS = ("year", "source", "note")


def _calendar_changed() -> None:
    # Reload now so that this request sees its own write, and again after the commit so that
    # a reader that loaded the table meanwhile does not keep the old rows for a minute.
    calendar.reload()
    transaction.on_commit(calendar.reload)


def _check_year(year: int, field: str = "year") -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                field: _("The year must be between %(min)d and %(max)d.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            }
        )


def _kind_problem(date: dt.date, kind: str) -> str:
    """Why this kind cannot be set on this date, or an empty string."""
    if kind not in DayKind.values:
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": kind
        }
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        return _(
            "A make-up working day falls on a Saturday or a Sunday: "
            "a weekday is a working day already."
        )
    return ""


# Seeding from the chinese-calendar package ---------------------------------------------------


def package_years() -> range:
    """The years the installed chinese-calendar package has an official schedule for."""
    import chinese_calendar

    return range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def package_rows(years: Iterable[int]) -> dict[dt.date, tuple[str, str]]:
    """{date: (kind, name)} for every listed holiday (weekends included) and make-up day."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    wanted = set(years)
    chinese = {holiday.value: holiday.chinese for holiday in Holiday}
    rows: dict[dt.date, tuple[str, str]] = {}
    for source, kind in (
        (chinese_calendar.holidays, DayKind.HOLIDAY),
        (chinese_calendar.workdays, DayKind.WORKDAY),
    ):
        for date, name in source.items():
            if date.year in wanted:
                value = getattr(name, "value", name)
                rows[date] = (str(kind), chinese.get(value, str(value))[:64])
    return rows


@transaction.atomic
def calendar_seed_from_package(*, years: range | None = None) -> int:
    """Fill the table from the package for its years (or those of `years` it covers).

    Package rows are created, corrected or removed to match the package; rows entered by an
    administrator or imported from a file are left alone, and so are their years. Running it
    twice changes nothing the second time. Returns the number of rows written.
    """
    covered = package_years()
    chosen = [year for year in (years if years is not None else covered) if year in covered]
    if not chosen:
        return 0
    wanted = package_rows(chosen)
    existing = {
        day.date: day
        for day in SpecialDay.objects.select_for_update().filter(
            date__year__gte=min(chosen), date__year__lte=max(chosen)
        )
        if day.date.year in chosen
    }
    created: list[SpecialDay] = []
    updated: list[SpecialDay] = []
    for date, (kind, name) in sorted(wanted.items()):
        day = existing.get(date)
        if day is None:
            created.append(SpecialDay(date=date, kind=kind, name=name, source=Source.PACKAGE))
        elif day.source == Source.PACKAGE and (day.kind, day.name) != (kind, name):
            day.kind, day.name = kind, name
            updated.append(day)
    stale = [
        day.pk
        for date, day in existing.items()
        if day.source == Source.PACKAGE and date not in wanted
    ]
    SpecialDay.objects.bulk_create(created)
    for day in updated:
        day.save(update_fields=["kind", "name", "updated_at"])
    SpecialDay.objects.filter(pk__in=stale).delete()
    known_years = set(CalendarYear.objects.filter(year__in=chosen).values_list("year", flat=True))
    new_years = [year for year in chosen if year not in known_years]
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source=Source.PACKAGE) for year in new_years]
    )
    written = len(created) + len(updated) + len(stale) + len(new_years)
    if written:
        audit_record(
            actor=None,
            action=Action.IMPORT,
            obj=Target(
                "workdays.specialday", object_repr=f"chinese-calendar {chosen[0]}-{chosen[-1]}"
            ),
            changes={
                "created": len(created),
                "updated": len(updated),
                "deleted": len(stale),
                "years": new_years,
            },
        )
        _calendar_changed()
    return written


# Administrators' edits ------------------------------------------------------------------------


@transaction.atomic
def special_day_set(
    *,
    actor: User,
    date: dt.date,
    kind: str,
    name: str,
    request: HttpRequest | None = None,
) -> SpecialDay:
    """Make `date` a holiday or a make-up working day (replacing what the table said of it)."""
    _check_year(date.year, "date")
    problem = _kind_problem(date, kind)
    if problem:
        raise ValidationError({"kind": problem})
    name = name.strip()
    if len(name) > 64:
        raise ValidationError({"name": _("The name is at most 64 characters long.")})
    day = SpecialDay.objects.select_for_update().filter(date=date).first()
    before = snapshot(day, DAY_FIELDS) if day else {}
    if day is None:
        day = SpecialDay(date=date)
    day.kind, day.name, day.source = kind, name, Source.MANUAL
    day.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=day,
        changes=diff(before, snapshot(day, DAY_FIELDS)),
        request=request,
    )
    _calendar_changed()
    return day


@transaction.atomic
def special_day_delete(*, actor: User, day: SpecialDay, request: HttpRequest | None = None) -> None:
    """Remove a date from the table: it follows the Monday-Friday rule again."""
    before = snapshot(day, DAY_FIELDS)
    target = Target("workdays.specialday", str(day.pk), str(day)[:200])
    day.delete()
    audit_record(
        actor=actor, action=Action.DELETE, obj=target, changes=diff(before, {}), request=request
    )
    _calendar_changed()


@transaction.atomic
def calendar_year_set(
    *, actor: User, year: int, note: str = "", request: HttpRequest | None = None
) -> CalendarYear:
    """Mark a year as covered: its official schedule has been entered in the table."""
    _check_year(year)
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = snapshot(entry, YEAR_FIELDS) if entry else {}
    if entry is None:
        entry = CalendarYear(year=year)
    entry.source, entry.note = Source.MANUAL, note.strip()[:200]
    entry.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=entry,
        changes=diff(before, snapshot(entry, YEAR_FIELDS)),
        request=request,
    )
    _calendar_changed()
    return entry


@transaction.atomic
def calendar_year_delete(
    *, actor: User, calendar_year: CalendarYear, request: HttpRequest | None = None
) -> None:
    """Mark a year as not covered: its deadlines become provisional again."""
    before = snapshot(calendar_year, YEAR_FIELDS)
    target = Target("workdays.calendaryear", str(calendar_year.pk), str(calendar_year))
    calendar_year.delete()
    audit_record(
        actor=actor, action=Action.DELETE, obj=target, changes=diff(before, {}), request=request
    )
    _calendar_changed()


# Importing a year's schedule from a file ------------------------------------------------------
