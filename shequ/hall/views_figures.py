"""The hall's figures for leaders: workload, timeliness and ratings per worker, unit, community."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.hall.selectors import (
    BY_CHOICES,
    Period,
    Report,
    can_view_figures,
    export_headers,
    export_rows,
    figure_paths,
    hall_figures,
    month_period,
    parse_period,
)
from shequ.lib.tabular import write_xlsx
from shequ.workdays import calendar

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: HttpRequest) -> tuple[Report, bool]:
    """The report the query string asks for, and whether the period had to be replaced."""
    if not can_view_figures(request.user):
        raise PermissionDenied(_("The figures are for community, street and district leaders"))
    raw = request.GET.get("period", "").strip()
    period: Period | None = parse_period(raw) if raw else None
    by = request.GET.get("by", "worker")
    if by not in BY_CHOICES:
        by = "worker"
    fallback = period is None
    report = hall_figures(request.user, period=period or month_period(calendar.today()), by=by)
    return report, bool(raw) and fallback


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    report, bad_period = _report(request)
    return render(
        request,
        "hall/figures.html",
        {
            "report": report,
            "bad_period": bad_period,
            "by_choices": BY_CHOICES.items(),
            "chart": report.chart_data(),
        },
    )


@login_required
def figures_export(request: HttpRequest) -> HttpResponse:
    report, _bad = _report(request)
    rows = export_rows(report)
    content = write_xlsx(rows, export_headers(), title=report.period.key)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=Target(
            "hall.figures",
            report.period.key,
            _("Hall figures %(period)s") % {"period": report.period.key},
            region_path=figure_paths(request.user)[0],
        ),
        changes={"period": report.period.key, "by": report.by, "rows": len(rows)},
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"hall-figures-{report.period.key}-{report.by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
