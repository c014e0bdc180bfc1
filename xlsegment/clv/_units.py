"""Time units of the customer summary and of CLV horizons, in days (a month is 30.4375 days)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from xlsegment.summary import DAYS_PER_UNIT

# the summary's units (D, W, M = 30.4375 days) plus the year that CLV horizons may use
UNIT_DAYS: dict[str, float] = {**DAYS_PER_UNIT, "Y": 365.25}
UNIT_NAMES: dict[str, str] = {"D": "days", "W": "weeks", "M": "months", "Y": "years"}


class ModelWarning(UserWarning):
    """The data cannot support a model result well (few repeat buyers, no convergence, short history)."""


def check_unit(unit: str, allowed: str = "DWMY") -> str:
    """Return the unit code upper-cased ('D', 'W', 'M' or 'Y'), or raise ValueError naming the choices."""
    code = str(unit or "").strip().upper()[:1]
    if not code or code not in allowed:
        raise ValueError(
            f"time unit {unit!r} is not supported; use one of {', '.join(allowed)} (days, weeks, months, years)"
        )
    return code


def convert(value: float | np.ndarray, from_unit: str, to_unit: str) -> float | np.ndarray:
    """A duration expressed in `from_unit`, expressed in `to_unit`."""
    return value * UNIT_DAYS[check_unit(from_unit)] / UNIT_DAYS[check_unit(to_unit)]


def summary_unit(summary: pd.DataFrame) -> str:
    """The summary's time unit from attrs['time_unit'] (days when absent)."""
    return check_unit(summary.attrs.get("time_unit", "D"), "DWM")


def require_columns(summary: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise ValueError naming the columns `what` needs that the summary lacks."""
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(
            f"{what} needs the customer summary as a pandas DataFrame, got {type(summary).__name__}"
        )
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise ValueError(
            f"{what} needs the customer summary columns {', '.join(missing)} "
            f"(build it with xlsegment.summarize); columns present: {', '.join(map(str, summary.columns))}"
        )


def numeric_column(summary: pd.DataFrame, column: str, what: str, *, nonnegative: bool = True) -> np.ndarray:
    """A summary column as float64, with a clear error naming the first bad customer."""
    values = pd.to_numeric(summary[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if nonnegative:
        bad |= values < 0
    if bad.any():
        first = summary.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{what}: column {column!r} has {int(bad.sum())} missing, infinite"
            f"{' or negative' if nonnegative else ''} value(s), first for customer {first!r}"
        )
    return values


def warn(message: str) -> None:
    """Emit a ModelWarning pointing at the caller of the public function."""
    warnings.warn(message, ModelWarning, stacklevel=3)


def as_output(value: np.ndarray) -> float | np.ndarray:
    """A 0-d result as a plain float (scalar in, scalar out), else the array."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
