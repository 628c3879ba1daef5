"""Per-trace work on several cores: lists of file paths in, small results out.

Workers get paths, not parsed traces: reading bytes is cheap and pickling parsed spans would
cost about as much as parsing them again (ALGORITHMS.md §5).  Results (profiles, rows) are
small.  ``LocalExecutor`` uses a process pool on this machine; the scale-out engines (Dask,
Ray) are meant to implement the same ``map_paths``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Protocol, TypeVar

R = TypeVar("R")
BATCHES_PER_WORKER = 4  # a few batches each, so one slow file does not idle the others
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
        with ProcessPoolExecutor(self.workers, mp_context=get_context("fork")) as pool:
            return [result for batch in pool.map(fn, batches) for result in batch]


def split(items: list[str], parts: int) -> list[list[str]]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
