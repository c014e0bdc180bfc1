"""Consistency rules between the classifications and the lapse flags, written down once.

RFM scores are relative (quantiles): on a ledger where most customers lapsed long ago, a customer silent
for a year can still score R3 and read "Need attention" and "Good customer" next to "Former buyer". The
rules below keep what a shop owner reads from contradicting itself; `segment()` enforces the first one (the
others follow from it and from shared thresholds), and `check_consistency` lists any customer breaking one.

1. former_recency_score: no purchase for more than `former_months` -> R score at most FORMER_MAX_R_SCORE;
2. former_lifecycle: such a customer is never a new, good or very good customer (lifecycle);
3. former_rfm_segment: nor in a recent RFM segment (champions ... about to sleep);
4. lost_not_very_good: an RFM "lost" customer is never a "very good" customer (lifecycle);
5. former_behaviour: behaviour "former" exactly when there is no purchase for more than `former_months`,
   and a former buyer is a "losing" customer type;
6. lapse_flags: lapsed_6m / lapsed_12m exactly when recency exceeds their months (beyond the grace days),
   lapsed_12m implies lapsed_6m, and lapsed_12m agrees with behaviour "former" when the months are equal;
7. headline_segment: every customer has exactly one headline segment (the `segment_by` classification).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.segments.config import DAYS_PER_MONTH
from xlsegment.segments.rfm import recency_days as recency_in_days

FORMER_MAX_R_SCORE = 2
RECENT_RFM_SEGMENTS = (
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
)  # fmt: skip
RECENT_LIFECYCLES = ("new", "good", "very_good")
RULES = (
    "former_recency_score",
    "former_lifecycle",
    "former_rfm_segment",
    "lost_not_very_good",
    "former_behaviour",
    "lapse_flags",
    "headline_segment",
)


def cap_recency_score(r: np.ndarray, recency_days: np.ndarray, former_months: float) -> np.ndarray:
    """R scores with customers silent for more than `former_months` capped at FORMER_MAX_R_SCORE."""
    former = recency_days > float(former_months) * DAYS_PER_MONTH
    return np.where(former & (r > FORMER_MAX_R_SCORE), FORMER_MAX_R_SCORE, r).astype(r.dtype)


def check_consistency(
    customers: pd.DataFrame,
    former_months: float = 12,
    lapse_months: tuple[float, float] = (6, 12),
    grace_days: float = 30,
    segment_by: str = "rfm_segment",
) -> pd.DataFrame:
    """Every (rule, customer_id) pair breaking a rule of the module docstring; empty when all hold.

    `customers` is the output of `segment()` (joined with `lapse_flags` for rule 6; rules whose columns are
    absent are skipped).
    """
    recency_days = recency_in_days(customers)
    former = recency_days > float(former_months) * DAYS_PER_MONTH
    broken: dict[str, np.ndarray] = {}

    def codes(column: str) -> np.ndarray | None:
        return customers[column].astype(object).to_numpy() if column in customers.columns else None

    if "r_score" in customers.columns:
        r = pd.to_numeric(customers["r_score"]).to_numpy(float)
        broken["former_recency_score"] = former & (r > FORMER_MAX_R_SCORE)
    lifecycle, rfm, behaviour, ctype = (
        codes(c) for c in ("lifecycle", "rfm_segment", "behaviour", "customer_type")
    )
    if lifecycle is not None:
        broken["former_lifecycle"] = former & np.isin(lifecycle, RECENT_LIFECYCLES)
    if rfm is not None:
        broken["former_rfm_segment"] = former & np.isin(rfm, RECENT_RFM_SEGMENTS)
    if rfm is not None and lifecycle is not None:
        broken["lost_not_very_good"] = (rfm == "lost") & (lifecycle == "very_good")
    if behaviour is not None:
        bad = (behaviour == "former") != former
        if ctype is not None:
            bad |= (behaviour == "former") & (ctype != "losing")
        broken["former_behaviour"] = bad
    if {"lapsed_6m", "lapsed_12m"} <= set(customers.columns):
        settled = recency_days > grace_days
        six = customers["lapsed_6m"].to_numpy(bool)
        twelve = customers["lapsed_12m"].to_numpy(bool)
        bad = six != (settled & (recency_days > lapse_months[0] * DAYS_PER_MONTH))
        bad |= twelve != (settled & (recency_days > lapse_months[1] * DAYS_PER_MONTH))
        bad |= twelve & ~six
        if behaviour is not None and lapse_months[1] == former_months:
            bad |= twelve != (behaviour == "former")
        broken["lapse_flags"] = bad
    if segment_by in customers.columns:
        broken["headline_segment"] = customers[segment_by].isna().to_numpy()
    rows = [(rule, cid) for rule, mask in broken.items() for cid in customers.index[mask]]
    return pd.DataFrame(rows, columns=["rule", "customer_id"])
