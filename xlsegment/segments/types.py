"""Customer types of seed 004: key, high potential, base, losing, with the rule written down.

Applied in this order (the first that holds wins):
  losing          unprofitable (margin rate < 0), dissatisfied (return rate >= losing_return_rate, or
                  service contacts per order >= losing_contacts_per_order), former buyer, or value score
                  <= losing_max_score
  key             ABC class A and value score >= key_min_score
  high_potential  occasional heavy buyer (buys rarely, spends a lot), or value score >= high_potential_min_score
  base            everyone else
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.segments.abc import ABC_CODES, abc_codes
from xlsegment.segments.behaviour import BEHAVIOUR_CODES, behaviour_codes
from xlsegment.segments.codes import categorical
from xlsegment.segments.config import (
    ABC_THRESHOLDS,
    FORMER_MONTHS,
    HEAVY_BY,
    HIGH_POTENTIAL_MIN_SCORE,
    KEY_MIN_SCORE,
    LOSING_CONTACTS_PER_ORDER,
    LOSING_MAX_SCORE,
    LOSING_RETURN_RATE,
    REGULAR_MIN_ORDERS_12M,
    numbers,
    require,
)
from xlsegment.segments.value import value_codes

TYPE_CODES = ("key", "high_potential", "base", "losing")
# why a customer has its type (explain() uses these keys, labels_segments.csv words them)
REASONS = (
    "unprofitable",
    "returns",
    "contacts",
    "former",
    "low_score",
    "key",
    "occasional_heavy",
    "high_score",
    "base",
)


def type_rule(
    key_min_score: float = KEY_MIN_SCORE,
    high_potential_min_score: float = HIGH_POTENTIAL_MIN_SCORE,
    losing_max_score: float = LOSING_MAX_SCORE,
    losing_return_rate: float = LOSING_RETURN_RATE,
    losing_contacts_per_order: float = LOSING_CONTACTS_PER_ORDER,
) -> str:
    """The rule in one readable paragraph (shown in the rules sheet)."""
    return (
        f"losing: margin rate < 0, or return rate >= {losing_return_rate:.0%}, or service contacts per order >= "
        f"{losing_contacts_per_order:g}, or former buyer, or value score <= {losing_max_score:g}; "
        f"key: ABC class A and value score >= {key_min_score:g}; "
        f"high_potential: occasional heavy buyer or value score >= {high_potential_min_score:g}; base: the others"
    )


def _optional(summary: pd.DataFrame, column: str) -> np.ndarray:
    return numbers(summary, column) if column in summary.columns else np.full(len(summary), np.nan)


def type_codes(
    summary: pd.DataFrame,
    abc: np.ndarray,
    behaviour: np.ndarray,
    score: np.ndarray,
    key_min_score: float = KEY_MIN_SCORE,
    high_potential_min_score: float = HIGH_POTENTIAL_MIN_SCORE,
    losing_max_score: float = LOSING_MAX_SCORE,
    losing_return_rate: float = LOSING_RETURN_RATE,
    losing_contacts_per_order: float = LOSING_CONTACTS_PER_ORDER,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Index into TYPE_CODES and into REASONS per customer, from ABC, behaviour and value-score indices."""
    n = len(summary)
    margin = _optional(summary, "margin_rate")
    returns = _optional(summary, "return_rate")
    contacts = _optional(summary, "service_contacts")
    orders = numbers(summary, "orders") if "orders" in summary.columns else np.ones(n)
    per_order = contacts / np.maximum(orders, 1.0)
    conditions = [
        margin < 0,
        returns >= losing_return_rate,
        per_order >= losing_contacts_per_order,
        behaviour == BEHAVIOUR_CODES.index("former"),
        score <= losing_max_score,
        (abc == ABC_CODES.index("A")) & (score >= key_min_score),
        behaviour == BEHAVIOUR_CODES.index("occasional_heavy"),
        score >= high_potential_min_score,
    ]
    reason = np.select(conditions, list(range(len(conditions))), default=len(conditions)).astype(np.int8)
    to_type = np.array([3, 3, 3, 3, 3, 0, 1, 1, 2], dtype=np.int8)
    info = {
        "key_min_score": float(key_min_score),
        "high_potential_min_score": float(high_potential_min_score),
        "losing_max_score": float(losing_max_score),
        "losing_return_rate": float(losing_return_rate),
        "losing_contacts_per_order": float(losing_contacts_per_order),
        "rule": type_rule(
            key_min_score,
            high_potential_min_score,
            losing_max_score,
            losing_return_rate,
            losing_contacts_per_order,
        ),
    }
    return to_type[reason], reason, info


def customer_types(
    summary: pd.DataFrame,
    key_min_score: float = KEY_MIN_SCORE,
    high_potential_min_score: float = HIGH_POTENTIAL_MIN_SCORE,
    losing_max_score: float = LOSING_MAX_SCORE,
    losing_return_rate: float = LOSING_RETURN_RATE,
    losing_contacts_per_order: float = LOSING_CONTACTS_PER_ORDER,
    abc_thresholds: tuple[float, float] = ABC_THRESHOLDS,
    former_months: float = FORMER_MONTHS,
    heavy_by: str = HEAVY_BY,
    regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M,
    value_weights: Mapping[str, float] | None = None,
) -> pd.Series:
    """key / high_potential / base / losing per customer (seed 004); the rule is in `attrs["customer_type"]`.

    Uses the `abc`, `behaviour` and `value_score` columns when the frame has them (a segmented frame),
    else computes them from the summary with the given parameters.
    """
    require(summary, [], "customer_types")
    abc = _codes_of(summary, "abc", ABC_CODES)
    if abc is None:
        require(summary, ["revenue"], "customer_types")
        abc, _ = abc_codes(numbers(summary, "revenue"), abc_thresholds)
    behaviour = _codes_of(summary, "behaviour", BEHAVIOUR_CODES)
    if behaviour is None:
        behaviour, _ = behaviour_codes(summary, former_months, heavy_by, regular_min_orders_12m)
    if "value_score" in summary.columns:
        score = numbers(summary, "value_score")
    else:
        score, _ = value_codes(summary, value_weights)
    codes, _, info = type_codes(
        summary,
        abc,
        behaviour,
        score,
        key_min_score,
        high_potential_min_score,
        losing_max_score,
        losing_return_rate,
        losing_contacts_per_order,
    )
    out = pd.Series(categorical(codes, TYPE_CODES), index=summary.index, name="customer_type")
    out.attrs["customer_type"] = info
    return out


def _codes_of(frame: pd.DataFrame, column: str, names: tuple[str, ...]) -> Any:
    if column not in frame.columns:
        return None
    lookup = {name: i for i, name in enumerate(names)}
    return frame[column].astype("object").map(lookup).fillna(-1).to_numpy(dtype=np.int64)
