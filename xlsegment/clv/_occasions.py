"""Purchase occasions from canonical transactions, counted as the summary counts them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.clv._units import require_columns


def occasions(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase occasion: customer_id, day, amount (net), as summarize counts orders.

    Kept when the net amount is >= 0 and at least one line is a purchase (not returned, amount >= 0).

    An occasion is a distinct order id when the column exists (lines without one fall back to the day),
    else a customer-day: same-day lines merge, as in the BTYD literature.
    """
    require_columns(transactions, ["customer_id", "date", "amount"], "purchase occasions (transactions)")
    day = pd.to_datetime(transactions["date"]).dt.normalize()
    amount = pd.to_numeric(transactions["amount"], errors="coerce").fillna(0.0)
    if "returned" in transactions.columns:
        returned = transactions["returned"].astype("boolean").fillna(False).astype(bool)
    else:
        returned = amount < 0
    day_key = day.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if "order_id" in transactions.columns:
        oid = transactions["order_id"]
        has = oid.notna().to_numpy()
        order_key = np.where(has, oid.astype(str).to_numpy(dtype=object), "")
        day_key = np.where(has, 0, day_key)
    else:
        order_key = np.full(len(transactions), "", dtype=object)
    frame = pd.DataFrame(
        {
            "customer_id": transactions["customer_id"].astype(str).to_numpy(dtype=object),
            "order_key": order_key,
            "day_key": day_key,
            "day": day.to_numpy(),
            "amount": amount.to_numpy(),
            "purchase": (~returned & (amount >= 0)).to_numpy(),
        }
    )
    grouped = (
        frame.groupby(["customer_id", "order_key", "day_key"], sort=False)
        .agg(day=("day", "min"), amount=("amount", "sum"), purchase=("purchase", "any"))
        .reset_index()
    )
    keep = (grouped["amount"] >= 0) & grouped["purchase"]
    return grouped.loc[keep, ["customer_id", "day", "amount"]].reset_index(drop=True)
