"""The person list: one search box, filters, a bounded count, and the export of what it shows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from shequ.people.exporting import CONTENT_TYPE, may_export, person_export
from shequ.people.models import ResidenceStatus
from shequ.people.models_care import SENSITIVE_KINDS
from shequ.people.search import person_search, search_page
from shequ.people.selectors import (
    AGE_BANDS,
    KIND_LABELS,
    PersonFilters,
    classify,
    current_tags,
    tag_choices,
)
from shequ.people.services import age_on
from shequ.regions.models import Region
from shequ.regions.permissions import can_reveal_identity, can_reveal_phone
from shequ.regions.scoping import get_region_for_user, scope_prefixes
from shequ.workdays.calendar import today


class PersonFilterForm(forms.Form):
    """The filters of the list, read from the query string (the export posts the same)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Name, pinyin (zw), ID last digits, phone, address"),
            }
        ),
    )
    region = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=pgettext_lazy("filter", "All"),
    )
    status = forms.ChoiceField(label=_("Residence"), required=False)
    tag = forms.ChoiceField(label=_("Care tag"), required=False)
    age = forms.ChoiceField(label=_("Age"), required=False)
    permit = forms.BooleanField(label=_("Permit expires within 30 days"), required=False)
    left = forms.BooleanField(label=_("Include those who left"), required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user
        regions = Region.objects.visible_to(user).select_related("level").order_by("path")
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["region"].label_from_instance = _region_label  # type: ignore[attr-defined]
        everything = [("", pgettext("filter", "All"))]
        self.fields["status"].choices = everything + list(ResidenceStatus.choices)  # type: ignore[attr-defined]
        self.fields["tag"].choices = everything + tag_choices(user)  # type: ignore[attr-defined]
        self.fields["age"].choices = everything + [(band, band) for band in AGE_BANDS]  # type: ignore[attr-defined]

    def filters(self) -> PersonFilters:
        """The valid filters; a sensitive care tag the role may not use is refused (403)."""
        self.is_valid()
        if "tag" in self.errors and self.data.get("tag") in SENSITIVE_KINDS:
            raise PermissionDenied(_("Your role may not filter by this care tag"))
        # Other invalid fields are left out; the valid ones still filter.
        data = self.cleaned_data
        return PersonFilters(
            q=data.get("q", ""),
            region=data.get("region"),
            status=data.get("status", ""),
            tag=data.get("tag", ""),
            age=data.get("age", ""),
            permit_expiring=bool(data.get("permit")),
            include_left=bool(data.get("left")),
        )


def _region_label(region: Region) -> str:
    return "\u3000" * max(region.depth - 1, 0) + region.name


class ExportForm(forms.Form):
    full_identity = forms.BooleanField(label=_("Identity numbers in full"), required=False)
    full_phone = forms.BooleanField(label=_("Phones in full"), required=False)
    reason = forms.CharField(
        label=_("Reason (required for full values)"), required=False, max_length=200
    )


def _query_without(data: Any, *names: str) -> str:
    """The query string of the filters, without the named parameters."""
    query = data.copy()
    for name in names:
        query.pop(name, None)
    return str(query.urlencode())


def _filter_form(request: HttpRequest, data: Any) -> PersonFilterForm:
    form = PersonFilterForm(data, user=request.user)
    # A region id outside the scope is "not found", as everywhere.
    if region_id := str(data.get("region", "")).strip():
        get_region_for_user(request.user, int(region_id) if region_id.isdigit() else 0)
    return form


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, request.GET)
    filters = form.filters()
    number = request.GET.get("page", "1")
    page = search_page(
        person_search(request.user, filters=filters), int(number) if number.isdigit() else 1
    )
    day = today()
    tags = current_tags(page.rows, request.user)
    rows = [{"person": p, "age": age_on(p.birth_date, day), "tags": tags[p.pk]} for p in page.rows]
    term = classify(filters.q)
    where = filters.region or next(iter(scope_prefixes(request.user)), None)
    query = _query_without(request.GET, "page")
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "kind": KIND_LABELS.get(term.kind, ""),
        "query": query,
        "hidden": [
            (name, value)
            for name, values in request.GET.lists()
            if name != "page"
            for value in values
        ],
        "can_export": may_export(request.user, filters),
        "export_form": ExportForm(),
        "can_full_identity": can_reveal_identity(request.user, where),
        "can_full_phone": can_reveal_phone(request.user, where),
    }
    template = "people/person_list.html#results" if request.htmx else "people/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_POST
def person_list_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The filtered list as .xlsx; masked unless allowed, with a reason; always audited."""
    form = _filter_form(request, request.POST)
    export = ExportForm(request.POST)
    if not export.is_valid():
        return HttpResponse(status=400)
    try:
        result = person_export(
            actor=request.user,
            filters=form.filters(),
            reveal_identity=export.cleaned_data["full_identity"],
            reveal_phone=export.cleaned_data["full_phone"],
            reason=export.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as exc:
        return render(
            request,
            "people/_export_error.html",
            {
                "error": " ".join(exc.messages),
                "query": _query_without(request.POST, "csrfmiddlewaretoken", "reason"),
            },
            status=400,
        )
    except PermissionDenied:
        raise
    return FileResponse(
        result.file, as_attachment=True, filename=result.filename, content_type=CONTENT_TYPE
    )
