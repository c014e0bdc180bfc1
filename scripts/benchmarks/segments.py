"""Speed of segment() on a million customers, against a plain pandas qcut RFM (pymc-marketing's method).

pymc-marketing's `rfm_segments` scores recency, frequency and monetary with `pd.qcut(..., duplicates="drop")`
and maps the cell code to a segment name; the baseline below does the same on the same summary, so the
ratio compares like with like (pymc-marketing itself is not installed: too heavy for this project).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from benchmarks._common import BenchRow, in_fresh_process, timed

TARGET_SECONDS = 2.0


def synthetic_summary(n: int, seed: int = 7) -> pd.DataFrame:
    """A customer summary of `n` customers shaped like a real ledger (many one-time buyers)."""
    rng = np.random.default_rng(seed)
    orders = rng.geometric(0.4, n)
    recency = rng.integers(0, 1100, n).astype("float64")
    basket = np.round(rng.gamma(2.0, 35.0, n), 2)
    revenue = orders * basket
    orders_12m = np.where(recency < 365, rng.integers(0, orders + 1), 0)
    frame = pd.DataFrame(
        {
            "orders": orders,
            "frequency": orders - 1,
            "recency": recency,
            "revenue": revenue,
            "basket": basket,
            "orders_12m": orders_12m,
            "n_categories": rng.integers(1, 8, n),
            "margin_rate": rng.normal(0.3, 0.1, n),
            "discount_share": rng.uniform(0, 1, n),
            "return_rate": np.where(rng.uniform(size=n) < 0.1, rng.uniform(0, 0.5, n), 0.0),
        },
        index=pd.Index([f"C{i:07d}" for i in range(n)], name="customer_id"),
    )
    frame.attrs = {"as_of": pd.Timestamp("2024-12-31"), "time_unit": "D"}
    return frame


SEGMENT_MAP = {
    r"[4-5][4-5][4-5]": "champions",
    r"[3-5][3-5][1-5]": "loyal",
    r"[1-2][3-5][3-5]": "at_risk",
    r"[1-2][1-2][1-5]": "lost",
}


def qcut_baseline(summary: pd.DataFrame) -> pd.DataFrame:
    """RFM as pymc-marketing computes it: quartile qcut per dimension (duplicates dropped), code, segment."""
    out = pd.DataFrame(index=summary.index)
    out["r"] = pd.qcut(-summary["recency"], 4, labels=False, duplicates="drop") + 1
    out["f"] = pd.qcut(summary["orders"], 4, labels=False, duplicates="drop") + 1
    out["m"] = pd.qcut(summary["revenue"], 4, labels=False, duplicates="drop") + 1
    out["rfm_code"] = out["r"].astype(str) + out["f"].astype(str) + out["m"].astype(str)
    segment = pd.Series("other", index=out.index)
    for pattern, name in reversed(list(SEGMENT_MAP.items())):
        segment[out["rfm_code"].str.match(pattern)] = name
    out["segment"] = segment
    return out


def _ours(summary: pd.DataFrame) -> pd.DataFrame:
    from xlsegment import segment

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return segment(summary)


def _fresh_segment(n: int) -> None:
    _ours(synthetic_summary(n))


def run(quick: bool = False) -> list[BenchRow]:
    n = 50_000 if quick else 1_000_000
    summary = synthetic_summary(n)
    _ours(summary.iloc[:1000])  # import and warm up
    ours, result = timed(lambda: _ours(summary), repeat=1 if quick else 3)
    peer, _ = timed(lambda: qcut_baseline(summary), repeat=1 if quick else 3)
    rows = [
        BenchRow(
            name=f"segment() on {n:,} customers (every classification)",
            ours=ours,
            peer=peer,
            peer_name="pandas qcut RFM (pymc-marketing method)",
            target=f"< {TARGET_SECONDS:g} s at 1M" if not quick else "smoke",
            ok=(ours < TARGET_SECONDS) if not quick else None,
            note=f"{result['rfm_segment'].nunique()} RFM segments",
        )
    ]
    if not quick:
        seconds, peak = in_fresh_process(_fresh_segment, n)
        rows.append(
            BenchRow(
                name=f"segment() peak memory, {n:,} customers (fresh process)",
                ours=peak,
                unit="MB",
                note=f"{seconds:.1f} s including building the summary",
            )
        )
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for row in run(quick="--quick" in sys.argv):
        print(row)
