"""Which node of the tree holds a place: point in polygon against the region boundaries.

An incident reported from a phone, a hotline call placed on the map and an Open311 request
all carry a longitude and latitude, and all need the grid they belong to; that is a question
about the tree, so it lives here and every case type asks it the same way.

Each process keeps one `PointIndex` (shequ/lib/polygons.py) of every region that has a
boundary, built on first use. The deepest node wins: a point in a grid is in the grid, not in
its community, though both boundaries hold it; among nodes of the same depth (a point on the
edge two grids share) the lower code wins, so every process gives the same answer.

The index is checked against the database at most every `CHECK_SECONDS`: one aggregate query
over the regions (how many have a boundary, the latest change, the highest key) and the
latest move. Region services stamp `updated_at` on every save, so an edited boundary, a new
node or a removed one changes that fingerprint and the next lookup rebuilds the index;
`invalidate()` makes the process that made a change see it at once. Other processes see it
within CHECK_SECONDS, which is the price of asking the database only now and then.
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db.models import Count, Max

from shequ.lib.polygons import PointIndex
from shequ.regions.models import Region, RegionMove

logger = logging.getLogger(__name__)

# How long a process trusts its index before it asks the database whether boundaries changed.
CHECK_SECONDS = 10.0


def _fingerprint() -> tuple[Any, ...]:
    """What changes whenever a boundary, the set of nodes with one, or their depths change."""
    regions = Region.objects.filter(boundary__isnull=False).aggregate(
        count=Count("pk"), changed=Max("updated_at"), last=Max("pk")
    )
    # A move rewrites depths with an UPDATE that leaves `updated_at` alone.
    moved = RegionMove.objects.aggregate(last=Max("pk"))["last"]
    return regions["count"], regions["changed"], regions["last"], moved


def _load() -> PointIndex:
    """An index of every region with a boundary, the deepest first, then by code."""
    rows = (
        Region.objects.filter(boundary__isnull=False)
        .values_list("pk", "depth", "code", "boundary")
        .iterator(chunk_size=2000)
    )
    index = PointIndex(
        ((pk, (-depth, code), boundary or {}) for pk, depth, code, boundary in rows),
        skip_invalid=True,
    )
    if index.skipped:
        # Imports and forms check boundaries; a row written around them is left out, not fatal.
        logger.warning("regions with unreadable boundaries left out: %s", index.skipped[:20])
    return index


class GridLocator:
    """A per-process index of the region boundaries that refreshes itself when they change.

    `check_seconds` is how long an index is trusted without asking the database; `clock` is
    injectable for tests. Safe to share between threads: lookups read an immutable index, and
    one thread at a time rebuilds it.
    """

    def __init__(
        self,
        *,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.check_seconds = check_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._index: PointIndex | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked_at = -math.inf
        self.builds = 0
        # The regions lookups answered, by key, read once per index (a rebuild empties it).
        self._regions: dict[int, Region] = {}

    def invalidate(self) -> None:
        """Check the database on the next lookup (call after changing boundaries)."""
        with self._lock:
            self._checked_at = -math.inf

    def index(self) -> PointIndex:
        """The current index, rebuilt first when the boundaries changed since it was built."""
        index = self._index
        if index is not None and self._clock() - self._checked_at < self.check_seconds:
            return index
        with self._lock:
            now = self._clock()
            if self._index is not None and now - self._checked_at < self.check_seconds:
                return self._index
            fingerprint = _fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                self._index = _load()
                self._fingerprint = fingerprint
                self._regions = {}
                self.builds += 1
            self._checked_at = now
            return self._index

    def region_id(self, lng: float, lat: float) -> int | None:
        """The key of the deepest region whose boundary holds the point, or None."""
        if not (-180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0):
            return None  # also NaN, which fails every comparison
        found: Hashable | None = self.index().locate(lng, lat)
        return found if isinstance(found, int) else None

    def locate(self, lng: float, lat: float, *, fallback: Region | None = None) -> Region | None:
        """The deepest region holding the point; `fallback` (say, the reporter's grid) if none."""
        pk = self.region_id(lng, lat)
        if pk is None:
            return fallback
        regions = self._regions
        region = regions.get(pk)
        if region is None:
            region = Region.objects.select_related("level").filter(pk=pk).first()
            if region is None:
                # Removed since the index was built: the caller's fallback is the honest answer.
                return fallback
            regions[pk] = region
        # A copy: the caller may change its instance; the next caller gets the one read.
        return copy.copy(region)


_locator = GridLocator()


def locate_region(lng: float, lat: float, *, fallback: Region | None = None) -> Region | None:
    """The deepest region of this process's index holding (lng, lat), else `fallback`."""
    return _locator.locate(lng, lat, fallback=fallback)


def locate_region_id(lng: float, lat: float) -> int | None:
    return _locator.region_id(lng, lat)


def invalidate() -> None:
    """Make this process's next lookup check the boundaries (after a change it made itself)."""
    _locator.invalidate()
