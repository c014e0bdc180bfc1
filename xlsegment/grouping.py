"""Group rows by a non-negative integer key with a radix sort: the summary's occasion grouping.

Numpy sorts 16-bit integers with a stable radix sort, several times faster than a general sort or a hash
table on a million keys; a key of up to 64 bits is sorted by a few such passes over its digits (least
significant first, each pass stable), which keeps the core free of compiled code of its own.
"""

from __future__ import annotations

import numpy as np

_DIGIT_BITS = 16


def radix_argsort(key: np.ndarray, max_key: int | None = None) -> np.ndarray:
    """Stable argsort of non-negative integer keys (equal keys keep their order).

    `max_key` (the largest key, computed when not given) sets the number of 16-bit passes; the digits are
    balanced so a 27-bit key takes two passes of 14 bits rather than 16 + 11.
    """
    key = np.asarray(key)
    if key.size == 0:
        return np.empty(0, dtype=np.intp)
    if max_key is None:
        max_key = int(key.max())
    bits = max(1, int(max_key).bit_length())
    passes = -(-bits // _DIGIT_BITS)
    width = -(-bits // passes)
    mask = (1 << width) - 1
    order: np.ndarray | None = None
    for p in range(passes):
        digit = ((key >> (p * width)) & mask).astype(np.uint16) if passes > 1 else key.astype(np.uint16)
        if order is None:
            order = np.argsort(digit, kind="stable")
        else:
            order = order[np.argsort(digit[order], kind="stable")]
    assert order is not None
    return order


def sorted_groups(sorted_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number (0, 1, ...) of every position of a sorted key, and the position where each group starts."""
    if sorted_key.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    change = np.empty(sorted_key.size, dtype=bool)
    change[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=change[1:])
    number = np.cumsum(change, dtype=np.intp)
    number -= 1
    return number, np.flatnonzero(change)
