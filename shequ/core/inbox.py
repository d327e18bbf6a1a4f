"""The staff inbox as a port: apps below the case engine put messages in it without importing it.

The inbox is stored by the case engine (`cases.Notification`), which sits above `people` in the
dependency order. An app such as `people` that has something to tell staff (the daily
reminders) hands `InboxMessage`s to `deliver`; the engine registers the function that stores
them when it starts (`CasesConfig.ready`). Dependencies keep running downward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class InboxMessage:
    """One message for one staff user.

    `url` is a page the message points to; `key`, when set, makes the message idempotent: a
    second message with the same (user, key) is not stored.
    """

    user_id: int
    text: str
    url: str = ""
    key: str = ""


Delivery = Callable[[Sequence[InboxMessage]], int]
_delivery: Delivery | None = None


def register_delivery(function: Delivery) -> None:
    """Called once by the app that stores the inbox."""
    global _delivery
    _delivery = function


def deliver(messages: Sequence[InboxMessage]) -> int:
    """Store the messages; return how many were new (keyed duplicates are skipped)."""
    if _delivery is None:
        raise ImproperlyConfigured("no inbox is installed: add shequ.cases to INSTALLED_APPS")
    return _delivery(messages)
