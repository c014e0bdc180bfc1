"""SegmentConfig: every parameter of the segmentation, with the defaults the functions share.

One set of defaults serves the Python API, the cell formulas and a settings file
(`SegmentConfig(**settings.segments)`); the rules actually applied are written to the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError, LedgerError
from xlsegment.summary import DAYS_PER_UNIT

# Days per summary time unit: the summary's own table (D = days, W = days / 7, M = days / 30.4375).
DAYS_PER_MONTH = DAYS_PER_UNIT["M"]

# Defaults shared by the one-classification functions and SegmentConfig.
ABC_THRESHOLDS = (0.80, 0.95)
PARETO_SHARES = (0.20, 0.60)
REGULAR_MIN_ORDERS_12M = 3
FORMER_MONTHS = 12.0
RFM_BINS = 5
RFM_METHOD = "quantile"
RFM_METHODS = ("quantile", "fixed", "r_rfm")
HEAVY_BY = "basket"
VALUE_WEIGHTS: dict[str, float] = {
    "margin": 0.25,
    "full_price": 0.15,
    "frequency": 0.25,
    "no_returns": 0.15,
    "pays_on_time": 0.10,
    "few_contacts": 0.10,
}
KEY_MIN_SCORE = 50.0
HIGH_POTENTIAL_MIN_SCORE = 85.0
LOSING_MAX_SCORE = 20.0
LOSING_RETURN_RATE = 0.25
LOSING_CONTACTS_PER_ORDER = 1.0


class SegmentWarning(UserWarning):
    """Something in the data makes a classification less informative (few distinct values, ties)."""


@dataclass
class SegmentConfig:
    """Parameters of `segment()`; each field is a keyword of the matching one-classification function.

    abc_thresholds: cumulative revenue shares closing classes A and B (A up to 80 %, B up to 95 %).
    pareto_shares: cumulative customer shares closing top20 and next40.
    regular_min_orders_12m: a "regular" buyer has at least this many orders in the last 12 months;
        a first-time buyer has one order; everyone else is "occasional".
    rfm_bins: number of scores per RFM dimension (3, 4, 5, ...).
    rfm_method: "quantile" (equal-sized groups, a value is never split across two scores), "fixed"
        (upper bounds given in `rfm_breaks`) or "r_rfm" (the R package rfm 0.2.x convention).
    rfm_breaks: for "fixed": {"recency": [...], "frequency": [...], "monetary": [...]}, ascending upper
        bounds (inclusive) of scores; recency in days, frequency in orders, monetary in revenue.
    rfm_columns: summary columns used as recency, frequency and monetary.
    rfm_table / lifecycle_table: the named-segment rule tables: a bundled name ("rfm", "lifecycle",
        "r_rfm_example"), a CSV or Excel path, or a DataFrame.
    former_months: no purchase for this many months makes a "former" buyer (6 or 12).
    heavy_by: "basket" or "revenue"; heavy = strictly above the median of all customers.
    value_weights: weights of the value-score signals (absent signals are left out).
    customer types (seed 004), in this order:
        losing = unprofitable (margin rate < 0), dissatisfied (return rate >= losing_return_rate or
                 service contacts per order >= losing_contacts_per_order), former buyer, or value
                 score <= losing_max_score;
        key = ABC class A and value score >= key_min_score;
        high_potential = occasional heavy buyer, or value score >= high_potential_min_score;
        base = everyone else.
    classifications: compute only these (with what they depend on), e.g. ["rfm", "rfm_segment"];
        None computes every one: abc, pareto, buyer_status, rfm, rfm_segment, lifecycle, frat,
        behaviour, value_score, customer_type.
    """

    abc_thresholds: tuple[float, float] = ABC_THRESHOLDS
    abc_by: str = "revenue"
    pareto_shares: tuple[float, float] = PARETO_SHARES
    regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M
    rfm_bins: int = RFM_BINS
    rfm_method: str = RFM_METHOD
    rfm_breaks: dict[str, list[float]] | None = None
    rfm_columns: tuple[str, str, str] = ("recency", "orders", "revenue")
    rfm_table: Any = "rfm"
    lifecycle_table: Any = "lifecycle"
    former_months: float = FORMER_MONTHS
    heavy_by: str = HEAVY_BY
    value_weights: dict[str, float] = field(default_factory=lambda: dict(VALUE_WEIGHTS))
    key_min_score: float = KEY_MIN_SCORE
    high_potential_min_score: float = HIGH_POTENTIAL_MIN_SCORE
    losing_max_score: float = LOSING_MAX_SCORE
    losing_return_rate: float = LOSING_RETURN_RATE
    losing_contacts_per_order: float = LOSING_CONTACTS_PER_ORDER
    classifications: list[str] | None = None

    def __post_init__(self) -> None:
        self.abc_thresholds = _pair(self.abc_thresholds, "abc_thresholds")
        self.pareto_shares = _pair(self.pareto_shares, "pareto_shares")
        if self.rfm_method not in RFM_METHODS:
            raise ConfigError(
                f"rfm_method {self.rfm_method!r} is not known; use one of {', '.join(RFM_METHODS)}"
            )
        if self.rfm_method == "fixed" and not self.rfm_breaks:
            raise ConfigError(
                "rfm_method 'fixed' needs rfm_breaks: {'recency': [...], 'frequency': [...], 'monetary': [...]}"
            )
        if self.rfm_method != "fixed" and (
            int(self.rfm_bins) != self.rfm_bins or not 2 <= self.rfm_bins <= 9
        ):
            raise ConfigError(f"rfm_bins must be a whole number from 2 to 9, not {self.rfm_bins!r}")
        if self.heavy_by not in ("basket", "revenue"):
            raise ConfigError(f"heavy_by must be 'basket' or 'revenue', not {self.heavy_by!r}")
        if not self.former_months > 0:
            raise ConfigError(f"former_months must be positive, not {self.former_months!r}")
        if self.regular_min_orders_12m < 1:
            raise ConfigError(
                f"regular_min_orders_12m must be at least 1, not {self.regular_min_orders_12m!r}"
            )
        self.rfm_columns = tuple(self.rfm_columns)  # type: ignore[assignment]
        if self.classifications is not None:
            from xlsegment.segments.engine import wanted_classifications

            wanted_classifications(self.classifications)
        unknown = set(self.value_weights) - set(VALUE_WEIGHTS)
        if unknown:
            raise ConfigError(
                f"value_weights has unknown signals {sorted(unknown)}; the signals are {', '.join(VALUE_WEIGHTS)}"
            )

    @classmethod
    def from_options(
        cls, config: SegmentConfig | Mapping[str, Any] | None = None, **options: Any
    ) -> SegmentConfig:
        """A config from an existing one, a plain dict (a settings file) and keyword overrides."""
        if isinstance(config, SegmentConfig):
            base = dataclasses.asdict(config)
        elif config is None:
            base = {}
        elif isinstance(config, Mapping):
            base = dict(config)
        else:
            raise ConfigError(f"config must be a SegmentConfig or a dict, not {type(config).__name__}")
        base.update({k: v for k, v in options.items() if v is not None})
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(base) - names)
        if unknown:
            raise ConfigError(f"unknown segment settings {unknown}; known: {', '.join(sorted(names))}")
        return cls(**base)


def _pair(value: Iterable[float], name: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be two shares like (0.8, 0.95), not {value!r}") from None
    if not 0 < low < high <= 1:
        raise ConfigError(f"{name} must be two increasing shares between 0 and 1, not {value!r}")
    return (low, high)


def days_per_unit(summary: pd.DataFrame) -> float:
    """Days in one unit of the summary's durations (attrs time_unit, days when absent)."""
    unit = str(summary.attrs.get("time_unit", "D") or "D").upper()
    return DAYS_PER_UNIT.get(unit, 1.0)


def require(summary: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a LedgerError naming the missing columns, or the customers with missing values."""
    if not isinstance(summary, pd.DataFrame):
        raise LedgerError(f"{what} needs the customer summary as a DataFrame, not {type(summary).__name__}")
    cols = list(columns)
    missing = [c for c in cols if c not in summary.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise LedgerError(
            f"{what} needs the summary {noun} {', '.join(repr(c) for c in missing)}",
            hint="build the summary with xlsegment.summarize(); present: "
            + ", ".join(map(str, summary.columns)),
        )
    for col in cols:
        values = summary[col]
        if not pd.api.types.is_numeric_dtype(values):
            values = pd.to_numeric(values, errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))
        if bad.any():
            ids = [str(i) for i in summary.index[bad]]
            shown = ", ".join(ids[:5]) + (f" (and {len(ids) - 5} more)" if len(ids) > 5 else "")
            raise LedgerError(
                f"{what} needs a number for every customer; missing for customer {shown}", column=col
            )


def numbers(summary: pd.DataFrame, column: str) -> np.ndarray:
    """A summary column as a float64 array (missing as NaN)."""
    return pd.to_numeric(summary[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
