"""The year view of the holiday table, the working-day calculator and administrators' edits."""

from __future__ import annotations

import calendar as weeks
import datetime as dt
import io
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from shequ.accounts.models import User
from shequ.accounts.views import apply_errors
from shequ.regions.permissions import can_edit_holidays
from shequ.workdays import calendar, importing, services
from shequ.workdays.forms import CalcForm, CalendarYearForm, ImportForm, SpecialDayForm
from shequ.workdays.models import CalendarYear, DayKind, SpecialDay

WEEKDAY_INITIALS = [
    pgettext_lazy("weekday initial", "Mo"),
    pgettext_lazy("weekday initial", "Tu"),
    pgettext_lazy("weekday initial", "We"),
    pgettext_lazy("weekday initial", "Th"),
    pgettext_lazy("weekday initial", "Fr"),
    pgettext_lazy("weekday initial", "Sa"),
    pgettext_lazy("weekday initial", "Su"),
]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _editor(request: HttpRequest) -> User:
    """The district administrator making an edit; anyone else is refused with 403."""
    if not can_edit_holidays(request.user):
        raise PermissionDenied
    return cast(User, request.user)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return calendar.today().year
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else calendar.today().year


def _months(year: int, cal: calendar.Calendar) -> list[dict[str, Any]]:
    """Twelve month grids, weeks starting on Monday; days outside the month are None."""
    today = calendar.today()
    months = []
    for month in range(1, 13):
        rows = []
        for week in weeks.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in cal.workdays:
                    kind = "workday"
                elif day in cal.holidays:
                    kind = "holiday"
                else:
                    kind = "weekend" if day.weekday() >= 5 else ""
                cells.append(
                    {
                        "date": day,
                        "kind": kind,
                        "name": cal.names.get(day, ""),
                        "today": day == today,
                    }
                )
            rows.append(cells)
        months.append({"first": dt.date(year, month, 1), "weeks": rows})
    return months


def _calc(request: HttpRequest) -> dict[str, Any]:
    """The calculator's two forms, the submitted one bound, and its answer."""
    mode = "add" if "days" in request.GET else "between" if "end" in request.GET else ""
    initial = {"start": calendar.today()}
    add_form = CalcForm(request.GET if mode == "add" else None, auto_id="add_%s", initial=initial)
    between_form = CalcForm(
        request.GET if mode == "between" else None, auto_id="between_%s", initial=initial
    )
    result = None
    form = add_form if mode == "add" else between_form
    if mode and form.is_valid():
        start = form.cleaned_data["start"]
        if mode == "add":
            result = calendar.add_working_days(start, form.cleaned_data["days"])
        else:
            result = calendar.working_days_between(start, form.cleaned_data["end"])
    return {
        "add_form": add_form,
        "between_form": between_form,
        "calc_mode": mode,
        "calc_result": result,
        "calc_data": form.cleaned_data if result else {},
    }


def _page(request: HttpRequest, *, public: bool, **extra: Any) -> HttpResponse:
    year = _year(request)
    cal = calendar.current()
    can_edit = not public and can_edit_holidays(request.user)
    days = list(SpecialDay.objects.filter(date__year=year))
    year_end = dt.date(year, 12, 31)
    context: dict[str, Any] = {
        "shell": "portal/base.html" if public else "base.html",
        "public": public,
        "year": year,
        "years": (year - 1, year + 1),
        "covered": year in cal.years,
        "entry": CalendarYear.objects.filter(year=year).first(),
        "months": _months(year, cal),
        "weekdays": WEEKDAY_INITIALS,
        "days": days,
        "working_days": calendar.working_days_between(year_end.replace(year=year - 1), year_end),
        "holiday_count": sum(1 for d in days if d.kind == DayKind.HOLIDAY),
        "workday_count": sum(1 for d in days if d.kind == DayKind.WORKDAY),
        "calc_url": reverse("workdays:public" if public else "workdays:calendar"),
        "can_edit": can_edit,
        **_calc(request),
    }
    if can_edit:
        context["day_form"] = extra.pop("day_form", None) or SpecialDayForm()
        context["year_form"] = extra.pop("year_form", None) or CalendarYearForm(
            initial={"year": year}
        )
        context["import_form"] = extra.pop("import_form", None) or ImportForm()
        context.update(extra)
    return render(request, "workdays/calendar.html", context)


