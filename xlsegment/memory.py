"""Arrow's memory while a ledger is read and summarised: taken from the system allocator.

Arrow's default allocator (mimalloc) keeps the blocks it frees for reuse. Reading a large CSV frees hundreds of
megabytes of reader blocks and hash tables, which it then kept, so a 10M-line read + summary peaked at 2.0 GB
instead of 1.5 GB. The system allocator gives large blocks back when they are freed. The choice is made only
for the duration of the call: arrays keep the allocator they were made with, and the caller's default is
restored afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def system_arrow_memory() -> Iterator[None]:
    """Within the block, Arrow allocates from the system allocator (a no-op without pyarrow)."""
    try:
        import pyarrow as pa
    except ImportError:  # Pyodide without pyarrow: nothing to choose
        pa = None
    if pa is None:
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def with_system_arrow_memory(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: run `function` within `system_arrow_memory()`."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with system_arrow_memory():
            return function(*args, **kwargs)

    return wrapper
