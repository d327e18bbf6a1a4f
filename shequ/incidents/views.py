"""The incident category pages: every staff user reads the table, district administrators
change it (one subclass at a time, or a whole file) and anyone may export it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.accounts.models import staff_user
from shequ.accounts.views import apply_errors
from shequ.incidents import category_io
from shequ.incidents.forms import CategoryFilterForm, CategoryForm, CategoryImportForm
from shequ.incidents.models import IncidentCategory, IncidentCategoryQuerySet, IncidentKind
from shequ.incidents.services import category_save
from shequ.lib.tabular import ImportFailed, RowError
from shequ.regions import permissions as perms
from shequ.regions.models import Unit
from shequ.workdays import calendar

# An import with many bad rows shows this many of them; the count says how many more.
ERRORS_SHOWN = 500


def can_view(user: Any) -> bool:
    """Any staff role: the table is the same in every grid of the district."""
    return bool(perms.role_paths(user))


def can_manage(user: Any) -> bool:
    """Changing the table: a district administrator (the table is the district's)."""
    return perms.is_district_admin(user)


def _categories() -> IncidentCategoryQuerySet:
    return IncidentCategory.objects.select_related("incident_class", "default_unit")


def get_category_or_404(user: Any, category_id: int) -> IncidentCategory:
    if not can_view(user):
        raise PermissionDenied
    category = _categories().filter(pk=category_id).first()
    if category is None:
        raise Http404("not found")
    return category


@login_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    if not can_view(request.user):
        raise PermissionDenied
    form = CategoryFilterForm(request.GET or None)
    figures = IncidentCategory.objects.aggregate(
        components=Count("pk", filter=Q(incident_class__kind=IncidentKind.COMPONENT)),
        events=Count("pk", filter=Q(incident_class__kind=IncidentKind.EVENT)),
        active=Count("pk", filter=Q(is_active=True, incident_class__is_active=True)),
    )
    context = {
        "form": form,
        "figures": figures,
        "categories": list(form.apply(_categories())),
        "filtered": bool(request.GET),
        "can_manage": can_manage(request.user),
    }
    htmx = getattr(request, "htmx", False)
    template = "incidents/category_list.html#results" if htmx else "incidents/category_list.html"
    return render(request, template, context)


@login_required
@require_GET
def category_detail(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_category_or_404(request.user, category_id)
    context = {"category": category, "can_manage": can_manage(request.user)}
    return render(request, "incidents/category_detail.html", context)


def _units(user: Any) -> QuerySet[Unit]:
    return Unit.objects.visible_to(user).order_by("kind", "code")


def _save_form(request: HttpRequest, category: IncidentCategory | None) -> HttpResponse:
    """The subclass form: GET shows it, a valid POST saves through the service."""
    data = request.POST if request.method == "POST" else None
    form = CategoryForm(data, units=_units(request.user), category=category)
    if data is not None and form.is_valid() and category is None:
        taken = IncidentCategory.objects.filter(
            incident_class=form.cleaned_data["incident_class"], code=form.cleaned_data["code"]
        ).first()
        if taken is not None:
            # The service would update that subclass: a new one must not replace it quietly.
            form.add_error("code", _("%(name)s already has this code") % {"name": taken})
    if data is not None and form.is_valid():
        try:
            saved = category_save(
                actor=staff_user(request),
                incident_class=form.cleaned_data["incident_class"],
                code=form.cleaned_data["code"],
                values=form.values(),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved})
            return redirect("incidents:category-detail", category_id=saved.pk)
    return render(request, "incidents/category_form.html", {"form": form, "category": category})


@login_required
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_category_or_404(request.user, category_id)
    if not can_manage(request.user):
        raise PermissionDenied
    return _save_form(request, category)


@login_required
def category_create(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise PermissionDenied
    return _save_form(request, None)


@login_required
def category_import(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise PermissionDenied
    form = CategoryImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = category_io.category_import(
                actor=staff_user(request), file=upload, filename=upload.name, request=request
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)d subclasses: %(created)d added, %(changed)d changed, "
                    "%(unchanged)d unchanged."
                )
                % report.as_dict(),
            )
            return redirect("incidents:category-list")
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "columns": category_io.COLUMNS,
        "required": category_io.REQUIRED,
    }
    return render(request, "incidents/category_import.html", context)


@login_required
@require_GET
def category_export(request: HttpRequest) -> HttpResponse:
    """The subclasses (filtered like the list) in the import's format: .xlsx, or CSV."""
    if not can_view(request.user):
        raise PermissionDenied
    form = CategoryFilterForm(request.GET or None)
    categories = form.apply(_categories()).order_by(
        "incident_class__kind", "incident_class__code", "code"
    )
    as_csv = request.GET.get("format") == "csv"
    content = category_io.category_export(categories, as_csv=as_csv)
    suffix = "csv" if as_csv else "xlsx"
    response = HttpResponse(
        content, content_type=category_io.CSV_TYPE if as_csv else category_io.XLSX_TYPE
    )
    filename = f"incident-categories-{calendar.today():%Y%m%d}.{suffix}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
