"""A fixed-window rate limit on the shared cache, for public pages that must not be probed.

Every app server shares the cache (Redis in production), so the limit holds across servers;
with the local-memory cache of a single machine it holds per process.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def now() -> float:
    """The clock of the windows (a function of its own so tests can hold it still)."""
    return time.time()


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the web server in front of us reports it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(*, scope: str, key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one attempt of `key` under `scope`; False once more than `limit` fell in the window.

    The refused attempts count too, so hammering does not reopen the window early.
    """
    bucket = int(now() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    # add() is a no-op when the counter exists; incr() is atomic on Redis and on local memory.
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(): this attempt opens a new one.
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    return count <= limit
