"""Places of the register: buildings of a grid, a building's dwellings, a dwelling's people.

Thin views over `services_places`; every object is fetched within the user's scope (404
outside), and a read-only role gets 403 from the service when it tries to write.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequ.accounts.views import apply_errors
from shequ.people.forms import BuildingForm, DwellingForm, TenancyForm
from shequ.people.models import Building, Dwelling, DwellingUse, Person
from shequ.people.services_places import (
    BUILDING_LEVELS,
    building_save,
    dwelling_save,
    lease_warning,
    tenancy_create,
)
from shequ.regions import permissions as perms
from shequ.regions.models import Region
from shequ.regions.scoping import get_region_for_user, get_visible_or_404


def get_building_for_user(user: Any, building_id: int) -> Building:
    return get_visible_or_404(Building.objects.select_related("region"), user, pk=building_id)


def get_dwelling_for_user(user: Any, dwelling_id: int) -> Dwelling:
    return get_visible_or_404(
        Dwelling.objects.select_related("building", "region"), user, pk=dwelling_id
    )


def buildings_for(user: Any) -> QuerySet[Building]:
    return Building.objects.visible_to(user).select_related("region").order_by("address", "name")


def grids_for(user: Any) -> list[tuple[int, str]]:
    """The grids (and nodes below them) the user may put a building in."""
    regions = Region.objects.visible_to(user).filter(level__key__in=BUILDING_LEVELS)
    return [(r.pk, r.name) for r in regions.order_by("path")]


def _occupied(queryset: QuerySet[Dwelling]) -> QuerySet[Dwelling]:
    return queryset.annotate(
        occupant_count=Count("occupants", filter=Q(occupants__left_on__isnull=True))
    )


@login_required
def building_list(request: HttpRequest) -> HttpResponse:
    """The buildings within scope, by grid; search by address or name."""
    buildings = buildings_for(request.user).annotate(dwelling_count=Count("dwellings"))
    region = None
    if raw := request.GET.get("region", "").strip():
        region = get_region_for_user(request.user, int(raw) if raw.isdigit() else 0)
        buildings = buildings.filter(region__path__startswith=region.path)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        buildings = buildings.filter(Q(address__startswith=query) | Q(name__startswith=query))
    page = Paginator(buildings, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "region": region,
        "grids": grids_for(request.user),
        "can_write": perms.can_write(request.user, region),
    }
    return render(request, "people/building_list.html", context)


def _building_form(request: HttpRequest, building: Building | None) -> HttpResponse:
    grids = grids_for(request.user)
    initial: dict[str, Any] = {"floors": 6, "units": 1}
    if building is not None:
        initial = {k: getattr(building, k) for k in ("name", "address", "floors", "units")}
        initial["region"] = building.region_id
    elif request.GET.get("region", "").isdigit():
        initial["region"] = int(request.GET["region"])
    form = BuildingForm(request.POST or None, initial=initial, regions=grids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = get_region_for_user(request.user, data.get("region") or 0)
            saved = building_save(
                actor=request.user, region=region, data=data, building=building, request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The building is saved."))
            return redirect("people:building-detail", building_id=saved.pk)
    return render(request, "people/building_form.html", {"form": form, "building": building})


@login_required
def building_create(request: HttpRequest) -> HttpResponse:
    return _building_form(request, None)


@login_required
def building_edit(request: HttpRequest, building_id: int) -> HttpResponse:
    return _building_form(request, get_building_for_user(request.user, building_id))


@login_required
def building_detail(request: HttpRequest, building_id: int) -> HttpResponse:
    """The dwellings of a building by unit and floor, top floor first, with their occupants."""
    building = get_building_for_user(request.user, building_id)
    dwellings = _occupied(Dwelling.objects.visible_to(request.user).filter(building=building))
    units: dict[int, dict[int, list[Dwelling]]] = defaultdict(lambda: defaultdict(list))
    for dwelling in dwellings.order_by("unit", "-floor", "number"):
        units[dwelling.unit][dwelling.floor].append(dwelling)
    context = {
        "building": building,
        "units": [(unit, sorted(floors.items(), reverse=True)) for unit, floors in units.items()],
        "count": len(dwellings),
        "by_use": {
            use.label: sum(1 for d in dwellings if d.use == use)
            for use in DwellingUse
            if any(d.use == use for d in dwellings)
        },
        "can_write": perms.can_write(request.user, building.region),
    }
    return render(request, "people/building_detail.html", context)


def _dwelling_form(
    request: HttpRequest, building: Building, dwelling: Dwelling | None
) -> HttpResponse:
    fields = ("unit", "floor", "number", "area", "use")
    initial: dict[str, Any] = {"unit": 1, "use": DwellingUse.OWNER}
    if dwelling is not None:
        initial = {k: getattr(dwelling, k) for k in fields}
    form = DwellingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = dwelling_save(
                actor=request.user,
                building=building,
                data=form.cleaned_data,
                dwelling=dwelling,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The dwelling is saved."))
            return redirect("people:dwelling-detail", dwelling_id=saved.pk)
    context = {"form": form, "building": building, "dwelling": dwelling}
    return render(request, "people/dwelling_form.html", context)


@login_required
def dwelling_create(request: HttpRequest, building_id: int) -> HttpResponse:
    return _dwelling_form(request, get_building_for_user(request.user, building_id), None)


@login_required
def dwelling_edit(request: HttpRequest, dwelling_id: int) -> HttpResponse:
    dwelling = get_dwelling_for_user(request.user, dwelling_id)
    return _dwelling_form(request, dwelling.building, dwelling)


@login_required
def dwelling_detail(request: HttpRequest, dwelling_id: int) -> HttpResponse:
    """Who lives in a dwelling, the households registered in it, and its leases."""
    dwelling = get_dwelling_for_user(request.user, dwelling_id)
    user = request.user
    tenancies = list(
        dwelling.tenancies.visible_to(user).select_related("landlord").prefetch_related("tenants")
    )
    context = {
        "dwelling": dwelling,
        "occupants": Person.objects.visible_to(user)
        .filter(dwelling=dwelling, left_on__isnull=True)
        .select_related("household"),
        "households": dwelling.households.visible_to(user),
        "tenancies": [(t, lease_warning(t)) for t in tenancies],
        "can_write": perms.can_write(user, dwelling.region),
    }
    return render(request, "people/dwelling_detail.html", context)


def dwellings_in(user: Any, building_id: str) -> list[Dwelling]:
    """The dwellings of a building within scope, with occupant counts (none for no building)."""
    if not building_id.isdigit():
        return []
    building = get_building_for_user(user, int(building_id))
    return list(_occupied(Dwelling.objects.visible_to(user).filter(building=building)))


@login_required
def dwelling_options(request: HttpRequest) -> HttpResponse:
    """The dwellings of a building as <option>s, for the household form (htmx)."""
    dwellings = dwellings_in(request.user, request.GET.get("building", ""))
    return render(request, "people/_dwelling_options.html", {"dwellings": dwellings})


@login_required
def tenancy_create_view(request: HttpRequest, dwelling_id: int) -> HttpResponse:
    """Record a lease: landlord from the register or by name, tenants from the register."""
    dwelling = get_dwelling_for_user(request.user, dwelling_id)
    people = (
        Person.objects.visible_to(request.user)
        .filter(left_on__isnull=True, region=dwelling.region)
        .order_by("name")
    )
    choices = [(p.pk, f"{p.name} {p.id_number_masked}") for p in people[:500]]
    form = TenancyForm(request.POST or None, people=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {int(i) for i in data["tenants"]}
        landlord_id = int(data["landlord"]) if str(data["landlord"]).isdigit() else None
        found = {p.pk: p for p in people.filter(pk__in=chosen | {landlord_id or 0})}
        try:
            tenancy = tenancy_create(
                actor=request.user,
                dwelling=dwelling,
                tenants=[found[i] for i in sorted(chosen) if i in found],
                landlord=found.get(landlord_id or 0),
                landlord_name=data["landlord_name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                registered_on=data["registered_on"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The lease is recorded."))
            if warning := lease_warning(tenancy):
                messages.warning(request, warning)
            return redirect("people:dwelling-detail", dwelling_id=dwelling.pk)
    return render(request, "people/tenancy_form.html", {"form": form, "dwelling": dwelling})
