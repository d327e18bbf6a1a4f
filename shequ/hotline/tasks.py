"""Background work of the hotline: the suggestion's side table and the sign-for reminders."""

import datetime as dt

from django.tasks import task

from shequ.core.scheduler import Periodic
from shequ.hotline.search_index import suggest_sync
from shequ.hotline.services import sign_for_reminders


@task()
def suggest_sync_task() -> dict[str, int]:
    result = suggest_sync()
    return {"indexed": result.indexed, "pruned": result.pruned, "mark": result.mark}


@task()
def sign_for_reminders_task() -> int:
    return sign_for_reminders()


PERIODIC = [
    Periodic("hotline.suggest_sync", suggest_sync_task, dt.timedelta(minutes=1)),
    Periodic("hotline.sign_for_reminders", sign_for_reminders_task, dt.timedelta(minutes=5)),
]
