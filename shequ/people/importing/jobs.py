"""Import jobs: the upload (a service: scope, role, audit) and its run in a background task.

The run updates the job's status and row counts as it goes, so that the page's progress bar
can follow it (see `Progress`: the import runs in one transaction).
"""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.lib.tabular import ImportFailed
from shequ.people.importing.engine import register_import
from shequ.people.models import ImportJob, ImportKind, ImportStatus
from shequ.regions.models import Region
from shequ.regions.permissions import can_write

SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def can_import(user: Any, region: Region) -> bool:
    """Importing writes records at the node: any role that may write there."""
    return can_write(user, region)


def import_job_create(
    *,
    actor: Any,
    kind: str,
    region: Region,
    upload: UploadedFile,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Store the upload and enqueue its import. The region must be within the actor's scope."""
    if not can_import(actor, region):
        raise PermissionDenied(_("Your role may not change records here"))
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Choose the register to import")})
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in SUFFIXES:
        raise ValidationError({"file": _("Upload an Excel workbook (.xlsx) or a CSV file (.csv)")})
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(size)d MB") % {"size": MAX_UPLOAD_BYTES >> 20}}
        )
    with transaction.atomic():
        job = ImportJob(kind=kind, region=region, file_name=name[:200], created_by=actor)
        # A name nobody can guess: the stored upload is personal data.
        stored = f"{secrets.token_urlsafe(24)}{PurePath(name).suffix.lower()}"
        job.file.save(stored, upload, save=False)
        job.save()
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=job,
            changes={"kind": kind, "file": job.file_name},
            request=request,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from shequ.people.tasks import import_job_run

    import_job_run.enqueue(job_id)


def import_job_execute(job_id: int) -> ImportJob:
    """Run a waiting job to its end (the task's body)."""
    job = ImportJob.objects.select_related("region", "created_by").get(pk=job_id)
    if job.status != ImportStatus.WAITING:
        return job
    _update(job, status=ImportStatus.VALIDATING)
    publish = Progress(job)

    def progress(phase: str, done: int, total: int) -> None:
        status = ImportStatus.WRITING if phase == "writing" else ImportStatus.VALIDATING
        if status == ImportStatus.WRITING and job.status == ImportStatus.WRITING:
            return  # the last checks and the commit: no count to show
        publish(status=status, processed=done if status == job.status else 0, total=total)

    try:
        with job.file.open("rb") as file:
            outcome = register_import(
                actor=job.created_by,
                kind=job.kind,
                node=job.region,
                file=file,
                filename=job.file_name,
                progress=progress,
                job_id=job.pk,
            )
    except ImportFailed as exc:  # pragma: no cover - the engine reports problems itself
        _update(job, status=ImportStatus.FAILED, message=str(exc)[:300])
        return job
    except Exception as exc:
        _update(
            job,
            status=ImportStatus.FAILED,
            message=_("The import stopped on an unexpected error; nothing was saved: %(error)s")
            % {"error": type(exc).__name__},
            finished_at=timezone.now(),
        )
        raise
    finally:
        publish.close()
    counts = outcome.counts
    if outcome.report is not None:
        job.report.save(
            f"{secrets.token_urlsafe(24)}-report.xlsx", ContentFile(outcome.report), save=False
        )
    _update(
        job,
        status=ImportStatus.DONE if outcome.ok else ImportStatus.FAILED,
        total=counts.rows,
        processed=counts.rows,
        created=counts.created,
        updated=counts.updated,
        error_count=counts.errors,
        report=job.report.name or "",
        finished_at=timezone.now(),
    )
    return job


class Progress:
    """Writes a running job's progress where the page can see it.

    The import checks and writes its rows inside one transaction, which no other connection
    sees into until it commits. On PostgreSQL the progress made inside it goes through a
    connection of its own, committed at once. On SQLite it cannot: the import holds the
    database's one write lock, so the page shows the progress reached before the transaction
    opened until the import ends. Outside a transaction it is an ordinary update.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self._side: Any = None

    def __call__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.job, name, value)
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job.pk).update(**values)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            quote = connection.ops.quote_name
            sets = ", ".join(f"{quote(name)} = %s" for name in values)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(ImportJob._meta.db_table)} SET {sets} WHERE id = %s",
                    [str(v) if isinstance(v, str) else v for v in values.values()] + [self.job.pk],
                )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _update(job: ImportJob, **values: Any) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)
