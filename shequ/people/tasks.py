"""Background work of the register: the import of an uploaded file."""

from django.tasks import task

from shequ.people.importing.jobs import import_job_execute


@task()
def import_job_run(job_id: int) -> dict[str, int | str]:
    job = import_job_execute(job_id)
    return {"status": job.status, "created": job.created, "updated": job.updated}
