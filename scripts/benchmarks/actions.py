"""Speed of the action layer on a large customer base: plan, mailing lists, budget and loyalty points.

No peer offers per-segment actions (design notes, section 5), so these rows carry targets only: the action
layer must stay a small part of a full analysis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._common import BenchRow, timed

AS_OF = pd.Timestamp("2026-10-31")
CODES = np.array(["champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
                  "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost", "other"])  # fmt: skip
FAMILIES = np.array(["Épicerie fine", "Arts de la table", "Thés et cafés", "Cadeaux", "Cave"])


def synthetic(n: int, lines_per_customer: int = 4, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segmented customers with contact columns, and canonical transactions with category and discount."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:07d}" for i in range(n)])
    seg = pd.DataFrame(
        {
            "rfm_segment": CODES[rng.integers(0, len(CODES), n)],
            "last_purchase": AS_OF - pd.to_timedelta(rng.integers(0, 1000, n), unit="D"),
            "revenue": np.round(rng.gamma(2.0, 120.0, n), 2),
            "main_category": FAMILIES[rng.integers(0, len(FAMILIES), n)],
            "civility": np.array(["Mme", "M.", None], dtype=object)[rng.integers(0, 3, n)],
            "first_name": "Marie",
            "last_name": "Dupont",
            "email": np.where(rng.uniform(size=n) < 0.8, "client@exemple.fr", None),
            "phone": np.where(rng.uniform(size=n) < 0.5, "01 23 45 67 89", None),
            "address": np.where(rng.uniform(size=n) < 0.6, "1 rue de la Paix", None),
            "birthday": pd.Series(
                pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), unit="D")
            )
            .where(rng.uniform(size=n) < 0.4)
            .to_numpy(),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    m = n * lines_per_customer
    tx = pd.DataFrame(
        {
            "customer_id": ids[rng.integers(0, n, m)],
            "date": AS_OF - pd.to_timedelta(rng.integers(0, 1000, m), unit="D"),
            "amount": np.round(rng.gamma(2.0, 30.0, m), 2),
            "category": FAMILIES[rng.integers(0, len(FAMILIES), m)],
            "discount": np.where(rng.uniform(size=m) < 0.3, 5.0, 0.0),
        }
    )
    return seg, tx


def run(quick: bool = False) -> list[BenchRow]:
    from xlsegment.actions import budget_split, loyalty_points, mailing_lists, plan_actions

    n = 10_000 if quick else 200_000
    seg, tx = synthetic(n)
    rows = []
    seconds, plan = timed(lambda: plan_actions(seg, as_of=AS_OF, transactions=tx), repeat=1 if quick else 2)
    target = max(1.0, 6.0 * n / 200_000)  # fixed overhead dominates small runs
    rows.append(BenchRow(f"plan_actions, {n:,} customers, {len(tx):,} lines", seconds,
                         target=f"< {target:g} s", ok=seconds < target))  # fmt: skip
    seconds, _ = timed(lambda: mailing_lists(seg, plan=plan, lang="fr"), repeat=1 if quick else 2)
    target = max(1.0, 4.0 * n / 200_000)
    rows.append(BenchRow(f"mailing_lists (channel from plan), {n:,} customers", seconds,
                         target=f"< {target:g} s", ok=seconds < target))  # fmt: skip
    seconds, _ = timed(lambda: budget_split(seg, 25_000), repeat=3)
    rows.append(BenchRow(f"budget_split, {n:,} customers", seconds, target="< 1 s", ok=seconds < 1.0))
    seconds, _ = timed(lambda: loyalty_points(tx, bonus_weekdays=["samedi"]), repeat=1 if quick else 2)
    target = max(1.0, 5.0 * n / 200_000)
    rows.append(BenchRow(f"loyalty_points, {len(tx):,} lines", seconds,
                         target=f"< {target:g} s", ok=seconds < target))  # fmt: skip
    return rows


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for row in run(quick="--quick" in sys.argv):
        print(f"{row.name:<60} {row.ours:8.3f} s  {row.target:<12} {'ok' if row.ok else 'NO'}")
