"""The incident indicators page and its Excel export: leaders and supervisors, per node."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.accounts.models import staff_user
from shequ.incidents.indicators import (
    BY_CHOICES,
    can_view_indicators,
    exclude_postponed_default,
    incident_indicators,
    indicators_workbook,
)
from shequ.incidents.periods import Period, current_period, parse_period
from shequ.regions import permissions as perms
from shequ.regions.models import Region
from shequ.regions.scoping import get_region_for_user, home_region, scope_prefixes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_KINDS = ("month", "quarter", "year", "custom")


@dataclass
class Options:
    """What the query string asks for, and the problem with it, if any (then this month)."""

    node: Region
    period: Period
    by: str
    exclude_postponed: bool
    problem: str = ""


def node_of(request: HttpRequest) -> Region:
    """The node of `?region=`, or the user's first node; 404 outside the scope."""
    raw = request.GET.get("region", "").strip()
    if raw:
        return get_region_for_user(request.user, int(raw) if raw.isdigit() else 0)
    return home_region(request.user)


def period_text(params: Any) -> str:
    """The period key from the form's fields (kind and its value) or from `period`."""
    kind = params.get("kind", "")
    if kind == "month":
        return str(params.get("month", ""))
    if kind == "quarter":
        return str(params.get("quarter", ""))
    if kind == "year":
        return str(params.get("year", ""))
    if kind == "custom":
        return f"{params.get('from', '')}..{params.get('to', '')}"
    return str(params.get("period", ""))


def postponed_choice(value: str) -> bool:
    if value == "exclude":
        return True
    if value == "include":
        return False
    return exclude_postponed_default()


def options(request: HttpRequest) -> Options:
    if not can_view_indicators(request.user):
        raise PermissionDenied(_("The indicators are for community, street and district leaders"))
    node = node_of(request)
    by = request.GET.get("by", "region")
    exclude = postponed_choice(request.GET.get("postponed", ""))
    text = period_text(request.GET).strip()
    problem = ""
    period = current_period()
    if text and text != "..":
        try:
            period = parse_period(text)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    return Options(node, period, by if by in BY_CHOICES else "region", exclude, problem)


def _reachable_ancestors(user: Any, node: Region) -> list[Region]:
    prefixes = scope_prefixes(user)
    return [a for a in node.ancestors() if any(a.path.startswith(p) for p in prefixes)]


def quarters(today: dt.date) -> list[str]:
    """The quarters to choose from: this one and the eleven before it."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    keys = []
    for _step in range(12):
        keys.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return keys


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    chosen = options(request)
    report = incident_indicators(
        user,
        chosen.node,
        period=chosen.period,
        by=chosen.by,
        exclude_postponed=chosen.exclude_postponed,
    )
    today = timezone.localdate()
    context = {
        "report": report,
        "node": chosen.node,
        "problem": chosen.problem,
        "ancestors": _reachable_ancestors(user, chosen.node),
        "chart": report.chart_data(),
        "can_export": perms.can_export(user, chosen.node),
        "postponed_value": request.GET.get("postponed", ""),
        "postponed_default": exclude_postponed_default(),
        "kinds": [
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("From a day to a day")),
        ],
        "quarters": quarters(today),
        "years": list(range(today.year, today.year - 6, -1)),
        "by_choices": [("region", _("Region below")), ("unit", _("Handling unit"))],
        "query": _query(chosen),
    }
    return render(request, "incidents/indicators.html", context)


def _query(chosen: Options) -> str:
    """The query string of the shown figures (for the export link and drill-down links)."""
    postponed = "exclude" if chosen.exclude_postponed else "include"
    return f"period={chosen.period.key}&by={chosen.by}&postponed={postponed}"


@login_required
@require_GET
def indicators_export(request: HttpRequest) -> HttpResponse:
    """The indicators as Excel: leaders only, and every export is audited."""
    user = staff_user(request)
    chosen = options(request)
    if chosen.problem:
        return HttpResponseBadRequest(chosen.problem, content_type="text/plain; charset=utf-8")
    report, content = indicators_workbook(
        actor=user,
        node=chosen.node,
        period=chosen.period,
        by=chosen.by,
        exclude_postponed=chosen.exclude_postponed,
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"incident-indicators-{chosen.node.code}-{report.period.key}-{report.by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename.replace("..", "_")}"'
    return response
