"""Offers that must not be made: no discount on a product family the customer just bought at full price.

Seed 002's example: never propose a discount on an appliance the customer has just bought at full price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.actions._text import date_text, fill


def _discounted(tx: pd.DataFrame) -> pd.Series | None:
    """Which lines were bought at a discount; None when the ledger cannot tell."""
    if "discounted" in tx.columns:
        return tx["discounted"].fillna(False).astype(bool)
    if "discount" in tx.columns:
        return pd.to_numeric(tx["discount"], errors="coerce").fillna(0) > 0
    return None


def main_categories(transactions: pd.DataFrame) -> pd.Series:
    """Each customer's category with the most net revenue (ties: alphabetical), indexed by customer_id."""
    tx = transactions[transactions["category"].notna() & (transactions["category"].astype(str) != "")]
    sums = tx.groupby(["customer_id", "category"], sort=True, observed=True)["amount"].sum().reset_index()
    sums = sums.sort_values(
        ["customer_id", "amount", "category"], ascending=[True, False, True], kind="mergesort"
    )
    first = sums.drop_duplicates("customer_id")
    return first.set_index("customer_id")["category"].astype(object)


def _keys(customers: object, categories: object) -> np.ndarray:
    """One text key per (customer, category) pair, as an object array."""
    left = np.asarray(pd.Index(customers).astype(str).to_numpy(dtype=object), dtype=object)
    right = np.asarray(pd.Series(np.asarray(categories, dtype=object)).astype(str).to_numpy(dtype=object))
    return left + "\x1f" + right


def check_transactions(transactions: pd.DataFrame | None) -> str | None:
    """Why offers cannot be checked against recent purchases, or None when they can."""
    if transactions is None:
        return "no transactions given: offers are not checked against recent full-price purchases"
    lacking = [c for c in ("customer_id", "date", "amount", "category") if c not in transactions.columns]
    if _discounted(transactions) is None:
        lacking.append("discount or discounted")
    if lacking:
        return (
            "offers are not checked against recent full-price purchases: the transactions have no "
            + ", ".join(lacking)
            + " column"
        )
    return None


def full_price_suppression(
    offered_category: pd.Series,
    transactions: pd.DataFrame,
    as_of: pd.Timestamp,
    days: int,
    lang: str,
) -> pd.DataFrame:
    """For customers offered a discount on `offered_category`, whether to withhold it and why.

    A discount is withheld when the customer bought that category at full price (not discounted, positive
    amount, not returned) in the `days` days up to `as_of`. Returns columns `suppressed` (bool) and
    `reason` (text naming the category and the purchase date), indexed like `offered_category`.
    """
    index = offered_category.index
    out = pd.DataFrame({"suppressed": False, "reason": ""}, index=index)
    if offered_category.empty:
        return out
    tx = transactions
    end = as_of.normalize() + pd.Timedelta(days=1)
    start = end - pd.Timedelta(days=days + 1)
    dates = tx["date"]
    mask = (dates >= start) & (dates < end) & (tx["amount"] > 0) & ~_discounted(tx)
    if "returned" in tx.columns:
        mask &= ~tx["returned"].fillna(False).astype(bool)
    recent = tx.loc[mask, ["customer_id", "category", "date"]]
    if recent.empty:
        return out
    last = recent.groupby(["customer_id", "category"], observed=True, sort=False)["date"].max()
    # join on one text key "customer<US>category" (a unit separator cannot occur in either)
    have = _keys(last.index.get_level_values(0), last.index.get_level_values(1))
    want = _keys(index, offered_category)
    at = pd.Index(have).get_indexer(want)
    dates = last.to_numpy(dtype="datetime64[ns]")
    bought = pd.Series(np.where(at >= 0, dates[np.maximum(at, 0)], np.datetime64("NaT", "ns")), index=index)
    hit = bought.notna()
    out["suppressed"] = hit.to_numpy()
    reason = fill(
        "actions.suppressed",
        lang,
        index,
        category=offered_category,
        date=date_text(pd.to_datetime(bought), lang),
        days=days,
    )
    out["reason"] = reason.where(hit, "")
    return out
