"""Buyer status A/B/C of seed 000 and the five behaviour classes of seed 001.

buyer_status: first_time = one order; regular = at least `regular_min_orders_12m` orders in the last
12 months; occasional = everyone else.
behaviour: former = no purchase for `former_months`; otherwise regular/occasional as above (a first-time
buyer is occasional), heavy when basket (or revenue) is strictly above the median of all customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError
from xlsegment.segments.codes import categorical
from xlsegment.segments.config import (
    DAYS_PER_MONTH,
    FORMER_MONTHS,
    HEAVY_BY,
    REGULAR_MIN_ORDERS_12M,
    days_per_unit,
    numbers,
    require,
)

BUYER_CODES = ("regular", "occasional", "first_time")
BEHAVIOUR_CODES = ("regular_heavy", "regular_light", "occasional_heavy", "occasional_light", "former")


def buyer_codes(
    summary: pd.DataFrame, regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M
) -> tuple[np.ndarray, dict]:
    """Index into BUYER_CODES per customer, and the rule applied."""
    require(summary, ["orders", "orders_12m"], "buyer_status")
    if regular_min_orders_12m < 1:
        raise ConfigError(f"regular_min_orders_12m must be at least 1, not {regular_min_orders_12m!r}")
    orders = numbers(summary, "orders")
    recent = numbers(summary, "orders_12m")
    codes = np.where(orders <= 1, 2, np.where(recent >= regular_min_orders_12m, 0, 1)).astype(np.int8)
    info = {
        "regular_min_orders_12m": int(regular_min_orders_12m),
        "rule": f"first_time: 1 order; regular: at least {regular_min_orders_12m} orders in the last 12 months; "
        "occasional: the others",
    }
    return codes, info


def buyer_status(summary: pd.DataFrame, regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M) -> pd.Series:
    """regular / occasional / first_time per customer (seed 000's categories A, B, C)."""
    codes, info = buyer_codes(summary, regular_min_orders_12m)
    out = pd.Series(categorical(codes, BUYER_CODES), index=summary.index, name="buyer_status")
    out.attrs["buyer_status"] = info
    return out


def behaviour_codes(
    summary: pd.DataFrame,
    former_months: float = FORMER_MONTHS,
    heavy_by: str = HEAVY_BY,
    regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M,
) -> tuple[np.ndarray, dict]:
    """Index into BEHAVIOUR_CODES per customer, and the rule applied (with the median used)."""
    if heavy_by not in ("basket", "revenue"):
        raise ConfigError(f"heavy_by must be 'basket' or 'revenue', not {heavy_by!r}")
    if not former_months > 0:
        raise ConfigError(f"former_months must be positive, not {former_months!r}")
    require(summary, ["recency", heavy_by], "behaviour_classes")
    status, _ = buyer_codes(summary, regular_min_orders_12m)
    former_days = float(former_months) * DAYS_PER_MONTH
    recency_days = numbers(summary, "recency") * days_per_unit(summary)
    amount = numbers(summary, heavy_by)
    median = float(np.median(amount)) if len(amount) else 0.0
    heavy = amount > median
    regular = status == 0
    codes = np.where(regular, np.where(heavy, 0, 1), np.where(heavy, 2, 3)).astype(np.int8)
    codes[recency_days > former_days] = 4
    info = {
        "former_months": float(former_months),
        "former_days": former_days,
        "heavy_by": heavy_by,
        "median": median,
        "regular_min_orders_12m": int(regular_min_orders_12m),
        "rule": f"former: no purchase for more than {former_months:g} months ({former_days:.0f} days); "
        f"regular: at least {regular_min_orders_12m} orders in the last 12 months; "
        f"heavy: {heavy_by} above the median {median:,.2f}",
    }
    return codes, info


def behaviour_classes(
    summary: pd.DataFrame,
    former_months: float = FORMER_MONTHS,
    heavy_by: str = HEAVY_BY,
    regular_min_orders_12m: int = REGULAR_MIN_ORDERS_12M,
) -> pd.Series:
    """regular_heavy, regular_light, occasional_heavy, occasional_light or former per customer (seed 001)."""
    codes, info = behaviour_codes(summary, former_months, heavy_by, regular_min_orders_12m)
    out = pd.Series(categorical(codes, BEHAVIOUR_CODES), index=summary.index, name="behaviour")
    out.attrs["behaviour"] = info
    return out
