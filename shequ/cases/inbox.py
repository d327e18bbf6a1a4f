"""Storing messages handed to the inbox port (`core.inbox`) by apps below the engine."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from shequ.cases.models import Notification
from shequ.core.inbox import InboxMessage


@transaction.atomic
def inbox_deliver(messages: Sequence[InboxMessage]) -> int:
    """Insert the messages; a keyed message whose (user, key) is already stored is skipped.

    The unique constraint on (user, key) makes this safe against two runs at the same time;
    the lookup first only keeps the returned count honest.
    """
    keyed = {(m.user_id, m.key) for m in messages if m.key}
    taken: set[tuple[int, str]] = set()
    if keyed:
        taken = set(
            Notification.objects.filter(
                user_id__in={user for user, _key in keyed}, key__in={key for _user, key in keyed}
            ).values_list("user_id", "key")
        )
    rows = [
        Notification(user_id=m.user_id, text=m.text[:300], url=m.url, key=m.key)
        for m in messages
        if not m.key or (m.user_id, m.key) not in taken
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
