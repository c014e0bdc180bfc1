"""Value and quality score 0-100 from the profitability signals the ledger holds (seeds 002, 003).

Signals, each brought to 0..1 (1 = best):
  margin        margin_rate, as a percentile among customers (high margin products)
  full_price    1 - discount_share (pays full price, no discount)
  frequency     orders in the last 12 months (else all orders), as a percentile (comes back often)
  no_returns    1 - return_rate (no cancellations or returns)
  pays_on_time  1 / (1 + days late / 30) from payment_delay
  few_contacts  1 / (1 + service contacts per order)
The score is the weighted mean of the signals present, times 100; absent signals are left out and listed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError
from xlsegment.segments.codes import unique_counts
from xlsegment.segments.config import VALUE_WEIGHTS, numbers, require

SIGNAL_COLUMNS = {
    "margin": "margin_rate",
    "full_price": "discount_share",
    "frequency": "orders_12m",
    "no_returns": "return_rate",
    "pays_on_time": "payment_delay",
    "few_contacts": "service_contacts",
}


def percentile(values: np.ndarray) -> np.ndarray:
    """Mid-rank percentile in 0..1 (ties share one value; NaN stays NaN)."""
    out = np.full(len(values), np.nan)
    ok = np.isfinite(values)
    n = int(ok.sum())
    if n == 0:
        return out
    if n == 1:
        out[ok] = 0.5
        return out
    uniq, inverse, counts = unique_counts(values[ok])
    before = np.cumsum(counts) - counts
    mid = (before + (counts - 1) / 2) / (n - 1)
    out[ok] = mid[inverse]
    return out


def _signal(summary: pd.DataFrame, name: str) -> np.ndarray | None:
    column = SIGNAL_COLUMNS[name]
    if name == "frequency" and column not in summary.columns:
        column = "orders"
    if column not in summary.columns:
        return None
    values = numbers(summary, column)
    if not np.isfinite(values).any():
        return None
    if name in ("margin", "frequency"):
        return percentile(values)
    if name in ("full_price", "no_returns"):
        return 1.0 - np.clip(values, 0.0, 1.0)
    if name == "pays_on_time":
        return 1.0 / (1.0 + np.clip(values, 0.0, None) / 30.0)
    orders = numbers(summary, "orders") if "orders" in summary.columns else np.ones(len(values))
    return 1.0 / (1.0 + np.clip(values, 0.0, None) / np.maximum(orders, 1.0))


def value_codes(summary: pd.DataFrame, weights: Mapping[str, float] | None = None) -> tuple[np.ndarray, dict]:
    """Score per customer (float, 0-100) and which signals were used or absent, with their weights."""
    if not isinstance(summary, pd.DataFrame):
        require(summary, [], "value_score")
    weights = dict(VALUE_WEIGHTS if weights is None else weights)
    unknown = set(weights) - set(SIGNAL_COLUMNS)
    if unknown:
        raise ConfigError(
            f"value_weights has unknown signals {sorted(unknown)}; the signals are {', '.join(SIGNAL_COLUMNS)}"
        )
    bad = {
        k: w for k, w in weights.items() if not (isinstance(w, (int, float)) and np.isfinite(w) and w >= 0)
    }
    if bad:
        raise ConfigError(f"value_weights must be numbers >= 0; not {bad}")
    n = len(summary)
    total = np.zeros(n)
    weight_sum = np.zeros(n)
    used, absent = [], []
    for name in SIGNAL_COLUMNS:
        w = float(weights.get(name, 0.0))
        if w == 0:
            continue
        signal = _signal(summary, name)
        if signal is None:
            absent.append(name)
            continue
        used.append(name)
        ok = np.isfinite(signal)
        total += np.where(ok, signal * w, 0.0)
        weight_sum += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weight_sum > 0, 100.0 * total / weight_sum, 50.0)
    info = {
        "weights": {k: float(weights.get(k, 0.0)) for k in SIGNAL_COLUMNS},
        "signals": used,
        "absent": absent,
        "columns": {k: SIGNAL_COLUMNS[k] for k in used},
    }
    return np.round(score, 1), info


def value_score(summary: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Value and quality score 0-100 per customer; `attrs["value_score"]` lists used and absent signals."""
    score, info = value_codes(summary, weights)
    out = pd.Series(score, index=summary.index, name="value_score")
    out.attrs["value_score"] = info
    return out
