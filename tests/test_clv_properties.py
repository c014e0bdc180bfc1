"""Hypothesis properties of the CLV formulas: probabilities, monotonicity in the horizon, non-negative values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

import xlsegment as xs
from xlsegment.clv import (
    BGNBDResult,
    GammaGammaResult,
    bgnbd_expected_purchases,
    bgnbd_p_alive,
    bgnbd_unconditional_purchases,
    clv_formula,
    gamma_gamma_expected_aov,
)

positive = st.floats(min_value=0.05, max_value=20.0, allow_nan=False)


@st.composite
def customer(draw):
    T = draw(st.floats(min_value=0.0, max_value=200.0))
    x = draw(st.integers(min_value=0, max_value=300))
    t_x = draw(st.floats(min_value=0.0, max_value=1.0)) * T if x > 0 else 0.0
    return float(x), t_x, T


@settings(deadline=None)
@given(customer(), positive, positive, positive, positive)
def test_p_alive_is_a_probability(cust, r, alpha, a, b):
    x, t_x, T = cust
    p = bgnbd_p_alive(x, t_x, T, r, alpha, a, b)
    assert 0.0 <= p <= 1.0


@settings(deadline=None)
@given(customer(), positive, positive, positive, positive, st.floats(0.0, 100.0), st.floats(0.0, 100.0))
def test_expected_purchases_increase_with_the_horizon(cust, r, alpha, a, b, t1, dt):
    x, t_x, T = cust
    e1 = bgnbd_expected_purchases(t1, x, t_x, T, r, alpha, a, b)
    e2 = bgnbd_expected_purchases(t1 + dt, x, t_x, T, r, alpha, a, b)
    assert np.isfinite(e1) and e1 >= 0
    assert e2 >= e1 * (1 - 1e-9) - 1e-12


@settings(deadline=None)
@given(positive, positive, positive, positive, st.floats(0.0, 100.0), st.floats(0.0, 100.0))
@example(r=0.05, alpha=0.0508, a=1.05, b=8.0, t1=18.0, dt=1.0)  # scipy's 2F1 wrong in one order at c-A-B = 0
def test_unconditional_expectation_increases(r, alpha, a, b, t1, dt):
    e1 = bgnbd_unconditional_purchases(t1, r, alpha, a, b)
    e2 = bgnbd_unconditional_purchases(t1 + dt, r, alpha, a, b)
    assert e1 >= 0 and e2 >= e1 * (1 - 1e-9) - 1e-12


@given(st.integers(0, 100), st.floats(0.0, 1e5), positive, st.floats(1.01, 20), positive)
def test_expected_order_value_is_positive(x, m, p, q, gamma):
    assert gamma_gamma_expected_aov(x, m, p, q, gamma) > 0


@given(
    st.floats(0, 1e4),
    st.floats(0, 50),
    st.floats(0, 600),
    st.floats(0, 0.5),
    st.floats(0, 0.5),
    st.floats(0, 1),
)
@example(basket=1.0, freq=1.0, life=1.34375, d1=0.0, dd=1e-09, margin=1.0)  # cancellation at tiny rates
@example(basket=27.0, freq=38.0, life=1e-12, d1=2.2250738585e-313, dd=0.5, margin=1.0)  # underflow
def test_simple_clv_non_negative_and_discount_lowers_it(basket, freq, life, d1, dd, margin):
    v1 = clv_formula(basket, freq, life, d1, margin, 12)
    v2 = clv_formula(basket, freq, life, d1 + dd, margin, 12)
    assert v1 >= 0 and v2 >= 0
    assert v2 <= v1 * (1 + 1e-12) + 1e-9


@settings(max_examples=50, deadline=None)
@given(st.lists(customer(), min_size=1, max_size=20), st.floats(0, 60), st.floats(0, 0.5))
def test_predicted_clv_is_non_negative(customers, horizon, rate):
    x, t_x, T = (list(v) for v in zip(*customers, strict=True))
    summary = pd.DataFrame(
        {"frequency": x, "t_x": t_x, "T": T, "monetary_value": [25.0 if f > 0 else 0.0 for f in x]},
        index=pd.Index([f"c{i}" for i in range(len(x))], name="customer_id"),
    )
    summary.attrs["time_unit"] = "W"
    bg = BGNBDResult({"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}, -1.0, True, 0, 0, "W")
    gg = GammaGammaResult({"p": 6.2, "q": 3.7, "gamma": 15.4}, -1.0, True, 0, 0, 0)
    out = xs.predict_clv(summary, horizon=horizon, unit="M", discount_rate=rate, bgnbd=bg, gamma_gamma=gg)
    assert (out["clv"] >= 0).all()
    assert out["p_alive"].between(0, 1).all()


@st.composite
def small_ledger(draw):
    """A few customers with a handful of purchases (returns included) over up to three years."""
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        k = draw(st.integers(1, 6))
        for _ in range(k):
            day = draw(st.integers(0, 1000))
            amount = draw(st.one_of(st.floats(1.0, 500.0), st.floats(-50.0, 0.0)))
            rows.append((f"c{i}", pd.Timestamp("2022-01-01") + pd.Timedelta(days=day), amount))
    rows.append(("c0", pd.Timestamp("2022-01-01") + pd.Timedelta(days=1001), 10.0))  # at least one purchase
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


@settings(max_examples=40, deadline=None)
@given(small_ledger(), st.sampled_from(["D", "W", "M"]))
def test_small_ledgers_never_crash(tx, unit):
    """Whatever a small ledger looks like, the CLV and lapse functions return usable frames (warnings allowed)."""
    import warnings

    summary = xs.summarize(tx, time_unit=unit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", xs.clv.ModelWarning)
        simple = xs.simple_clv(summary, unit="M")
        pred = xs.predict_clv(summary, horizon=12, unit="M")
        flags = xs.lapse_flags(summary, p_alive=pred)
    assert (simple["clv_simple"] >= 0).all() and np.isfinite(simple["clv_simple"]).all()
    usable = pred["p_alive"].notna()
    assert pred.loc[usable, "p_alive"].between(0, 1).all()
    assert (pred.loc[usable, "clv"].dropna() >= 0).all()
    assert len(flags) == len(summary) and flags["lapse_reason"].map(type).eq(str).all()
