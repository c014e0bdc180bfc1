"""Simple CLV (seed 003): basket x frequency x lifetime, units, discounting, margin, lifetime from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.clv import (
    ModelWarning,
    annuity_factor,
    clv_formula,
    estimate_lifetime,
    lifetime_from_retention,
)


def ledger(rows: list[tuple[str, str, float]], **extra) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    for name, values in extra.items():
        frame[name] = values
    return frame


def test_formula_is_basket_times_frequency_times_lifetime():
    # 50 EUR basket, 2 purchases a month, 24 months
    assert clv_formula(50, 2, 24) == pytest.approx(2400.0)
    assert clv_formula(50, 2, 24, margin_rate=0.3) == pytest.approx(720.0)
    out = clv_formula(np.array([50, 10]), np.array([2, 1]), 12)
    np.testing.assert_allclose(out, [1200, 120])
    assert isinstance(clv_formula(50, 2, 24), float)


def test_discounting_equals_the_explicit_sum():
    # 10 % a year, monthly payments of 100 for 36 months, paid at each month end
    monthly = 1.1 ** (1 / 12) - 1
    explicit = sum(100 / (1 + monthly) ** k for k in range(1, 37))
    assert clv_formula(100, 1, 36, discount_rate=0.1, periods_per_year=12) == pytest.approx(
        explicit, rel=1e-12
    )
    # yearly payments for 3 years
    assert annuity_factor(3, 0.1, 1) == pytest.approx(1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3)
    assert annuity_factor(0, 0.1, 12) == 0.0


def test_bad_discount_rate():
    with pytest.raises(ValueError, match="discount_rate"):
        annuity_factor(3, -1.5, 12)


def test_lifetime_from_retention():
    assert lifetime_from_retention(0.75) == pytest.approx(4.0)
    assert lifetime_from_retention(0.0) == pytest.approx(1.0)
    assert lifetime_from_retention(1.0) == np.inf


def test_simple_clv_per_customer_with_units():
    # customer a: 3 orders of 100 over 2 years (first 2023-01-01, as of 2024-12-31)
    tx = ledger(
        [
            ("a", "2023-01-01", 100.0),
            ("a", "2024-01-01", 100.0),
            ("a", "2024-12-31", 100.0),
            ("b", "2024-12-01", 40.0),
        ]
    )
    summary = xs.summarize(tx, as_of="2024-12-31", time_unit="D")
    yearly = xs.simple_clv(summary, unit="Y", lifetime=2)
    # a: relationship 731 days -> 3 / 731 * 365.25 purchases a year
    rate_a = 3 / 731 * 365.25
    assert yearly.loc["a", "purchases_per_unit"] == pytest.approx(rate_a)
    assert yearly.loc["a", "clv_simple"] == pytest.approx(100 * rate_a * 2)
    # b: one order a month ago -> measured over a year, not extrapolated to 12 a year
    assert yearly.loc["b", "purchases_per_unit"] == pytest.approx(1.0)
    monthly = xs.simple_clv(summary, unit="M", lifetime=24)
    assert monthly.loc["a", "purchases_per_unit"] == pytest.approx(rate_a / 12)
    assert monthly.loc["a", "clv_simple"] == pytest.approx(yearly.loc["a", "clv_simple"])
    assert monthly.attrs["unit"] == "M" and monthly.attrs["lifetime_years"] == pytest.approx(2)
    assert list(yearly.columns) == ["basket", "purchases_per_unit", "lifetime", "clv_simple"]


def test_margin_version_from_the_summary():
    tx = ledger(
        [("a", "2024-01-01", 100.0), ("a", "2024-06-01", 100.0)],
        margin=[40.0, 20.0],
    )
    summary = xs.summarize(tx, as_of="2024-12-31")
    out = xs.simple_clv(summary, unit="Y", lifetime=3)
    assert out.loc["a", "clv_simple_margin"] == pytest.approx(out.loc["a", "clv_simple"] * 0.3)
    fixed = xs.simple_clv(summary, unit="Y", lifetime=3, margin_rate=0.5)
    assert fixed.loc["a", "clv_simple_margin"] == pytest.approx(fixed.loc["a", "clv_simple"] * 0.5)


def test_lifetime_derived_from_yearly_retention():
    # 4 customers bought in 2023; 3 of them bought again in 2024: retention 75 % -> 4 years
    rows = [(c, "2023-03-01", 10.0) for c in "abcd"] + [(c, "2024-06-01", 10.0) for c in "abc"]
    rows.append(("e", "2018-06-01", 10.0))  # gives the data six and a half years of history
    summary = xs.summarize(ledger(rows), as_of="2024-12-31")
    years, how = estimate_lifetime(summary)
    assert years == pytest.approx(4.0)
    assert "75.0%" in how and "3 of the 4 customers" in how and "Capped" not in how
    out = xs.simple_clv(summary, unit="M")
    assert out.attrs["lifetime"] == pytest.approx(4 * 12)
    assert out.attrs["lifetime_source"] == how


def test_lifetime_from_churn_when_history_is_between_one_and_two_years():
    # as of 2024-12-31, 2 customers known for over a year, one of them silent for over a year: churn 50 %
    rows = [("a", "2023-06-01", 10.0), ("b", "2023-06-01", 10.0), ("b", "2024-09-01", 10.0)]
    summary = xs.summarize(ledger(rows), as_of="2024-12-31")
    years, how = estimate_lifetime(summary)
    # 1 / churn = 2 years, but the ledger spans 1.58 years (2023-06-01 to 2024-12-31): no more than that
    assert years == pytest.approx(579 / 365.25)
    assert "churn instead: 50.0%" in how and "Capped at the 1.6 years the ledger covers" in how


def test_lifetime_never_exceeds_the_ledgers_span():
    """The issue's Online Retail case: one year of data must not become a 7.9-year lifetime."""
    rows = [(f"early{i}", "2023-12-20", 10.0) for i in range(20)]
    rows += [(f"early{i}", "2024-12-20", 10.0) for i in range(19)]  # 1 of 20 lost in a year: 1/churn = 20
    summary = xs.summarize(ledger(rows), as_of="2024-12-31")
    years, how = estimate_lifetime(summary)
    assert years == pytest.approx(377 / 365.25)
    assert "churn instead: 5.0%" in how and "Capped at the 1.0 years the ledger covers" in how
    out = xs.simple_clv(summary, unit="Y")
    # simple CLV of the whole base stays of the order of the revenue the ledger shows, not 20 times it
    assert out["clv_simple"].sum() <= 1.01 * summary["revenue"].sum()


