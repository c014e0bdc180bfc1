"""Budget guidance: current vs new customers, allocation by revenue at stake, exact to the cent."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsegment.actions import budget_split
from xlsegment.actions.budget import split_cents
from xlsegment.errors import LedgerError


def _seg(codes, revenue):
    return pd.DataFrame(
        {"rfm_segment": codes, "revenue": revenue},
        index=pd.Index([f"c{i}" for i in range(len(codes))], name="customer_id"),
    )


def test_split_by_revenue_times_weight():
    # lost has budget weight 0.5 in the default playbook: weighted stakes 300 and 50
    seg = _seg(["champions", "champions", "lost"], [200.0, 100.0, 100.0])
    result = budget_split(seg, 1000)
    t = result.table.set_index(["group", "segment"])
    assert t.loc[("new", ""), "amount"] == 800.00
    assert t.loc[("current", "champions"), "amount"] == pytest.approx(171.43)
    assert t.loc[("current", "lost"), "amount"] == pytest.approx(28.57)
    assert t.loc[("current", "champions"), "customers"] == 2
    assert t.loc[("current", "champions"), "revenue_at_stake"] == 300.0
    assert round(result.table["amount"].sum(), 2) == 1000.00
    assert "20 %" in result.rule and "80 %" in result.rule and "1,000.00" in result.rule
    assert result.warnings == []


def test_configurable_share_and_french_rule():
    seg = _seg(["champions", "loyal"], [100.0, 100.0])
    result = budget_split(seg, 5000, current_share=0.3, lang="fr")
    current = result.table[result.table["group"] == "current"]["amount"]
    assert current.sum() == pytest.approx(1500.0)
    assert current.tolist() == [750.0, 750.0]
    assert "30 %" in result.rule and "au prorata du chiffre d'affaires net" in result.rule
    assert "5\u202f000,00" in result.rule


def test_low_share_warns():
    seg = _seg(["champions"], [100.0])
    with pytest.warns(UserWarning, match="15-20 %"):
        result = budget_split(seg, 100, current_share=0.1)
    assert result.warnings and "10 %" in result.warnings[0]


def test_no_revenue_at_stake_splits_equally():
    seg = _seg(["champions", "loyal", "lost"], [0.0, -5.0, 0.0])
    result = budget_split(seg, 100)
    current = result.table[result.table["group"] == "current"]["amount"].tolist()
    assert current == [6.67, 6.67, 6.66]
    assert "equally" in result.rule


def test_other_basis_column():
    seg = _seg(["champions", "loyal"], [100.0, 100.0]).assign(clv=[300.0, 100.0])
    result = budget_split(seg, 100, basis="clv")
    assert result.table[result.table["group"] == "current"]["amount"].tolist() == [15.0, 5.0]
    with pytest.raises(LedgerError, match="revenue_12m"):
        budget_split(seg, 100, basis="revenue_12m")


@pytest.mark.parametrize("budget", [-1, float("nan"), float("inf"), "lots"])
def test_bad_budget(budget):
    with pytest.raises(ValueError, match="budget"):
        budget_split(_seg(["champions"], [1.0]), budget)


@pytest.mark.parametrize("share", [-0.1, 1.5, 20, "x"])
def test_bad_share(share):
    with pytest.raises(ValueError, match="current_share"):
        budget_split(_seg(["champions"], [1.0]), 100, current_share=share)


def test_bad_basis_and_missing_classification():
    with pytest.raises(ValueError, match="basis"):
        budget_split(_seg(["champions"], [1.0]), 100, basis="margin")
    with pytest.raises(LedgerError, match="abc"):
        budget_split(_seg(["champions"], [1.0]), 100, classification="abc")


def test_split_cents_largest_remainder():
    assert split_cents(100, np.array([1.0, 1.0, 1.0])).tolist() == [34, 33, 33]
    assert split_cents(0, np.array([1.0, 2.0])).tolist() == [0, 0]
    assert split_cents(7, np.array([0.0, 1.0])).tolist() == [0, 7]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000_000),
    st.floats(0, 1),
    st.lists(
        st.tuples(
            st.sampled_from(["champions", "loyal", "lost", "at_risk", "new"]),
            st.floats(-100, 1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    ),  # fmt: skip
)
def test_split_sums_exactly_to_the_budget(cents, share, rows):
    budget = cents / 100
    seg = _seg([r[0] for r in rows], [r[1] for r in rows])
    result = budget_split(seg, budget, current_share=share) if share >= 0.15 else None
    if result is None:
        with pytest.warns(UserWarning):
            result = budget_split(seg, budget, current_share=share)
    amounts = result.table["amount"].to_numpy()
    assert int(round(amounts.sum() * 100)) == cents
    assert (amounts >= 0).all()
    assert np.allclose(amounts * 100, np.round(amounts * 100))
    current = result.table.loc[result.table["group"] == "current", "amount"].sum()
    assert abs(current * 100 - round(cents * share)) < 0.5
    assert math.isclose(result.table["customers"].sum(), len(rows))
