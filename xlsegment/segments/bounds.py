"""Out-of-range summary values, clipped or flagged with a reason before customers are classified.

The summary reports the ledger as it is (the engine's job); what a shop owner reads must not show a return
rate of 5,700 %, a revenue of -0.00000000000006 or a negative basket without saying why:
- float noise: money within MONEY_NOISE of zero is zero;
- return_rate above 1 (returns of purchases made before the ledger starts) is clipped to 1;
- negative revenue or basket (returns exceed purchases) is kept, it is the net, and flagged.
`value_note` says, per customer, what was clipped or why a figure is negative ('' when nothing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlsegment.labels import label

MONEY_NOISE = 1e-6
MONEY_COLUMNS = (
    "revenue", "basket", "revenue_12m", "returns", "margin", "monetary_value", "repeat_day_value",
)  # fmt: skip


def bounded_summary(summary: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy of the summary with noise zeroed, return_rate clipped to [0, 1] and `value_note` added."""
    out = summary.copy()
    for column in MONEY_COLUMNS:
        if column in out.columns:
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = values.mask(values.abs() < MONEY_NOISE, 0.0)
    notes = [[] for _ in range(len(out))]
    if "return_rate" in out.columns:
        rate = pd.to_numeric(out["return_rate"], errors="coerce").to_numpy(float)
        over = rate > 1
        text = label("bounds.return_rate_clipped", lang)
        for i in np.flatnonzero(over):
            notes[i].append(text.format(rate=f"{rate[i]:.0%}" if lang == "en" else f"{rate[i] * 100:.0f} %"))
        out["return_rate"] = np.clip(rate, 0.0, 1.0)
    if "revenue" in out.columns:
        text = label("bounds.negative_revenue", lang)
        for i in np.flatnonzero(out["revenue"].to_numpy(float) < 0):
            notes[i].append(text)
    out["value_note"] = ["; ".join(n) for n in notes]
    return out
