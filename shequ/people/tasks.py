"""Background work of the register: the import of an uploaded file."""

import datetime as dt

from django.tasks import task

from shequ.core.scheduler import Periodic
from shequ.people.importing.jobs import import_job_execute
from shequ.people.reminders import reminders_task


@task()
def import_job_run(job_id: int) -> dict[str, int | str]:
    job = import_job_execute(job_id)
    return {"status": job.status, "created": job.created, "updated": job.updated}


# The daily reminders (visits due, permits and tenancies ending): see people/reminders.py.
PERIODIC = [Periodic("people.reminders", reminders_task, dt.timedelta(days=1))]
