"""A hand-made Analysis-like object for the report and workbook tests (independent of the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.report import class_label

RFM_CODES = ["champions", "loyal", "new", "at_risk", "lost", "hibernating"]
TYPES = ["key", "high_potential", "base", "losing"]


@dataclass
class FakeSettings:
    as_of: Any = pd.Timestamp("2024-01-01")
    time_unit: str = "D"
    lang: str = "en"
    segments: dict = field(default_factory=lambda: {"rfm_bins": 5, "abc_thresholds": [0.8, 0.95]})
    clv: dict = field(default_factory=lambda: {"horizon_months": 12, "discount_rate": 0.1})
    lapse: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)


@dataclass
class FakeQuality:
    source: str = "ledger.csv"

    def rows(self, lang: str = "en") -> list[tuple[str, object]]:
        return [("Rows read", 1000), ("Rows excluded: no customer", 12)]


@dataclass
class FakeAnalysis:
    customers: pd.DataFrame
    summary: pd.DataFrame
    transactions: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None
    model: Any = None
    quality: Any = field(default_factory=FakeQuality)
    settings: Any = field(default_factory=FakeSettings)


def make_customers(
    n: int = 60, seed: int = 0, lang: str = "en", names: list[str] | None = None
) -> pd.DataFrame:
    """Customers with the contract's columns; values random but internally consistent (basket = rev/orders)."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:05d}" for i in range(n)]
    orders = rng.integers(1, 12, n)
    revenue = np.round(rng.gamma(2.0, 150.0, n) * orders / 3, 2)
    revenue[: max(1, n // 20)] *= -0.1  # a few net-negative customers (returns)
    last = pd.Timestamp("2024-01-01") - pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    first = last - pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    order_rank = pd.Series(revenue).rank(ascending=False, method="first").to_numpy()
    pareto = np.where(order_rank <= 0.2 * n, "top20", np.where(order_rank <= 0.6 * n, "next40", "rest40"))
    rfm = rng.choice(RFM_CODES, n)
    ctype = rng.choice(TYPES, n)
    lapsed = rng.random(n) < 0.3
    clv = np.round(rng.gamma(2, 100, n), 2)
    clv[::7] = np.nan
    df = pd.DataFrame(
        {
            "first_purchase": first.normalize(),
            "last_purchase": last.normalize(),
            "orders": orders,
            "frequency": orders - 1,
            "recency": (pd.Timestamp("2024-01-01") - last.normalize()).days.astype(float),
            "revenue": revenue,
            "basket": revenue / orders,
            "pareto": pareto,
            "pareto_label": [class_label("pareto", c, lang) for c in pareto],
            "rfm_segment": rfm,
            "rfm_segment_label": [class_label("rfm_segment", c, lang) for c in rfm],
            "customer_type": ctype,
            "customer_type_label": [class_label("customer_type", c, lang) for c in ctype],
            "r_score": rng.integers(1, 6, n),
            "f_score": rng.integers(1, 6, n),
            "m_score": rng.integers(1, 6, n),
            "value_score": np.round(rng.random(n) * 100, 1),
            "clv": clv,
            "p_alive": rng.random(n),
            "lapsed_12m": lapsed,
            "next_action": rng.choice(["Call", "Thank-you e-mail", None], n),
            "due_date": pd.Timestamp("2024-01-15"),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    df["rfm_code"] = (
        df["r_score"].astype(str) + df["f_score"].astype(str) + df["m_score"].astype(str)
    ).astype(object)
    df["name"] = names if names is not None else [f"Client {i}" for i in range(n)]
    df["email"] = [f"c{i}@example.com" for i in range(n)]
    df.attrs["as_of"] = pd.Timestamp("2024-01-01")
    df.attrs["time_unit"] = "D"
    return df


def make_analysis(n: int = 60, seed: int = 0, lang: str = "en", **kw: Any) -> FakeAnalysis:
    customers = make_customers(n, seed, lang, kw.pop("names", None))
    actions = pd.DataFrame(
        {
            "segment": ["champions", "lost"],
            "action": ["Reward them", "Win back"],
            "channel": ["e-mail", "letter"],
        }
    )
    return FakeAnalysis(
        customers=customers, summary=customers, actions=actions, settings=FakeSettings(lang=lang), **kw
    )


def make_plan(customers: pd.DataFrame, lang: str = "en", seed: int = 0) -> pd.DataFrame:
    """A contact plan with the columns of contract 3 (`xs.contact_plan` / `Analysis.plan`): a week for each
    customer (1 = this week), a rank within the plan, a channel with its label, and the contact used."""
    rng = np.random.default_rng(seed)
    n = len(customers)
    channels = rng.choice(["phone", "email", "letter", "collect_contact"], n, p=[0.2, 0.4, 0.3, 0.1])
    names = {
        "en": {"phone": "Phone call", "email": "E-mail", "letter": "Personal letter", "collect_contact": "Collect contact details"},
        "fr": {"phone": "Appel téléphonique", "email": "E-mail", "letter": "Lettre personnelle", "collect_contact": "Recueillir les coordonnées"},
    }[lang]  # fmt: skip
    stake = np.round(rng.gamma(2.0, 80.0, n), 2)
    rank = np.empty(n, dtype=int)
    rank[np.argsort(-stake, kind="stable")] = np.arange(1, n + 1)  # largest value at stake first
    plan = pd.DataFrame(
        {
            "week": (rank - 1) // max(1, n // 3) + 1,
            "rank": rank,
            "customer_id": customers.index.to_numpy(dtype=object),
            "name": customers["name"].to_numpy(dtype=object),
            "segment": customers["rfm_segment"].to_numpy(dtype=object),
            "segment_label": customers["rfm_segment_label"].to_numpy(dtype=object),
            "channel": channels,
            "channel_label": [names[c] for c in channels],
            "action_label": ["Thank them" if lang == "en" else "Les remercier"] * n,
            "reason": [
                "Bought often, not for 90 days" if lang == "en" else "Achetait souvent, rien depuis 90 jours"
            ]
            * n,
            "message": ["Loyalty bonus" if lang == "en" else "Prime de fidélité"] * n,
            "contact": [f"c{i}@example.com" for i in range(n)],
            "value_at_stake": stake,
            "due_date": pd.Timestamp("2024-01-07"),
        }
    )
    return plan.sort_values(["week", "rank"]).reset_index(drop=True)
