"""The hotline's lists: categories with their time limits, the units calls go to (departments
and partner units 加盟单位) with their handlers, and the responsibility list.

Every staff user reads them; the district administrator changes them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import User, staff_user
from shequ.hotline import services_lists
from shequ.hotline.forms import CategoryForm, HandlerForm, ResponsibilityForm, UnitForm
from shequ.hotline.models import Category, Responsibility
from shequ.hotline.selectors import can_manage_lists
from shequ.regions import permissions as perms
from shequ.regions.models import Region, RoleAssignment, Unit
from shequ.regions.scoping import home_region


def _staff(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not perms.role_paths(user):
        raise PermissionDenied
    return user


def _admin(request: HttpRequest) -> Any:
    user = _staff(request)
    if not can_manage_lists(user):
        raise PermissionDenied(_("The hotline's lists are kept by the district administrator"))
    return user


def _errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _category_save(
    request: HttpRequest, user: Any, form: CategoryForm, category: Category | None = None
) -> HttpResponse | None:
    """Save the valid category form (a new category without `category`): the redirect to the
    list, or None with the service's refusal put on the form."""
    try:
        saved = services_lists.category_save(
            actor=user, category=category, values=form.cleaned_data, request=request
        )
    except ValidationError as exc:
        _errors(form, exc)
        return None
    messages.success(request, _("Category %(name)s saved.") % {"name": saved})
    return redirect("hotline:category-list")


def _unit_save(
    request: HttpRequest, user: Any, form: UnitForm, unit: Unit | None = None
) -> HttpResponse | None:
    """Save the valid unit form (a new unit without `unit`), at the node chosen or else where
    the unit is (a new one: the user's own node): the redirect to the unit's page, or None with
    the service's refusal put on the form."""
    data = form.cleaned_data
    region = Region.objects.filter(pk=data.get("region") or 0).first()
    if region is None:
        region = unit.region if unit is not None else home_region(user)
    try:
        saved = services_lists.unit_save(
            actor=user,
            unit=unit,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            region=region,
            request=request,
        )
    except ValidationError as exc:
        _errors(form, exc)
        return None
    messages.success(request, _("Unit %(name)s saved.") % {"name": saved.name})
    return redirect("hotline:unit-detail", unit_id=saved.pk)


def _unit_choices() -> list[tuple[int, str]]:
    return [(unit.pk, unit.name) for unit in Unit.objects.order_by("kind", "code")]


def _upper_regions() -> list[Region]:
    """Nodes a list entry or a unit may sit at: the district, streets and communities."""
    return list(Region.objects.filter(depth__lte=2).select_related("level").order_by("path"))


@login_required
def category_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            saved = _category_save(request, user, form)
            if saved is not None:
                return saved
    return render(
        request,
        "hotline/category_list.html",
        {
            "categories": Category.objects.order_by("code"),
            "form": form,
            "may_edit": can_manage_lists(user),
        },
    )


@login_required
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    user = _admin(request)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404("not found")
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        saved = _category_save(request, user, form, category)
        if saved is not None:
            return saved
    return render(request, "hotline/category_edit.html", {"form": form, "category": category})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = UnitForm(request.POST or None)
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            saved = _unit_save(request, user, form)
            if saved is not None:
                return saved
    return render(
        request,
        "hotline/unit_list.html",
        {
            "units": Unit.objects.select_related("region").order_by("kind", "code"),
            "form": form,
            "regions": _upper_regions(),
            "may_edit": can_manage_lists(user),
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit: its details, its handlers, what it leads and assists on (district admin)."""
    user = _admin(request)
    unit = Unit.objects.select_related("region").filter(pk=unit_id).first()
    if unit is None:
        raise Http404("not found")
    form = UnitForm(
        request.POST if request.POST.get("form") == "unit" else None,
        initial={"code": unit.code, "name": unit.name, "kind": unit.kind, "region": unit.region_id},
    )
    handler_form = HandlerForm(request.POST if request.POST.get("form") == "handler" else None)
    if request.method == "POST" and form.is_bound and form.is_valid():
        saved = _unit_save(request, user, form, unit)
        if saved is not None:
            return saved
    if request.method == "POST" and handler_form.is_bound and handler_form.is_valid():
        handler = User.objects.filter(
            username=handler_form.cleaned_data["username"], is_active=True
        ).first()
        if handler is None:
            handler_form.add_error("username", _("No active staff login has this name"))
        else:
            services_lists.unit_handler_add(actor=user, unit=unit, user=handler, request=request)
            messages.success(request, _("%(name)s now handles for this unit.") % {"name": handler})
            return redirect("hotline:unit-detail", unit_id=unit.pk)
    return render(
        request,
        "hotline/unit_detail.html",
        {
            "unit": unit,
            "form": form,
            "handler_form": handler_form,
            "regions": _upper_regions(),
            "handlers": RoleAssignment.objects.filter(unit=unit)
            .select_related("user", "region")
            .order_by("user__username"),
            "leads": Responsibility.objects.filter(lead_unit=unit).select_related(
                "category", "region"
            ),
            "assists": Responsibility.objects.filter(assisting_units=unit).select_related(
                "category", "region", "lead_unit"
            ),
        },
    )


@login_required
def responsibility_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = ResponsibilityForm(request.POST or None, unit_choices=_unit_choices())
    if request.method == "POST":
        _admin(request)
        if form.is_valid():
            data = form.cleaned_data
            region = Region.objects.filter(pk=data["region"]).first()
            lead = Unit.objects.filter(pk=data["lead_unit"]).first()
            if region is None or lead is None:
                form.add_error(None, _("Choose the node and the lead unit"))
            else:
                services_lists.responsibility_save(
                    actor=user,
                    category=data["category"],
                    region=region,
                    lead_unit=lead,
                    assisting_units=list(Unit.objects.filter(pk__in=data["assisting_units"])),
                    duty=data.get("duty") or "",
                    request=request,
                )
                messages.success(request, _("The responsibility list is saved."))
                return redirect("hotline:responsibility-list")
    entries = (
        Responsibility.objects.select_related("category", "region", "lead_unit")
        .prefetch_related("assisting_units")
        .order_by("category__code", "region__path")
    )
    return render(
        request,
        "hotline/responsibility_list.html",
        {
            "entries": entries,
            "form": form,
            "may_edit": can_manage_lists(user),
            "categories": Category.objects.order_by("code"),
            "regions": _upper_regions(),
            "units": Unit.objects.order_by("kind", "code"),
        },
    )


@login_required
@require_POST
def responsibility_delete(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    entry = Responsibility.objects.filter(pk=request.POST.get("entry") or 0).first()
    if entry is None:
        raise Http404("not found")
    services_lists.responsibility_delete(actor=user, entry=entry, request=request)
    messages.success(request, _("The entry is removed."))
    return redirect("hotline:responsibility-list")
