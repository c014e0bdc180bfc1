"""Reports that ride along with frames in `DataFrame.attrs` without being copied at every step.

pandas deep-copies `attrs` on nearly every operation that makes a new frame or column (443,000 `deepcopy`
calls on the sample build, a third of its time). The data-quality report and the segment rules are written
once and then only read, so the frames that carry them share one object: `tx.attrs["quality"]` still works
as before, at the cost of one call instead of a walk through every list and dict.
"""

from __future__ import annotations

from typing import Any


class Shared:
    """Mixin: `copy.deepcopy` (hence pandas' `attrs` propagation) returns the object itself."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


class SharedDict(Shared, dict):
    """A dict that frames share through `attrs` instead of deep-copying it."""
