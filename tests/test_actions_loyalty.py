"""Loyalty points: points per currency unit and per visit, bonus days, returns, rewards."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.actions import loyalty_points
from xlsegment.errors import LedgerError


def _tx(rows, order=False):
    cols = ["customer_id", "date", "amount"] + (["order_id"] if order else [])
    frame = pd.DataFrame(rows, columns=cols)
    frame["date"] = pd.to_datetime(frame["date"], format="ISO8601")
    return frame


def test_points_bonus_day_and_return():
    tx = _tx([
        ["a", "2026-11-07 10:00", 120.5],  # Saturday, double points: 120 x 2
        ["a", "2026-11-08", -20.0],  # return: 20 deducted
        ["a", "2026-11-09", 30.0],
        ["a", "2026-11-09", 20.0],  # same day, same occasion: 50
        ["b", "2026-11-09", 99.99],
    ])  # fmt: skip
    out = loyalty_points(tx, bonus_weekdays=["samedi"], thresholds={100: "5 € voucher", 250: "Gift box"})
    a, b = out.loc["a"], out.loc["b"]
    assert a["points_earned"] == 290 and a["bonus_points"] == 120 and a["points_deducted"] == 20
    assert a["points_balance"] == 270 and a["orders"] == 2
    assert a["rewards_reached"] == 2 and a["next_reward"] == "" and pd.isna(a["next_reward_at"])
    assert b["points_balance"] == 99 and b["rewards_reached"] == 0
    assert b["next_reward"] == "5 € voucher" and b["points_to_next_reward"] == 1


def test_punch_card_thirteenth_free():
    tx = _tx([["c", f"2026-01-{d:02d}", 3.0] for d in range(1, 13)])
    out = loyalty_points(tx, points_per_unit=0, points_per_order=1, thresholds={12: "13th free"})
    assert out.loc["c", "points_balance"] == 12
    assert out.loc["c", "rewards_reached"] == 1


def test_bonus_dates_orders_and_as_of():
    tx = _tx([["a", "2026-03-01", 10.0, "O1"], ["a", "2026-03-01", 5.0, "O2"], ["a", "2026-04-01", 50.0, None]],
             order=True)  # fmt: skip
    out = loyalty_points(
        tx, bonus_dates=["2026-03-01"], bonus_multiplier=3, thresholds=[1000], as_of="2026-03-31"
    )
    assert out.loc["a", "orders"] == 2
    assert out.loc["a", "points_balance"] == 45
    assert out.loc["a", "next_reward_at"] == 1000 and out.loc["a", "points_to_next_reward"] == 955


def test_an_order_returned_in_full_earns_nothing_whatever_its_float_noise():
    # 0.1 + 0.2 - 0.3 sums to 5.6e-17 in floating point: still a whole return, no visit point
    tx = _tx([["a", "2026-01-05", 0.1, "O1"], ["a", "2026-01-05", 0.2, "O1"], ["a", "2026-01-06", -0.3, "O1"],
              ["a", "2026-01-07", 10.0, "O2"]], order=True)  # fmt: skip
    out = loyalty_points(tx, points_per_unit=0, points_per_order=1, thresholds=[10])
    assert out.loc["a", "orders"] == 1 and out.loc["a", "points_balance"] == 1


def test_bad_inputs():
    with pytest.raises(LedgerError, match="amount"):
        loyalty_points(pd.DataFrame({"customer_id": ["a"], "date": ["2026-01-01"]}))
    tx = _tx([["a", "2026-01-01", 10.0]])
    with pytest.raises(ValueError, match="points_per_unit"):
        loyalty_points(tx, points_per_unit=-1)
    with pytest.raises(ValueError, match="weekday"):
        loyalty_points(tx, bonus_weekdays=["someday"])
    with pytest.raises(ValueError, match="thresholds"):
        loyalty_points(tx, thresholds=[0, 10])
    with pytest.raises(LedgerError, match="date or amount missing"):
        loyalty_points(pd.DataFrame({"customer_id": ["a"], "date": [None], "amount": [3.0]}))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("xyz"), st.integers(0, 60), st.integers(-50, 500)), min_size=1, max_size=40
    )
)
def test_balance_is_earned_minus_deducted_per_day(rows):
    tx = _tx([[c, pd.Timestamp("2026-01-01") + pd.Timedelta(days=d), float(a)] for c, d, a in rows])
    out = loyalty_points(tx, thresholds=[100, 200])
    # independent check: net per customer-day, floor of the absolute value, sign kept
    daily = tx.groupby(["customer_id", tx["date"].dt.normalize()])["amount"].sum()
    expected = daily.map(lambda v: (1 if v > 0 else -1) * int(abs(v)) if v else 0).groupby(level=0).sum()
    assert out["points_balance"].to_dict() == {k: float(v) for k, v in expected.items()}
    assert (out["points_balance"] == out["points_earned"] - out["points_deducted"]).all()
