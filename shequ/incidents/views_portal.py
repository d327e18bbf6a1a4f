"""Reporting an incident through the resident portal, and the resident's own reports.

The same form as the staff page (incidents/_report_form.html, enhanced by
static/js/incident-report.js: category search, photos resized on the phone, location), posted
to this view instead of the staff API. A resident's report is not verified on the spot: the
grid worker of the place checks it. "My reports" lists the resident's own incidents only, with
the words the incident case type gives residents for each state.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.portal_views import resident_required
from shequ.accounts.views import apply_errors
from shequ.cases.registry import get_type
from shequ.incidents.casetype import KEY
from shequ.incidents.models import IncidentCategory
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import MAX_PHOTOS, incident_report
from shequ.incidents.views_report import (
    PHOTO_LONG_SIDE,
    PHOTO_QUALITY,
    THEME_COLOUR,
    category_rows,
    report_strings,
    rounded_geometry,
)
from shequ.lib.codes import display_code
from shequ.regions.models import Region

# A district has 38-62 communities; more than this many boundaries are not sent to a phone.
MAX_BOUNDARIES = 300
REPORTS_SHOWN = 50


def _communities() -> Any:
    return Region.objects.at_level("community").select_related("parent").order_by("path")


class PortalReportForm(forms.Form):
    category_id = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=IncidentCategory.objects.none(),
        empty_label=gettext_lazy("— choose —"),
    )
    description = forms.CharField(
        label=gettext_lazy("What did you see?"), max_length=2000, widget=forms.Textarea
    )
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    grid_id = forms.ModelChoiceField(
        label=gettext_lazy("Your community, if the place is not on the map"),
        queryset=Region.objects.none(),
        required=False,
    )
    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category_id"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = IncidentCategory.objects.active().select_related("incident_class")
        place = self.fields["grid_id"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = _communities()


def _portal_places() -> list[dict[str, Any]]:
    """Where a resident may tap: the communities' boundaries, or their grids' where a
    community has none drawn (at most `MAX_BOUNDARIES` shapes)."""
    communities = list(_communities())
    bare = [c.pk for c in communities if not c.boundary]
    grids: list[Region] = []
    if bare:
        grids = list(
            Region.objects.filter(parent__in=bare, boundary__isnull=False).order_by("path")
        )
    nodes = [c for c in communities if c.boundary] + grids
    return [
        {
            "id": node.pk,
            "name": node.name,
            "level": "",
            "depth": node.depth,
            "own": node.parent_id not in bare,
            "boundary": rounded_geometry(node.boundary),
        }
        for node in nodes[:MAX_BOUNDARIES]
    ]


@resident_required
def portal_report(request: HttpRequest) -> HttpResponse:
    """The resident's report form; a valid report redirects to "my reports"."""
    resident = request.resident  # type: ignore[attr-defined]
    form = PortalReportForm(request.POST or None)
    photos = request.FILES.getlist("photos")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_report(
                actor=None,
                resident=resident,
                category=data["category_id"],
                description=data["description"],
                lng=data["lng"],
                lat=data["lat"],
                address=data["address"],
                grid=data["grid_id"],
                photos=photos,
                client_id=data["client_id"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if incident.resident_id != resident.pk:
                # A client id someone else's report already carries: never show theirs.
                form.add_error(None, _("This report could not be saved: send it again."))
            else:
                messages.success(
                    request,
                    _("Your report has arrived. Tracking code: %(code)s")
                    % {"code": display_code(incident.case.tracking_code)},
                )
                return redirect("incidents:portal-reports")
    categories = category_rows({})
    data = {
        "mode": "post",
        "max_photos": MAX_PHOTOS,
        "photo_long_side": PHOTO_LONG_SIDE,
        "photo_quality": PHOTO_QUALITY,
        "categories": categories,
        "places": _portal_places(),
        "strings": report_strings(),
    }
    context = {
        "form": form,
        "data": data,
        "categories": categories,
        "max_photos": MAX_PHOTOS,
        "theme_colour": THEME_COLOUR,
    }
    return render(request, "incidents/portal_report.html", context)


@resident_required
def portal_reports(request: HttpRequest) -> HttpResponse:
    """The resident's own reports, newest first, each with its state in plain words."""
    resident = request.resident  # type: ignore[attr-defined]
    kind = get_type(KEY)
    incidents = (
        Incident.objects.filter(resident=resident)
        .select_related("case", "category", "category__incident_class")
        .order_by("-reported_at", "-pk")[:REPORTS_SHOWN]
    )
    rows = [
        {
            "incident": incident,
            "code": display_code(incident.case.tracking_code),
            "state": kind.public_states.get(incident.case.state)
            or kind.state_label(incident.case.state),
            "finished": incident.case.state in kind.final_states,
        }
        for incident in incidents
    ]
    return render(request, "incidents/portal_reports.html", {"rows": rows})
