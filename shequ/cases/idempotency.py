"""Idempotency keys of create requests: a retried request returns the case the first one made.

A hand-written statement, as the intake runs it on every request: the key is looked up by
the unique (user, key) index. `case_open` records it with `ON CONFLICT DO NOTHING` (SQLite
and PostgreSQL) instead of an INSERT in a savepoint that may fail: the constraint decides
between two concurrent requests and the transaction stays usable.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from shequ.cases.models import Case, IdempotencyKey
from shequ.core.sql import prepared_cursor


def _table() -> str:
    return connection.ops.quote_name(IdempotencyKey._meta.db_table)


def case_of_key(actor: Any, key: str) -> Case | None:
    """The case an earlier request with this key made, marked `replayed`; None the first time."""
    quote = connection.ops.quote_name
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('case_id')} FROM {_table()} "
            f"WHERE {quote('user_id')} = %s AND {quote('key')} = %s",
            [actor.pk, key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    case = Case.objects.get(pk=row[0])
    case.replayed = True  # type: ignore[attr-defined]
    return case
