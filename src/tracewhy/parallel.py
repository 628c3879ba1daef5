"""Per-trace work on several cores: lists of file paths in, small results out.

Workers get paths, not parsed traces: reading bytes is cheap and pickling parsed spans would
cost about as much as parsing them again (ALGORITHMS.md §5).  Results (profiles, rows) are
small.  ``LocalExecutor`` uses a process pool on this machine, the calling process being one
of the workers; the scale-out engines (Dask, Ray) are meant to implement the same
``map_paths``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Protocol, TypeVar

R = TypeVar("R")
# Small batches: the pool claims a few batches ahead of those it runs, and at the end this
# process may idle for as long as those take (see _take_from_the_end).
BATCHES_PER_WORKER = 16
MIN_PATHS_PER_WORKER = 64  # below this a process pool costs more than it saves


class Executor(Protocol):
    def map_paths(self, fn: Callable[[list[str]], list[R]], paths: list[str]) -> list[R]: ...


@dataclass(frozen=True)
class LocalExecutor:
    """``fn`` over batches of ``paths`` in worker processes; results in the order of paths."""

    workers: int = 1

    def map_paths(self, fn: Callable[[list[str]], list[R]], paths: list[str]) -> list[R]:
        if self.workers <= 1 or len(paths) < MIN_PATHS_PER_WORKER * self.workers:
            return fn(paths)
        batches = split(paths, self.workers * BATCHES_PER_WORKER)
        # This process is one of the workers: it forks one process fewer, and its own
        # batches' results need no pickling.
        with ProcessPoolExecutor(self.workers - 1, mp_context=get_context("fork")) as pool:
            futures = [pool.submit(fn, batch) for batch in batches]
            done_here = _take_from_the_end(fn, batches, futures)
            return [result for i, future in enumerate(futures)
                    for result in done_here.get(i, future).result()]


def _take_from_the_end(fn: Callable[[list[str]], list[R]], batches: list[list[str]],
                       futures: list[Future[list[R]]]) -> dict[int, Future[list[R]]]:
    """Run batches here, last first, while the pool has not claimed them (it claims them first
    to last), so the two sides meet wherever their speeds have them meet.  An error is kept
    for its turn: the caller sees the first batch's error in path order, as it would serially."""
    done: dict[int, Future[list[R]]] = {}
    for i in reversed(range(len(batches))):
        if not futures[i].cancel():  # the pool has it already, and every batch before it
            break
        here: Future[list[R]] = Future()
        done[i] = here
        try:
            here.set_result(fn(batches[i]))
        except Exception as exc:  # raised by .result(), in its turn
            here.set_exception(exc)
            break  # the pool does the rest: an earlier batch may hold the first error
    return done


def split(items: list[str], parts: int) -> list[list[str]]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
