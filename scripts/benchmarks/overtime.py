"""Speed of migration and cohorts on a generated ledger, against a plain pandas computation of the same views.

The ledger is summary.py's generator (`make_ledger`: text customer keys, three years of days, 2 % returns),
read once with read_transactions; both sides get the same transactions frame. Rounds alternate ours and the
peer and the medians are reported.
- migration: ours = xs.migration (summary + RFM segmentation at both dates, matrix, movers); peer = a pandas
  groupby summary at each date, quartile qcut RFM named as pymc-marketing does (benchmarks.segments), and
  pandas.crosstab of the two segment columns.
- cohorts: ours = xs.cohorts(by="M"); peer = first purchase month per customer by groupby, then distinct
  active customers and revenue per (cohort, month since first purchase) by groupby and unstack.

    python scripts/benchmarks/overtime.py [--quick]
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

if __name__ == "__main__":  # run directly: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import BenchRow, alternated  # noqa: E402
from benchmarks.segments import qcut_baseline  # noqa: E402
from benchmarks.summary import make_ledger  # noqa: E402

TARGET_RATIO = 1.0  # at least as fast as the plain pandas computation of the same view
START, END = "2024-09-30", "2024-12-30"  # one quarter at the end of make_ledger's three years


def ours_migration(tx: pd.DataFrame) -> pd.DataFrame:
    from xlsegment.overtime import migration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return migration(tx, START, END).matrix


def ours_cohorts(tx: pd.DataFrame) -> pd.DataFrame:
    from xlsegment.overtime import cohorts

    return cohorts(tx, by="M").retention


def _pandas_rfm(tx: pd.DataFrame, as_of: str) -> pd.Series:
    lines = tx[tx["date"] <= as_of]
    per = lines.groupby("customer_id", observed=True).agg(
        last=("date", "max"), orders=("date", "nunique"), revenue=("amount", "sum")
    )
    per["recency"] = (pd.Timestamp(as_of) - per["last"]).dt.days
    return qcut_baseline(per)["segment"]


def peer_migration(tx: pd.DataFrame) -> pd.DataFrame:
    before, after = _pandas_rfm(tx, START), _pandas_rfm(tx, END)
    both = pd.concat({"from": before, "to": after}, axis=1).fillna("new")
    return pd.crosstab(both["from"], both["to"])


def peer_cohorts(tx: pd.DataFrame) -> pd.DataFrame:
    bought = tx[tx["amount"] > 0]
    month = bought["date"].dt.to_period("M")
    first = month.groupby(bought["customer_id"], observed=True).transform("min")
    active = pd.DataFrame({"c": bought["customer_id"], "cohort": first, "k": _months_between(month, first)})
    counts = active.groupby(["cohort", "k"], observed=True)["c"].nunique().unstack()
    sizes = active.groupby("cohort", observed=True)["c"].nunique()
    return counts.div(sizes, axis=0)


def _months_between(month: pd.Series, first: pd.Series) -> pd.Series:
    """Whole months from `first` to `month` (Period columns), vectorised."""
    return (month.dt.year - first.dt.year) * 12 + month.dt.month - first.dt.month


def _alternate(ours, peer, tx: pd.DataFrame, rounds: int) -> tuple[float, float]:
    """Medians of ours and the peer on `tx`, taken in turn (the bench's one alternation, _common.alternated)."""
    times = alternated({"ours": lambda: ours(tx), "peer": lambda: peer(tx)}, rounds)
    return times["ours"], times["peer"]


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def run(quick: bool = False) -> list[BenchRow]:
    from xlsegment.ledger import read_transactions

    n = 200_000 if quick else 10_000_000
    rounds = 3
    tx = read_transactions(make_ledger(n))
    customers = tx["customer_id"].nunique()
    ours_migration(tx.iloc[:2000]), ours_cohorts(tx.iloc[:2000])  # warm up imports
    rows = []
    for what, ours, peer in (
        ("migration (RFM segments one quarter apart)", ours_migration, peer_migration),
        ("cohorts by month of first purchase", ours_cohorts, peer_cohorts),
    ):
        t_ours, t_peer = _alternate(ours, peer, tx, rounds)
        rows.append(
            BenchRow(
                name=f"{what}, {_label(n)} lines",
                ours=t_ours,
                peer=t_peer,
                peer_name=f"plain pandas ({'groupby + qcut RFM + crosstab' if ours is ours_migration else 'groupby + unstack'})",
                target=f">= {TARGET_RATIO:g}x (no slower than plain pandas)",
                ok=t_peer / t_ours >= TARGET_RATIO,
                note=f"{customers:,} customers; median of {rounds} alternated rounds",
            )
        )
    return rows


if __name__ == "__main__":
    from bench import print_rows

    print_rows("overtime", run(quick="--quick" in sys.argv))
