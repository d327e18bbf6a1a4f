"""Pages for importing and exporting the region tree."""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.lib.tabular import ImportFailed, RowError
from shequ.regions import io, io_columns, io_export
from shequ.regions.permissions import can_manage_regions
from shequ.regions.scoping import get_region_for_user

# An import with thousands of bad rows shows this many of them; the count says how many more.
ERRORS_SHOWN = 500


class RegionImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx), a CSV file or a GeoJSON file"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in io.IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Upload an .xlsx, .csv or .geojson file; this one is “%(name)s”")
                % {"name": upload.name}
            )
        if (upload.size or 0) > io.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB") % {"size": io.MAX_UPLOAD_BYTES >> 20}
            )
        return upload


def _require_region_admin(user: object) -> None:
    if not can_manage_regions(user):
        raise PermissionDenied


@login_required
def region_import_view(request: HttpRequest) -> HttpResponse:
    _require_region_admin(request.user)
    form = RegionImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = io.region_import(
                actor=request.user, file=upload, filename=upload.name, request=request
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)d rows: %(created)d regions added, %(updated)d changed, "
                    "%(moved)d moved, %(unchanged)d unchanged."
                )
                % report.as_dict(),
            )
            return redirect("regions:region-import")
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        "columns": io_columns.COLUMNS,
        "required": io.REQUIRED,
    }
    return render(request, "regions/region_import.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def region_template_view(request: HttpRequest) -> HttpResponse:
    _require_region_admin(request.user)
    return _download(io_export.template_xlsx(), io_columns.FORMATS["xlsx"], "regions-template.xlsx")


@login_required
def region_export_view(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_region_for_user(request.user, region_id)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in io_columns.FORMATS:
        return HttpResponseBadRequest(_("Export as xlsx, csv or geojson"))
    content, content_type, filename = io_export.region_export(
        actor=request.user, root=region, fmt=fmt, request=request
    )
    return _download(content, content_type, filename)
