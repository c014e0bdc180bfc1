"""Shared benchmark helpers: a result row, wall-clock timing and peak memory measured in a fresh process."""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class BenchRow:
    """One measurement: ours against a peer measured in the same run, with the target it must meet."""

    name: str
    ours: float
    peer: float | None = None
    peer_name: str = ""
    unit: str = "s"
    target: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times faster (or lighter) we are than the peer."""
        if self.peer is None or self.ours <= 0:
            return None
        return self.peer / self.ours


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall-clock time of `repeat` calls and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process image, in MB.

    VmHWM is the high-water mark of the current address space, which exec starts afresh; ru_maxrss is not
    used first because Linux carries the parent's peak into a forked-then-exec'd child.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(target: Callable[..., Any], args: tuple, queue: Any) -> None:
    start = time.perf_counter()
    target(*args)
    elapsed = time.perf_counter() - start
    queue.put((elapsed, peak_rss_mb()))


def in_fresh_process(target: Callable[..., Any], *args: Any) -> tuple[float, float]:
    """Run `target(*args)` in a new interpreter; return (seconds, peak resident MB of that process).

    `target` must be a module-level function (it is pickled by reference).
    """
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, args, queue))
    proc.start()
    elapsed, peak_mb = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"benchmark process for {getattr(target, '__name__', target)} failed")
    return elapsed, peak_mb


def alternated(runs: dict[str, Callable[[], Any]], rounds: int = 3) -> dict[str, float]:
    """Median wall-clock seconds of each run, the runs taken in turn (A, B, A, B, ...) for `rounds` rounds.

    Taking them in turn spreads the machine's load over every contender; best-of-n without alternation moved
    a ratio from 6.2x to 3.4x with load alone.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
