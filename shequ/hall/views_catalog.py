"""The service catalog: staff list and item pages, the public catalog and its printable notices,
editing by district administrators, spreadsheet import and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.accounts.models import staff_user
from shequ.accounts.views import apply_errors
from shequ.hall import catalog_io
from shequ.hall.forms_catalog import (
    CatalogFilterForm,
    CatalogImportForm,
    ItemForm,
    MaterialFormSet,
    material_initial,
)
from shequ.hall.models import Material, ServiceItem
from shequ.hall.services import item_save
from shequ.lib.tabular import ImportFailed, RowError
from shequ.regions import permissions as perms
from shequ.regions.models import Unit
from shequ.workdays import calendar

# An import with many bad rows shows this many of them; the count says how many more.
ERRORS_SHOWN = 500


def _with_materials(items: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    return items.select_related("department__region").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("position", "id"))
    )


def get_item_or_404(user: Any, item_id: int) -> ServiceItem:
    """An item version in the user's reach, or 404."""
    if not perms.can_view_catalog(user):
        raise PermissionDenied
    item = _with_materials(ServiceItem.objects.visible_to(user)).filter(pk=item_id).first()
    if item is None:
        raise Http404("not found")
    return item


def _public_item(item_id: int) -> ServiceItem:
    """The version a resident sees: the current one of the item's code, or 404."""
    code = ServiceItem.objects.filter(pk=item_id).values_list("code", flat=True).first()
    item = _with_materials(ServiceItem.objects.current()).filter(code=code).first()
    if code is None or item is None:
        raise Http404("not found")
    return item


def _manageable_units(user: Any) -> QuerySet[Unit]:
    units = Unit.objects.visible_to(user).select_related("region")
    ids = [unit.pk for unit in units if perms.can_edit_item(user, unit)]
    return Unit.objects.filter(pk__in=ids).order_by("code")


def _filter(items: QuerySet[ServiceItem], filters: dict[str, Any]) -> QuerySet[ServiceItem]:
    if q := (filters.get("q") or "").strip():
        items = items.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(department__name__icontains=q)
        )
    if filters.get("department"):
        items = items.filter(department=filters["department"])
    if filters.get("kind"):
        items = items.filter(kind=filters["kind"])
    channel = {"online": "online", "proxy": "by_proxy", "delivery": "delivery"}.get(
        filters.get("channel") or ""
    )
    if channel:
        items = items.filter(**{channel: True})
    return items


def _catalog_context(request: HttpRequest, items: QuerySet[ServiceItem]) -> dict[str, Any]:
    """Filters, figures and the matching current items, for the staff and the public list."""
    departments = Unit.objects.filter(service_items__in=items).distinct().order_by("code")
    form = CatalogFilterForm(request.GET or None, departments=departments)
    figures = items.aggregate(
        total=Count("pk"),
        online=Count("pk", filter=Q(online=True)),
        proxy=Count("pk", filter=Q(by_proxy=True)),
        delivery=Count("pk", filter=Q(delivery=True)),
        departments=Count("department", distinct=True),
    )
    shown = list(
        _filter(items, form.filters())
        .select_related("department")
        .order_by("department__code", "code")
    )
    return {"form": form, "figures": figures, "items": shown, "filtered": bool(request.GET)}


@login_required
@require_GET
def catalog_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_catalog(request.user):
        raise PermissionDenied
    context = _catalog_context(request, ServiceItem.objects.visible_to(request.user).current())
    context["can_manage"] = perms.can_manage_catalog(request.user)
    return render(request, "hall/catalog_list.html", context)


@require_GET
def catalog_public(request: HttpRequest) -> HttpResponse:
    context = _catalog_context(request, ServiceItem.objects.current())
    return render(request, "hall/catalog_public.html", context)


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_item_or_404(request.user, item_id)
    versions = list(
        ServiceItem.objects.visible_to(request.user).filter(code=item.code).order_by("-version")
    )
    current = next((v for v in versions if v.is_current), item)
    context = {
        "item": item,
        "versions": versions,
        "current": current,
        "can_edit": item.is_current and perms.can_edit_item(request.user, item.department),
    }
    return render(request, "hall/catalog_item.html", context)


@require_GET
def item_public(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _public_item(item_id)
    if item.pk != item_id:
        return redirect("hall:item-public", item_id=item.pk)
    return render(request, "hall/catalog_item_public.html", {"item": item})


@require_GET
def item_notice(request: HttpRequest, item_id: int) -> HttpResponse:
    """The printable notice of an item (办事告知书), on A4."""
    item = _public_item(item_id)
    if item.pk != item_id:
        return redirect("hall:item-notice", item_id=item.pk)
    return render(request, "hall/catalog_notice.html", {"item": item, "today": calendar.today()})


def _save_form(
    request: HttpRequest, *, item: ServiceItem | None, departments: QuerySet[Unit]
) -> HttpResponse:
    """The item form and its materials: GET shows them, a valid POST saves a version."""
    form = ItemForm(request.POST or None, departments=departments, item=item)
    formset = MaterialFormSet(
        request.POST or None,
        prefix="materials",
        initial=material_initial(item) if item is not None and request.method != "POST" else None,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = item_save(
                actor=staff_user(request),
                code=item.code if item is not None else form.cleaned_data["code"],
                values=form.values(),
                materials=formset.materials(),
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if item is not None and saved.pk == item.pk:
                messages.info(
                    request,
                    _("Nothing changed: the item stays at version %(v)d.") % {"v": saved.version},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s is saved as version %(v)d.")
                    % {"name": saved.name, "v": saved.version},
                )
            return redirect("hall:item-detail", item_id=saved.pk)
    return render(
        request, "hall/catalog_form.html", {"form": form, "formset": formset, "item": item}
    )


@login_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_item_or_404(request.user, item_id)
    if not perms.can_edit_item(request.user, item.department):
        raise PermissionDenied
    if not item.is_current:
        current = (
            ServiceItem.objects.visible_to(request.user).current().filter(code=item.code).first()
        )
        if current is None:
            raise Http404("not found")
        return redirect("hall:item-edit", item_id=current.pk)
    return _save_form(request, item=item, departments=_manageable_units(request.user))


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_catalog(request.user):
        raise PermissionDenied
    return _save_form(request, item=None, departments=_manageable_units(request.user))


@login_required
def catalog_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_catalog(request.user):
        raise PermissionDenied
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = catalog_io.catalog_import(
                actor=staff_user(request), file=upload, filename=upload.name, request=request
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)d items: %(created)d added, %(versions)d given a new "
                    "version, %(unchanged)d unchanged."
                )
                % report.as_dict(),
            )
            return redirect("hall:catalog")
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "columns": catalog_io.COLUMNS,
        "required": catalog_io.REQUIRED,
    }
    return render(request, "hall/catalog_import.html", context)


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=catalog_io.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def catalog_export(request: HttpRequest) -> HttpResponse:
    """The current items (filtered like the list) as a workbook that the import reads back."""
    if not perms.can_view_catalog(request.user):
        raise PermissionDenied
    form = CatalogFilterForm(request.GET or None, departments=Unit.objects.all())
    items = _filter(ServiceItem.objects.visible_to(request.user).current(), form.filters())
    content = catalog_io.catalog_export(_with_materials(items).order_by("code"))
    return _download(content, f"service-catalog-{calendar.today():%Y%m%d}.xlsx")


@login_required
@require_GET
def catalog_template(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_catalog(request.user):
        raise PermissionDenied
    return _download(catalog_io.template_xlsx(), "service-catalog-template.xlsx")
