"""ABC classes (revenue Pareto 80/95 %) and the top 20 % / next 40 % / rest 40 % split (seeds 000, 001).

Customers are ranked by revenue; tied customers always share the class of the first of them, so the
result never depends on row order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlsegment.segments.codes import categorical
from xlsegment.segments.config import ABC_THRESHOLDS, PARETO_SHARES, _pair, numbers, require

ABC_CODES = ("A", "B", "C")
PARETO_CODES = ("top20", "next40", "rest40")


def ranked_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by value descending and, per sorted position, the position of the first tied value."""
    order = np.argsort(-values)
    ranked = values[order]
    n = len(ranked)
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = ranked[1:] != ranked[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n else np.zeros(0, dtype=np.int64)
    return order, first


def abc_codes(
    values: np.ndarray, thresholds: tuple[float, float] = ABC_THRESHOLDS, ranking: tuple | None = None
) -> tuple[np.ndarray, dict]:
    """Class index (0=A, 1=B, 2=C) per customer and the rule applied.

    A customer is A when the revenue of the customers ranked before it is below 80 % of the total,
    B below 95 %, C otherwise; the top customer is always A. Non-positive revenue is always C.
    """
    t_a, t_b = _pair(thresholds, "abc_thresholds")
    positive = np.where(values > 0, values, 0.0)
    total = float(positive.sum())
    codes = np.full(len(values), 2, dtype=np.int8)
    if total > 0:
        order, first = ranking if ranking is not None and (values > 0).all() else ranked_order(positive)
        ranked = positive[order]
        before = np.cumsum(ranked) - ranked
        share_before = before[first] / total
        sorted_codes = np.where(share_before < t_a, 0, np.where(share_before < t_b, 1, 2)).astype(np.int8)
        sorted_codes[ranked <= 0] = 2
        codes[order] = sorted_codes
    info = {"thresholds": [t_a, t_b], "total_revenue": total, **_class_table(codes, values, ABC_CODES)}
    return codes, info


def pareto_codes(
    values: np.ndarray, shares: tuple[float, float] = PARETO_SHARES, ranking: tuple | None = None
) -> tuple[np.ndarray, dict]:
    """Index (0=top20, 1=next40, 2=rest40) by the share of customers ranked before each one."""
    s_top, s_next = _pair(shares, "pareto_shares")
    n = len(values)
    codes = np.zeros(n, dtype=np.int8)
    if n:
        order, first = ranking if ranking is not None else ranked_order(values)
        share_before = first / n
        codes[order] = np.where(share_before < s_top, 0, np.where(share_before < s_next, 1, 2)).astype(
            np.int8
        )
    info = {"shares": [s_top, s_next], **_class_table(codes, values, PARETO_CODES)}
    return codes, info


def _class_table(codes: np.ndarray, values: np.ndarray, names: tuple[str, ...]) -> dict[str, Any]:
    """Per class: customers, share of customers, revenue, share of revenue, lowest revenue (plain lists)."""
    k = len(names)
    counts = np.bincount(codes, minlength=k)[:k]
    revenue = np.bincount(codes, weights=values, minlength=k)[:k]
    n, total = counts.sum(), revenue.sum()
    lowest = [float(values[codes == i].min()) if counts[i] else None for i in range(k)]
    return {
        "classes": list(names),
        "customers": [int(c) for c in counts],
        "customer_share": [float(c / n) if n else 0.0 for c in counts],
        "revenue": [float(r) for r in revenue],
        "revenue_share": [float(r / total) if total else 0.0 for r in revenue],
        "lowest_revenue": lowest,
    }


def abc_classes(
    summary: pd.DataFrame, thresholds: tuple[float, float] = ABC_THRESHOLDS, by: str = "revenue"
) -> pd.Series:
    """ABC class per customer: A up to 80 % of cumulative revenue, B up to 95 %, C the rest.

    The shares of customers and revenue per class are in the result's `attrs["abc"]`.
    """
    require(summary, [by], "abc_classes")
    codes, info = abc_codes(numbers(summary, by), thresholds)
    out = pd.Series(categorical(codes, ABC_CODES), index=summary.index, name="abc")
    out.attrs["abc"] = info
    return out


def pareto_20_40(
    summary: pd.DataFrame, shares: tuple[float, float] = PARETO_SHARES, by: str = "revenue"
) -> pd.Series:
    """Top 20 % / next 40 % / rest 40 % of customers by revenue rank (seed 001's "next 40 %")."""
    require(summary, [by], "pareto_20_40")
    codes, info = pareto_codes(numbers(summary, by), shares)
    out = pd.Series(categorical(codes, PARETO_CODES), index=summary.index, name="pareto")
    out.attrs["pareto"] = info
    return out


def class_shares(segmented: pd.DataFrame, column: str = "abc", value: str = "revenue") -> pd.DataFrame:
    """Customers and revenue per class of `column`, with their shares (every class listed, even empty)."""
    require(segmented, [value], "class_shares")
    if column not in segmented.columns:
        raise KeyError(f"class_shares: no column {column!r} in the segmented customers")
    codes = segmented[column]
    grouped = pd.DataFrame({"code": codes.astype("object"), "value": numbers(segmented, value)}).groupby(
        "code"
    )
    table = pd.DataFrame({"customers": grouped.size(), value: grouped["value"].sum()})
    if isinstance(codes.dtype, pd.CategoricalDtype):
        table = table.reindex(list(codes.cat.categories), fill_value=0)
    table.index.name = column
    table["customer_share"] = table["customers"] / max(int(table["customers"].sum()), 1)
    total = table[value].sum()
    table[f"{value}_share"] = table[value] / total if total else 0.0
    return table[["customers", "customer_share", value, f"{value}_share"]]
