"""Independent blocks of numpy work on the machine's cores (threads: numpy releases Python's lock while it
computes), or one after the other where threads cannot start (Pyodide, xlwings Lite) or one core is all."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

MAX_THREADS = 8


def threads() -> int:
    """How many threads the blocks may use: the cores this process may run on, at most MAX_THREADS."""
    if sys.platform == "emscripten":
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_THREADS))


def in_parallel(work: Callable[[int], None], items: Iterable[int]) -> None:
    """Run `work(item)` for every item; the items must write to disjoint places (no result is returned)."""
    items = list(items)
    workers = min(threads(), len(items))
    if workers <= 1:
        for item in items:
            work(item)
        return
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(work, items):  # re-raises the first error of a block
            pass
