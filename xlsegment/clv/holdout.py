"""A calibration / holdout split of a ledger, and what customers actually did in the holdout.

Shared by the backtest (a report for the user) and the automatic model choice (which model predicted the
holdout best). Purchases are counted as the models count them: distinct purchase days per customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.summary import purchase_occasions, summarize

# the automatic split: the last third of the history (at most a year) is the holdout, if it spans enough
MIN_HISTORY_DAYS = 270
HOLDOUT_SHARE = 1 / 3
MAX_HOLDOUT_DAYS = 365


def automatic_split(transactions: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.Timestamp, int] | None:
    """(split date, holdout days) for a history ending at `as_of`, or None when it is shorter than
    MIN_HISTORY_DAYS."""
    days = history_days(transactions, as_of)
    if days < MIN_HISTORY_DAYS:
        return None
    holdout = int(min(round(days * HOLDOUT_SHARE), MAX_HOLDOUT_DAYS))
    return as_of.normalize() - pd.Timedelta(days=holdout), holdout


def history_days(transactions: pd.DataFrame, as_of: pd.Timestamp) -> int:
    """Days from the ledger's first date to `as_of`."""
    first = pd.to_datetime(transactions["date"]).min().normalize()
    return int((as_of.normalize() - first).days)


def calibration_summary(transactions: pd.DataFrame, split: pd.Timestamp, time_unit: str) -> pd.DataFrame:
    """The customer summary as it stood on `split` (only lines up to that day)."""
    days = pd.to_datetime(transactions["date"]).dt.normalize()
    return summarize(transactions.loc[(days <= split).to_numpy()], as_of=split, time_unit=time_unit)


def holdout_actuals(
    transactions: pd.DataFrame, ids: pd.Index, split: pd.Timestamp, end: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    """Per customer of `ids`: distinct purchase days and net revenue in (split, end]."""
    days = pd.to_datetime(transactions["date"]).dt.normalize()
    holdout = transactions.loc[((days > split) & (days <= end)).to_numpy()]
    keys = ids.astype(str)
    occ = purchase_occasions(holdout)
    per_day = occ.drop_duplicates(["customer_id", "day"])
    actual_n = per_day.groupby("customer_id").size().reindex(keys).fillna(0).to_numpy(dtype=float)
    amount = pd.to_numeric(holdout["amount"], errors="coerce")
    revenue = amount.groupby(holdout["customer_id"].astype(str)).sum()
    return actual_n, revenue.reindex(keys).fillna(0.0).to_numpy(dtype=float)
