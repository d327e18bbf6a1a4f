"""Checking chunks of rows on every core while the main process reads, looks up and stores.

The work on a row that needs no database (parsing the identity number, the other cells,
sealing, pinyin) is a pure function of the row: `prepare` in the register's handler. For a
large file it runs in a pool of forked worker processes, a few chunks ahead of the main
process, which keeps the file reader, the database and the scratch store to itself; results
come back in file order. The first PARALLEL_ROWS rows are prepared in the process itself
(same functions, no pool), so a small file (the page's usual upload, most tests) never starts
one. Memory stays bounded: at most two chunks per worker
are under way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils import translation

# The first rows of a file are prepared in the process itself; the pool starts only for a file
# longer than this.
PARALLEL_ROWS = 20_000
Prepare = Callable[[list[Any]], list[Any]]

# What the workers run, set before they are forked (so the regions need not be sent along).
_job: Prepare | None = None


def worker_count() -> int:
    """Worker processes for a large file: one per core, none where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(os.cpu_count() or 1, 4))


def _run(language: str | None, chunk: list[Any]) -> list[Any]:
    assert _job is not None
    if language and translation.get_language() != language:
        translation.activate(language)
    return _job(chunk)


def prepared(chunks: Iterable[list[Any]], prepare: Prepare, *, inline: int) -> Iterator[Any]:
    """`prepare(chunk)` of every chunk, in order: the first `inline` chunks in this process,
    the rest (if any) in worker processes."""
    global _job
    remaining = iter(chunks)
    for done, chunk in enumerate(remaining, start=1):
        yield prepare(chunk)
        if done >= inline:
            break
    else:
        return
    workers = worker_count()
    if workers < 2:
        for chunk in remaining:
            yield prepare(chunk)
        return
    _job = prepare
    language = translation.get_language()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[Any] = deque()
            for chunk in remaining:
                pending.append(pool.apply_async(_run, (language, chunk)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _job = None
