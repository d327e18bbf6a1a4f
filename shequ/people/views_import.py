"""Pages of the register import: upload, templates, a job's progress and its error report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.people.importing.columns import COLUMNS
from shequ.people.importing.jobs import SUFFIXES, can_import, import_job_create
from shequ.people.importing.report import FIRST_ERRORS
from shequ.people.importing.template import template_xlsx
from shequ.people.models import ImportJob, ImportKind
from shequ.regions.models import Region
from shequ.regions.scoping import get_visible_or_404

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The node list of the form: enough for a street's communities and grids.
NODES_SHOWN = 300


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("records", "Register"), choices=ImportKind.choices)
    region = forms.TypedChoiceField(label=_("Into"), coerce=int)
    file = forms.FileField(
        label=_("File"), help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK)")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nodes = Region.objects.visible_to(user).select_related("level").order_by("path")
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            (node.pk, f"{'　' * node.depth}{node.name}（{node.level.name}）")
            for node in nodes[:NODES_SHOWN]
            if can_import(user, node)
        ]


def get_job_for_user(user: Any, job_id: int) -> ImportJob:
    return get_visible_or_404(
        ImportJob.objects.select_related("region", "created_by"), user, pk=job_id
    )


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        region = get_visible_or_404(
            Region.objects.all(), request.user, pk=form.cleaned_data["region"]
        )
        try:
            job = import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                region=region,
                upload=form.cleaned_data["file"],
                request=request,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("people:import-detail", job_id=job.pk)
    if not form.fields["region"].choices:  # type: ignore[attr-defined]
        raise PermissionDenied
    jobs = ImportJob.objects.visible_to(request.user).select_related("region", "created_by")[:30]
    context = {"form": form, "jobs": jobs, "kinds": ImportKind.choices, "suffixes": SUFFIXES}
    return render(request, "people/import_list.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    return template_response(request.user, request.GET.get("kind", ImportKind.PERSONS))


def template_response(user: Any, kind: str) -> HttpResponse:
    """A register's template, for a user who may import somewhere."""
    if kind not in COLUMNS:
        raise Http404("no such register")
    if not any(can_import(user, node) for node in Region.objects.visible_to(user)[:1]):
        raise PermissionDenied
    response = HttpResponse(template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{kind}-template.xlsx")
    return response


@login_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_job_for_user(request.user, job_id)
    errors = _first_errors(job) if job.report else []
    context = {
        "job": job,
        "errors": errors,
        "more_errors": max(0, job.error_count - len(errors)),
        "unchanged": max(0, job.total - job.created - job.updated),
    }
    template = "people/import_detail.html#progress" if request.htmx else "people/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def import_report(request: HttpRequest, job_id: int) -> FileResponse:
    return report_response(request, job_id)


def report_response(request: HttpRequest, job_id: int) -> FileResponse:
    """The error report: served only through this scoped fetch, its download audited."""
    job = get_job_for_user(request.user, job_id)
    if not job.report:
        raise Http404("no report")
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=job,
        changes={"report": "errors", "rows": job.error_count},
        request=request,
    )
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"{job.file_name.rsplit('.', 1)[0]}-errors.xlsx",
        content_type=XLSX,
    )


def _first_errors(job: ImportJob) -> list[tuple[Any, ...]]:
    """The first lines of the stored report, for the page."""
    from openpyxl import load_workbook

    with job.report.open("rb") as file:
        book = load_workbook(file, read_only=True)
        try:
            rows = book.worksheets[0].iter_rows(
                min_row=2, max_row=FIRST_ERRORS + 1, values_only=True
            )
            return [tuple(row) for row in rows]
        finally:
            book.close()
