"""Item versions with their department and materials, kept per process for the intake.

A saved item version never changes but for `is_current`, which the next version turns off, and
its materials belong to it alone; so the window intake need not read them on every request.
The cache does not vouch for `is_current`: `window_accept` writes the application only if the
version is still current, checked in the INSERT itself. What may lag, by at most `TTL_SECONDS`
in another process, is the department's name in the intake's answer; this process forgets
everything as soon as an item, a material or a unit is saved here.
"""

from __future__ import annotations

import time
from typing import Any

from shequ.hall.models import Material, ServiceItem

TTL_SECONDS = 60.0
_items: dict[int, tuple[float, ServiceItem]] = {}


def item_version(pk: int) -> ServiceItem | None:
    """The item version with its department and materials (`materials_of`), or None."""
    now = time.monotonic()
    hit = _items.get(pk)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    item = ServiceItem.objects.select_related("department").filter(pk=pk).first()
    if item is None:
        return None
    item._materials = list(item.materials.all())  # type: ignore[attr-defined]
    _items[pk] = (now, item)
    return item


def materials_of(item: ServiceItem) -> list[Material]:
    cached = getattr(item, "_materials", None)
    return list(cached) if cached is not None else list(item.materials.all())


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop every cached version (connected to the saves of items, materials and units)."""
    _items.clear()
