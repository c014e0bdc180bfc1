"""Offers that must not be made: no discount on a product family the customer just bought at full price.

Seed 002's example: never propose a discount on an appliance the customer has just bought at full price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from xlsegment.actions._text import as_text, date_text, fill, fill_array, lookup
from xlsegment.actions.playbook import OFFERS
from xlsegment.labels import label

if TYPE_CHECKING:
    from xlsegment.actions.cadence import SegmentRows


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


@dataclass
class Offers:
    """The offer per customer, and the discounts withheld with their reason."""

    offer: np.ndarray
    suppressed_offer: np.ndarray
    suppressed_reason: np.ndarray


def plan_offers(
    frame: pd.DataFrame,
    rows: SegmentRows,
    transactions: pd.DataFrame | None,
    as_of: pd.Timestamp,
    full_price_days: int,
    lang: str,
    report: list[str],
) -> Offers:
    """The playbook offer of each customer's segment; a discount on a product family the customer bought at
    full price in the last `full_price_days` days is withheld (needs `transactions` with category and
    discount)."""
    index = frame.index
    n = len(index)
    offer_code = rows.take("offer", "none")
    wants_discount = offer_code == "discount"
    category = np.full(n, None, dtype=object)
    if "main_category" in frame.columns:
        category = frame["main_category"].to_numpy(dtype=object)
    problem = check_transactions(transactions) if wants_discount.any() else None
    tx = None
    if transactions is not None and {"category", "customer_id"} <= set(transactions.columns):
        tx = transactions.copy(deep=False)
        tx["customer_id"] = tx["customer_id"].astype(str)
        if pd.isna(category).all() and "amount" in tx.columns:
            category = main_categories(tx).reindex(index).to_numpy(dtype=object)
    category_txt = as_text(category, n)
    offer_names = {o: label(f"actions.offer.{o}", lang) for o in OFFERS if o != "none"}
    offer_text = lookup(offer_code, offer_names, "")
    on_family = wants_discount & (category_txt != "")
    if on_family.any():
        offer_text = np.where(
            on_family, fill_array("actions.offer.discount_on", lang, n, category=category_txt), offer_text
        )
    suppressed = np.zeros(n, dtype=bool)
    suppressed_reason = np.full(n, "", dtype=object)
    if wants_discount.any():
        if problem:
            report.append(problem)
        elif tx is not None and on_family.any():
            offered = pd.Series(category[on_family], index=index[on_family], dtype=object)
            check = full_price_suppression(offered, tx, as_of, full_price_days, lang)
            suppressed[on_family] = check["suppressed"].to_numpy(dtype=bool)
            suppressed_reason[on_family] = check["reason"].to_numpy(dtype=object)
            if suppressed.any():
                report.append(
                    f"{int(suppressed.sum())} discount offer(s) withheld: the customer bought that product "
                    f"family at full price in the last {full_price_days} days"
                )
    return Offers(
        offer=np.where(suppressed, "", offer_text).astype(object),
        suppressed_offer=np.where(suppressed, offer_text, "").astype(object),
        suppressed_reason=suppressed_reason,
    )
