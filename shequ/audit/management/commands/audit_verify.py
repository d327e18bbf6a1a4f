"""Recompute the audit log's hash chain; exit non-zero naming the first event that does not fit."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain from the first event to the last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=5000, help="Events read per query (default 5000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(batch=options["batch"])
        self.stdout.write(f"Events checked: {report.checked}")
        if report.first_broken_id is not None:
            raise CommandError(
                f"The chain is broken at event {report.first_broken_id}: {report.problem}."
            )
        if not report.ok:
            raise CommandError(f"The chain is broken: {report.problem}.")
        self.stdout.write(self.style.SUCCESS("The audit chain is intact."))
