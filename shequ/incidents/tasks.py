"""Background work of the incident loop: overdue incidents climb one tier up the tree."""

import datetime as dt

from django.tasks import task

from shequ.core.scheduler import Periodic
from shequ.incidents.services_loop import overdue_escalate


@task()
def overdue_escalate_task() -> dict[str, int]:
    return {"escalated": overdue_escalate()}


PERIODIC = [Periodic("incidents.overdue_escalate", overdue_escalate_task, dt.timedelta(minutes=5))]
