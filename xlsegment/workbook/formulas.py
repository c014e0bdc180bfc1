"""The openpyxl renderer's check of generated formulas (the formula texts live in xlsegment.report.formulas)."""

from __future__ import annotations

import re

from openpyxl.utils import FORMULAE

from xlsegment.report.formulas import criterion  # noqa: F401  (re-exported for callers of the old module)

_FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


def check_functions(formula: str) -> str:
    """Raise ValueError when a formula uses a function that needs the _xlfn. prefix (not in FORMULAE)."""
    for name in _FUNCTION.findall(re.sub(r'"(?:[^"]|"")*"', '""', formula)):
        if name.startswith("_XLFN.") or name in FORMULAE:
            continue
        raise ValueError(f"formula {formula!r} uses {name}, which needs the _xlfn. prefix")
    return formula
