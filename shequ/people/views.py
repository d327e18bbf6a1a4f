"""The person fetch helper and the logged reveal; the person page is in views_register."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from shequ.people import services
from shequ.people.forms import RevealForm
from shequ.people.models import Person
from shequ.regions.scoping import get_visible_or_404


def get_person_for_user(user: Any, person_id: int) -> Person:
    return get_visible_or_404(
        Person.objects.select_related(
            "region", "household", "household__dwelling__building", "dwelling__building"
        ),
        user,
        pk=person_id,
    )


@login_required
@require_POST
def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Show one sealed value in full for an allowed role, with a reason; always audited."""
    person = get_person_for_user(request.user, person_id)
    form = RevealForm(request.POST)
    value = ""
    error = ""
    if form.is_valid():
        try:
            value = services.person_reveal(
                actor=request.user,
                person=person,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    # htmx swaps only 2xx answers: the fragment carries the error for the page.
    status = 400 if error and not request.htmx else 200  # type: ignore[attr-defined]
    return render(
        request,
        "people/_reveal.html",
        {"person": person, "field": request.POST.get("field", ""), "value": value, "error": error},
        status=status,
    )
