"""Reference: the R package rfm 0.2.x on its own orders data (analysis date 2006-12-31).

R's rfm_table_order + rfm_segment with the 0.2.x example table give 158 Champions with 1,234 orders and a
revenue of 120,178 (design notes, section 3). The R binning is also transcribed literally below (loop over
bins with lower/upper bounds) as an independent check of our vectorised version.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsegment import read_transactions, segment, summarize
from xlsegment.segments.rfm import r_rfm_scores

AS_OF = pd.Timestamp("2006-12-31")


def r_bins_literal(x: np.ndarray, n: int) -> np.ndarray:
    """utils.R bins/bins_lower/bins_upper and the score loop of rfm_table_order, line by line."""
    length_out = n + 1
    q = np.quantile(x, np.linspace(0, 1, length_out))  # R quantile type 7
    bins = q[1:-1] + 1
    lower = np.append(x.min(), bins)
    upper = np.append(bins, x.max() + 1)
    score = np.full(len(x), -1)
    for i in range(n):
        score[(x >= lower[i]) & (x < upper[i])] = i + 1
    return score


@pytest.mark.parametrize("seed", range(5))
def test_r_binning_matches_literal_transcription(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.gamma(1.5, 100, 400), seed % 3)
    n = 3 + seed % 3
    ours, _ = r_rfm_scores(x, n)
    assert ours.tolist() == r_bins_literal(x, n).tolist()
    rec, _ = r_rfm_scores(x, n, higher_is_better=False)
    assert rec.tolist() == (n + 1 - r_bins_literal(x, n)).tolist()


def by_hand(path) -> pd.DataFrame:
    """The R per-customer table from the raw CSV: recency days, transaction count (lines), revenue."""
    orders = pd.read_csv(path, parse_dates=["order_date"])
    g = orders.groupby("customer_id").agg(
        last=("order_date", "max"), orders=("order_date", "size"), revenue=("revenue", "sum")
    )
    recent = orders[orders["order_date"] > AS_OF - pd.Timedelta(days=365)]
    return pd.DataFrame(
        {
            "orders": g["orders"],
            "recency": (AS_OF - g["last"]).dt.days.astype(float),
            "revenue": g["revenue"].astype(float),
            "basket": g["revenue"] / g["orders"],
            "orders_12m": recent.groupby("customer_id").size().reindex(g.index, fill_value=0),
        }
    )


def champions(segmented: pd.DataFrame) -> tuple[int, int, float]:
    ch = segmented[segmented["rfm_segment"] == "champions"]
    return len(ch), int(ch["orders"].sum()), float(ch["revenue"].sum())


def test_r_champions_from_a_hand_built_table(rfm_orders):
    summary = by_hand(rfm_orders)
    assert len(summary) == 995 and summary["orders"].sum() == 4906
    seg = segment(summary, rfm_method="r_rfm", rfm_table="r_rfm_example")
    assert champions(seg) == (158, 1234, 120178.0)
    # the literal R transcription gives the same scores customer by customer
    assert seg["r_score"].tolist() == (6 - r_bins_literal(summary["recency"].to_numpy(), 5)).tolist()
    assert seg["m_score"].tolist() == r_bins_literal(summary["revenue"].to_numpy(), 5).tolist()


def test_r_champions_through_read_transactions_and_summarize(rfm_orders):
    transactions = read_transactions(rfm_orders)
    summary = summarize(transactions, as_of="2006-12-31")
    # R counts ledger lines (its transaction_count); our summary merges same-day lines into one occasion
    lines = transactions.groupby("customer_id").size().reindex(summary.index)
    assert lines.sum() == 4906 and summary["orders"].sum() == 4895
    seg = segment(summary.assign(orders=lines), rfm_method="r_rfm", rfm_table="r_rfm_example")
    assert champions(seg) == (158, 1234, 120178.0)
    rules = seg.attrs["segment_rules"]
    assert rules["rfm_segment"]["overlaps"] > 0  # R's table overlaps; the first rule wins, as in R


def test_r_champions_exactly_through_the_public_api(rfm_orders):
    """R counts each line of its orders file as an order: `lines_are_orders=True` says the same to us."""
    transactions = read_transactions(rfm_orders, lines_are_orders=True)
    summary = summarize(transactions, as_of="2006-12-31")
    assert summary["orders"].sum() == 4906
    seg = segment(summary, rfm_method="r_rfm", rfm_table="r_rfm_example")
    assert champions(seg) == (158, 1234, 120178.0)
