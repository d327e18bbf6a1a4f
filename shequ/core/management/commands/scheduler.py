import time
from typing import Any

from django.core.management.base import BaseCommand

from shequ.core.scheduler import TICK, due_jobs_enqueue, registered_jobs


class Command(BaseCommand):
    help = "Enqueue the periodic jobs when they are due (run one scheduler per deployment or more)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        jobs = registered_jobs()
        self.stdout.write(f"{len(jobs)} periodic jobs: " + ", ".join(j.name for j in jobs))
        while True:
            due_jobs_enqueue()  # logs what it enqueued
            if once:
                return
            time.sleep(TICK)
