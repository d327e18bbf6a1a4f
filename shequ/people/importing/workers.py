"""Reading and checking a long file in a second process while the main process writes.

The work on a row that needs no database (reading it from the file, parsing the identity
number and the other cells, sealing, pinyin) is a pure function of the row: `prepare` in the
register's handler. For a large file it runs in a forked **producer** process, which goes on
reading the file where the main process stopped and sends the prepared chunks back in file
order; the main process is left with the database: the lookups, the scratch store and the
writes. On a machine with more than two cores the producer hands the preparing to a pool of
forked workers, one per core left over, and keeps only the reading. The first PARALLEL_ROWS
rows are prepared in the main process itself (same functions), so a small file (the page's
usual upload, most tests) never forks. Memory stays bounded: the producer waits when AHEAD
prepared chunks are ready and not yet taken, and at most two chunks per pool worker are under
way.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from queue import Empty
from typing import Any

from django.utils import translation

from shequ.lib.tabular import ImportFailed, RowError

# The first rows of a file are prepared in the process itself; the producer starts only for a
# file longer than this.
PARALLEL_ROWS = 5_000
# How many prepared chunks the producer may have ready before the main process takes them.
AHEAD = 8
Prepare = Callable[[list[Any]], list[Any]]

# What the pool workers run, set before they are forked (so the regions need not be sent).
_job: Prepare | None = None


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def pool_size() -> int:
    """Pool workers of the producer: the cores left when the main process and the producer
    have one each (none on two cores, where the producer prepares what it reads)."""
    return max(0, min(os.cpu_count() or 1, 6) - 2)


def prepared(chunks: Iterable[list[Any]], prepare: Prepare, *, inline: int) -> Generator[Any]:
    """`prepare(chunk)` of every chunk, in order: the first `inline` chunks in this process,
    the rest (if any) read and prepared by a producer process."""
    remaining = iter(chunks)
    for done, chunk in enumerate(remaining, start=1):
        yield prepare(chunk)
        if done >= inline:
            break
    else:
        return
    if not can_fork():
        for chunk in remaining:
            yield prepare(chunk)
        return
    yield from _from_producer(remaining, prepare)


def _from_producer(remaining: Iterator[list[Any]], prepare: Prepare) -> Iterator[Any]:
    context = multiprocessing.get_context("fork")
    # A few chunks of slack between the two processes, so that neither waits whenever the
    # other is held up for a moment (the machine's other work, a slow statement).
    queue: Any = context.Queue(maxsize=AHEAD)
    producer = context.Process(
        target=_produce, args=(remaining, prepare, queue, pool_size()), daemon=False
    )
    producer.start()
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=5)
            except Empty:
                if producer.is_alive():
                    continue
                raise RuntimeError("the import's reading process ended without a word") from None
            if kind == "chunk":
                yield payload
            elif kind == "end":
                break
            elif kind == "failed":  # the file broke off: the reader's own errors
                raise ImportFailed([RowError(*error) for error in payload])
            else:
                raise RuntimeError(f"the import's reading process failed:\n{payload}")
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()
        queue.close()
        queue.join_thread()


def _produce(remaining: Iterator[list[Any]], prepare: Prepare, queue: Any, pool: int) -> None:
    """The producer's body: read on from where the main process stopped, prepare, send."""
    try:
        chunks = _pooled(remaining, prepare, pool) if pool > 0 else map(prepare, remaining)
        for item in chunks:
            queue.put(("chunk", item))
        queue.put(("end", None))
    except ImportFailed as exc:
        errors = [(e.row, e.column, e.value, e.message) for e in exc.errors]
        queue.put(("failed", errors))
    except BaseException:
        queue.put(("error", traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()  # everything put is sent before the process ends


def _run(language: str | None, chunk: list[Any]) -> list[Any]:
    assert _job is not None
    if language and translation.get_language() != language:
        translation.activate(language)
    return _job(chunk)


def _pooled(chunks: Iterator[list[Any]], prepare: Prepare, workers: int) -> Iterator[Any]:
    """`prepare(chunk)` of every chunk by a pool of forked workers, in order."""
    global _job
    _job = prepare
    language = translation.get_language()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[Any] = deque()
            for chunk in chunks:
                pending.append(pool.apply_async(_run, (language, chunk)))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _job = None
