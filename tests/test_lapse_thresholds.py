"""The lapse thresholds pinned by customers on both sides of them (6 and 12 months of 30.4375 days).

A month is 365.25 / 12 = 30.4375 days: 6 months = 182.6 days, 12 months = 365.25 days. Customers one day on
each side of each threshold fix both the thresholds and the month length (a 30-day or 31-day month would move
one of them to the other side).
"""

from __future__ import annotations

import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.lapse import MONTH_DAYS

AS_OF = pd.Timestamp("2024-12-31")
# customer -> days since the last purchase
RECENCY = {"d182": 182, "d183": 183, "d365": 365, "d366": 366, "d91": 91, "d92": 92, "d0": 0}


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    rows = []
    for customer, days in RECENCY.items():
        rows.append((customer, AS_OF - pd.Timedelta(days=days + 400), 10.0))  # an earlier purchase
        rows.append((customer, AS_OF - pd.Timedelta(days=days), 10.0))
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    return xs.summarize(xs.read_transactions(frame), as_of=AS_OF, time_unit="D")


def test_a_month_is_a_twelfth_of_a_julian_year() -> None:
    assert pytest.approx(365.25 / 12) == MONTH_DAYS


def test_six_and_twelve_months_by_customers_on_both_sides(summary) -> None:
    assert summary["recency"].to_dict() == {k: float(v) for k, v in sorted(RECENCY.items())}
    flags = xs.lapse_flags(summary)
    lapsed = {c for c in flags.index if flags.loc[c, "lapsed_6m"]}
    lost = {c for c in flags.index if flags.loc[c, "lapsed_12m"]}
    assert lapsed == {"d183", "d365", "d366"}  # 182 days < 6 months (182.6) < 183 days
    assert lost == {"d366"}  # 365 days < 12 months (365.25) < 366 days


def test_thresholds_given_as_settings_move_the_boundaries(summary) -> None:
    flags = xs.lapse_flags(summary, lapsed_months=3, lost_months=6)
    assert {c for c in flags.index if flags.loc[c, "lapsed_6m"]} == {"d92", "d182", "d183", "d365", "d366"}
    assert {c for c in flags.index if flags.loc[c, "lapsed_12m"]} == {"d183", "d365", "d366"}
