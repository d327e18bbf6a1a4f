"""Periodic jobs: each app lists its own in `PERIODIC` of its tasks.py; the scheduler enqueues them.

`manage.py scheduler` wakes up every TICK seconds, and for each job whose interval has passed
since it was last enqueued (kept in ScheduledRun, row-locked, so several schedulers never
double a run) enqueues the job's task on the configured `django.tasks` backend. The work itself
runs in the task worker (`manage.py db_worker` for the database backend).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from shequ.core.models import ScheduledRun

logger = logging.getLogger("shequ.scheduler")
TICK = 30


@dataclass(frozen=True)
class Periodic:
    """A task to enqueue every `every`; `name` identifies it in ScheduledRun."""

    name: str
    task: Any  # a django.tasks Task
    every: dt.timedelta


def registered_jobs() -> list[Periodic]:
    jobs: list[Periodic] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shequ."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.tasks":
                continue
            raise
        jobs.extend(getattr(module, "PERIODIC", []))
    return jobs


def due_jobs_enqueue(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose interval has passed; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        with transaction.atomic():
            run, created = ScheduledRun.objects.select_for_update().get_or_create(
                name=job.name, defaults={"last_enqueued_at": now}
            )
            if not created and now - run.last_enqueued_at < job.every:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(job.task.enqueue)
            enqueued.append(job.name)
    for name in enqueued:
        logger.info("enqueued %s", name)
    return enqueued