def test_short_history_falls_back_to_default_with_a_warning():
    summary = xs.summarize(ledger([("a", "2024-10-01", 10.0), ("a", "2024-11-01", 10.0)]), as_of="2024-12-31")
    with pytest.warns(ModelWarning, match="too short"):
        out = xs.simple_clv(summary)
    # the default of 3 years, capped at the 91 days the ledger covers
    assert out.attrs["lifetime"] == pytest.approx(91 / 365.25)
    assert np.isfinite(out["clv_simple"]).all()


def test_lifetime_is_capped():
    rows = [(c, "2023-03-01", 10.0) for c in "ab"] + [(c, "2024-06-01", 10.0) for c in "ab"]
    rows.append(("e", "2012-06-01", 10.0))
    summary = xs.summarize(ledger(rows), as_of="2024-12-31")
    years, how = estimate_lifetime(summary, max_years=7)
    assert years == 7 and how.endswith("Capped at 7 years.")


def test_one_customer_all_on_one_day_gives_usable_results():
    summary = xs.summarize(ledger([("solo", "2024-05-01", 30.0), ("solo", "2024-05-01", 20.0)]))
    with pytest.warns(ModelWarning, match="only 1 day"):
        out = xs.simple_clv(summary, unit="M", lifetime=12)
    assert out.loc["solo", "basket"] == pytest.approx(50.0)
    # one order over a one-day ledger: measured over a month, not extrapolated to one order a day
    assert out.loc["solo", "purchases_per_unit"] == pytest.approx(1.0)
    assert out.loc["solo", "clv_simple"] == pytest.approx(50 * 12)


def test_returns_exceeding_purchases_give_zero_not_negative():
    summary = xs.summarize(
        ledger([("a", "2024-01-01", 100.0), ("a", "2024-02-01", -150.0)]), as_of="2024-12-31"
    )
    out = xs.simple_clv(summary, unit="Y", lifetime=2)
    assert out.loc["a", "clv_simple"] == 0.0


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="orders"):
        xs.simple_clv(pd.DataFrame({"revenue": [1.0]}), lifetime=1)


def test_negative_lifetime_rejected():
    summary = xs.summarize(ledger([("a", "2024-01-01", 10.0)]))
    with pytest.raises(ValueError, match="lifetime"):
        xs.simple_clv(summary, lifetime=-1)


def test_unknown_unit_rejected():
    summary = xs.summarize(ledger([("a", "2024-01-01", 10.0)]))
    with pytest.raises(ValueError, match="time unit"):
        xs.simple_clv(summary, unit="fortnight", lifetime=1)


def test_input_is_not_modified():
    summary = xs.summarize(ledger([("a", "2024-01-01", 10.0), ("a", "2024-03-01", 12.0)]), as_of="2024-12-31")
    before = summary.copy()
    xs.simple_clv(summary, lifetime=2)
    pd.testing.assert_frame_equal(summary, before)
