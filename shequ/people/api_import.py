"""The register import through the API: upload a file, follow the job, fetch the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.people import views_import
from shequ.people.importing.jobs import import_job_create
from shequ.people.models import ImportJob, ImportKind
from shequ.regions.scoping import get_region_for_user

router = Router(tags=["people: import"])


class ImportJobOut(Schema):
    id: int
    kind: str
    region_id: int
    file_name: str
    status: str
    total: int
    processed: int
    percent: int
    created: int
    updated: int
    error_count: int
    has_report: bool
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_has_report(job: ImportJob) -> bool:
        return bool(job.report)


@router.post(
    "/imports",
    response={201: ImportJobOut},
    summary="Upload a register file (.xlsx or .csv); it is imported in the background",
)
def import_create(
    request: HttpRequest,
    kind: Form[ImportKind],
    region_id: Form[int],
    file: File[UploadedFile],
) -> Any:
    region = get_region_for_user(request.user, region_id)
    job = import_job_create(
        actor=request.user, kind=kind, region=region, upload=file, request=request
    )
    job.refresh_from_db()
    return Status(201, job)


@router.get("/imports", response=list[ImportJobOut], summary="Imports within scope, newest first")
def import_list(request: HttpRequest, limit: int = 50, offset: int = 0) -> Any:
    jobs = ImportJob.objects.visible_to(request.user)
    return jobs[offset : offset + min(limit, 200)]


@router.get("/imports/template", summary="The template of a register (.xlsx)")
def import_template(request: HttpRequest, kind: ImportKind = ImportKind.PERSONS) -> HttpResponse:
    return views_import.template_response(request.user, kind)


@router.get("/imports/{job_id}", response=ImportJobOut, summary="One import: status and counts")
def import_detail(request: HttpRequest, job_id: int) -> ImportJob:
    return views_import.get_job_for_user(request.user, job_id)


@router.get("/imports/{job_id}/report", summary="The error report of a refused import (.xlsx)")
def import_report(request: HttpRequest, job_id: int) -> FileResponse:
    return views_import.report_response(request, job_id)
