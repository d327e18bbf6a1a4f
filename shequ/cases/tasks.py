"""Background work of the engine: the periodic deadline scan."""

import datetime as dt

from django.tasks import task

from shequ.cases.scan import deadline_scan
from shequ.core.scheduler import Periodic


@task()
def deadline_scan_task() -> dict[str, int]:
    result = deadline_scan()
    return {"due_soon": result.due_soon, "overdue": result.overdue}


PERIODIC = [Periodic("cases.deadline_scan", deadline_scan_task, dt.timedelta(minutes=15))]
