"""Incident pages beside the engine's case page: a photo (scoped), supervision 督办."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import staff_user
from shequ.cases.selectors import case_for_user
from shequ.incidents.models_loop import IncidentPhoto
from shequ.incidents.services_loop import incident_supervise


@login_required
def photo(request: HttpRequest, photo_id: int) -> FileResponse:
    """A photo of an incident the user reaches (the case's scope or owning unit)."""
    user = staff_user(request)
    row = IncidentPhoto.objects.filter(pk=photo_id).only("incident_id", "image").first()
    if row is None:
        raise Http404("no photo")
    case_for_user(user, row.incident_id)
    kind = mimetypes.guess_type(row.image.name or "")[0] or "image/jpeg"
    response = FileResponse(row.image.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def supervise(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = case_for_user(user, case_id)
    try:
        incident_supervise(
            case=case, actor=user, note=request.POST.get("note", ""), request=request
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": _("Supervise")})
    return redirect("cases:case-detail", case_id=case.pk)
