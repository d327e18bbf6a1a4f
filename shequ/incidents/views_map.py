"""The incident map: a page with the filters and the region boundaries, and its points (JSON)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.accounts.models import staff_user
from shequ.incidents.indicators import can_view_indicators
from shequ.incidents.map_points import (
    MapFilters,
    boundaries,
    can_view_map,
    default_period,
    map_points,
    parse_filters,
    state_choices,
)
from shequ.incidents.models import IncidentCategory, Tier
from shequ.incidents.views_indicators import node_of, period_text, quarters
from shequ.regions.models import Region
from shequ.regions.scoping import scope_prefixes


def _filters(request: HttpRequest) -> tuple[MapFilters, str]:
    """The filters asked for; on a value that is not understood, the defaults and the problem."""
    params: dict[str, Any] = {key: request.GET.get(key, "") for key in request.GET}
    text = period_text(request.GET).strip()
    params["period"] = "" if text == ".." else text
    try:
        return parse_filters(params), ""
    except ValidationError as exc:
        return MapFilters(default_period()), " ".join(exc.messages)


def _nodes(user: Any, node: Region) -> list[Region]:
    """The nodes a person may switch to: the reachable ones above, this one, its children."""
    prefixes = scope_prefixes(user)
    above = [a for a in node.ancestors() if any(a.path.startswith(p) for p in prefixes)]
    children = list(Region.objects.visible_to(user).filter(parent=node).order_by("code"))
    return [*above, node, *children]


def _kind(request: HttpRequest, filters: MapFilters, problem: str) -> str:
    """The period field the form shows: the one asked for, else the last 30 days."""
    if problem or not (request.GET.get("kind") or request.GET.get("period")):
        return "recent"
    if request.GET.get("kind") == "recent":
        return "recent"
    return filters.period.kind


@login_required
@require_GET
def incident_map(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not can_view_map(user):
        raise PermissionDenied(_("The incident map is for staff who work on incidents"))
    node = node_of(request)
    filters, problem = _filters(request)
    query = urlencode({"region": str(node.pk), **filters.query()})
    categories = IncidentCategory.objects.active().select_related("incident_class")
    context = {
        "node": node,
        "nodes": _nodes(user, node),
        "kind": _kind(request, filters, problem),
        "kinds": [
            ("recent", _("Last 30 days")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("From a day to a day")),
        ],
        "quarters": quarters(timezone.localdate()),
        "filters": filters,
        "problem": problem,
        "points_url": f"{reverse('incidents:map-points')}?{query}",
        "indicators_url": f"{reverse('incidents:indicators')}?region={node.pk}",
        "can_view_indicators": can_view_indicators(user),
        "categories": categories.order_by("incident_class__kind", "incident_class__code", "code"),
        "states": state_choices(),
        "tiers": Tier.choices,
        "base": boundaries(user, node),
        "labels": {
            "markers": _("Incidents"),
            "density": _("Density"),
            "open": _("Still open"),
            "finished": _("Finished"),
            "incidents": _("incidents"),
            "too_many": _(
                "Too many incidents to show one by one: each bubble counts the incidents of "
                "its square. Narrow the filters or choose a smaller area to see them."
            ),
            "none": _("No incident matches these filters."),
            "unplaced": _("without a location, not on the map"),
            "open_case": _("Open the incident"),
            "more": _("Zoom in to see them one by one"),
        },
    }
    return render(request, "incidents/map.html", context)


@login_required
@require_GET
def incident_map_points(request: HttpRequest) -> JsonResponse:
    """The points (or cells) of the map's filters, within the user's scope."""
    user = staff_user(request)
    node = node_of(request)
    params = {key: request.GET.get(key, "") for key in request.GET}
    try:
        filters = parse_filters(params)
    except ValidationError as exc:
        return JsonResponse({"detail": exc.message_dict}, status=400)
    return JsonResponse(map_points(user, node, filters))