def _calendar_or_calc(request: HtmxHttpRequest, *, public: bool) -> HttpResponse:
    if request.htmx:
        context = {"calc_url": request.path, "year": _year(request), **_calc(request)}
        return render(request, "workdays/calendar.html#calc", context)
    return _page(request, public=public)


@login_required
@require_GET
def calendar_view(request: HtmxHttpRequest) -> HttpResponse:
    return _calendar_or_calc(request, public=False)


@require_GET
def public_view(request: HtmxHttpRequest) -> HttpResponse:
    return _calendar_or_calc(request, public=True)


def _back_to(year: int) -> HttpResponse:
    return redirect(f"{reverse('workdays:calendar')}?year={year}")


@login_required
@require_POST
def day_create(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = SpecialDayForm(request.POST)
    if form.is_valid():
        try:
            day = services.special_day_set(actor=actor, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(day)s has been saved.") % {"day": day.date})
            return _back_to(day.date.year)
    return _page(request, public=False, day_form=form)


@login_required
@require_POST
def day_delete(request: HttpRequest, day_id: int) -> HttpResponse:
    actor = _editor(request)
    day = get_object_or_404(SpecialDay, pk=day_id)
    year = day.date.year
    services.special_day_delete(actor=actor, day=day, request=request)
    messages.success(request, _("The day has been removed from the calendar."))
    return _back_to(year)


@login_required
@require_POST
def year_set(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = CalendarYearForm(request.POST)
    if form.is_valid():
        try:
            entry = services.calendar_year_set(actor=actor, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(year)d is marked as covered.") % {"year": entry.year})
            return _back_to(entry.year)
    return _page(request, public=False, year_form=form)


@login_required
@require_POST
def year_delete(request: HttpRequest, year: int) -> HttpResponse:
    actor = _editor(request)
    entry = get_object_or_404(CalendarYear, year=year)
    services.calendar_year_delete(actor=actor, calendar_year=entry, request=request)
    messages.success(request, _("%(year)d is no longer marked as covered.") % {"year": year})
    return _back_to(year)


@login_required
@require_POST
def day_import(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            result = importing.special_days_import(
                actor=actor, file=file, filename=file.name, request=request
            )
        except importing.SpecialDayImportError as exc:
            return _page(request, public=False, import_form=form, import_errors=exc.row_errors)
        messages.success(request, importing.import_summary(result))
        return _back_to(result.years[0])
    return _page(request, public=False, import_form=form)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty workbook with the importer's columns and a sheet that explains them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Special days")[:31]
    sheet.append(list(importing.TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABC", (14, 10, 20), strict=True):
        sheet.column_dimensions[column].width = width
    help_sheet = book.create_sheet(_("Instructions")[:31])
    date, kind, name = importing.TEMPLATE_HEADERS
    for line in (
        _("One row per date; keep the header row of the first sheet."),
        _("%(column)s: the date, as a date cell or written %(formats)s.")
        % {"column": date, "formats": "2027-01-01, 2027/1/1, 2027年1月1日, 20270101"},
        _("%(column)s: %(holiday)s for a holiday (day off), %(workday)s for a make-up working day.")
        % {"column": kind, "holiday": "休 / 假", "workday": "班 / 补班"},
        _("%(column)s: the holiday's name, for example %(example)s (optional).")
        % {"column": name, "example": "春节"},
        _("List every holiday and make-up working day of the year."),
        _("If one row is wrong the whole file is refused and nothing changes."),
        _("Once the file is imported, its years are marked as covered."),
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="workdays-template.xlsx"'
    return response
