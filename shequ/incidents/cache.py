"""The category table as the report path reads it: one process-wide copy, briefly trusted.

A report names its category by key; reading the row (with its class) costs more than the
rest of the report's reads together. Each process keeps the rows it has read for
`TRUST_SECONDS`; a save or delete of a class or subclass in this process empties the copy at
once (signals wired in apps.py), other processes see an edit within `TRUST_SECONDS`. A category
retired that recently may still take a report: the handler sees it and can refuse to file it.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from shequ.incidents.models import IncidentCategory

TRUST_SECONDS = 60.0
_lock = threading.Lock()
_rows: dict[int, tuple[float, IncidentCategory]] = {}


def category_of(pk: int) -> IncidentCategory | None:
    """The subclass `pk` with its class, from this process's copy when fresh enough."""
    now = time.monotonic()
    held = _rows.get(pk)
    if held is not None and now - held[0] < TRUST_SECONDS:
        return copy.copy(held[1])
    row = IncidentCategory.objects.select_related("incident_class").filter(pk=pk).first()
    if row is not None:
        with _lock:
            _rows[pk] = (now, row)
        return copy.copy(row)
    return None


def forget(*_args: Any, **_kwargs: Any) -> None:
    """Empty this process's copy (after a class or subclass changed)."""
    with _lock:
        _rows.clear()
