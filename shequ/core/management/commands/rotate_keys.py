"""Re-seal every encrypted value under the current field key, or print a new key."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.core.keys import RotationError, next_key_id, reencrypt_all
from shequ.lib import crypto


class Command(BaseCommand):
    help = (
        "Re-seal every encrypted value under the first key of FIELD_ENCRYPTION_KEYS "
        "(--new-key prints a fresh key and the steps to rotate)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a fresh key and how to add it; change nothing.",
        )
        parser.add_argument(
            "--batch", type=int, default=1000, help="Rows per transaction (default 1000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self._print_new_key()
            return
        try:
            counts = reencrypt_all(batch=options["batch"])
        except RotationError as exc:
            raise CommandError(
                f"Stopped: {exc}. Put the key that sealed it back into FIELD_ENCRYPTION_KEYS "
                "and run again; the rows done so far stay re-sealed."
            ) from exc
        width = max((len(name) for name in counts), default=0)
        for name, count in counts.items():
            self.stdout.write(f"{name.ljust(width)}  {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(counts.values())} values re-sealed under key {crypto.current_key_id()}."
            )
        )

    def _print_new_key(self) -> None:
        key_id = next_key_id(settings.FIELD_ENCRYPTION_KEYS)
        key = crypto.generate_key()
        self.stdout.write(f"{key_id}:{key}")
        self.stdout.write(
            "\nTo rotate:\n"
            f"  1. Prepend it to FIELD_ENCRYPTION_KEYS, keeping the current keys after it:\n"
            f"     FIELD_ENCRYPTION_KEYS={key_id}:{key},<current keys>\n"
            "  2. Restart every application server and task worker: new values are sealed\n"
            "     under the first key, every listed key still opens the old ones.\n"
            "  3. Run `manage.py rotate_keys` to re-seal the stored values.\n"
            "  4. Remove an old key only after that run has finished; keep a copy with the\n"
            "     backups that were taken under it.\n"
        )
