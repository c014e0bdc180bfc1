"""Backtest: calibration up to a split date, holdout predictions against what customers actually did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs


def cdnow_transactions(path) -> pd.DataFrame:
    """The CDNOW ledger as canonical transactions (customer_id text, date, amount), read with pandas."""
    raw = pd.read_csv(path, dtype={"customer_id": str}, parse_dates=["date"])
    return raw[["customer_id", "date", "amount"]].astype({"amount": "float64"})


@pytest.fixture(scope="module")
def cdnow_tx():
    from tests.conftest import shared_file

    return cdnow_transactions(shared_file("cdnow_sample.csv"))


@pytest.fixture(scope="module")
def result(cdnow_tx):
    return xs.backtest(cdnow_tx, "1997-09-30", horizon=39, unit="W", model="bgnbd")


def test_actual_holdout_counts_are_the_raw_occasions(cdnow_tx, result):
    """Independent count: distinct customer-days in the 39 weeks (273 days) after the split."""
    raw = pd.read_csv(xs_path(), dtype={"customer_id": str}, parse_dates=["date"])
    after = raw[(raw["date"] > "1997-09-30") & (raw["date"] <= "1998-06-30")]
    assert result.totals["actual_purchases"] == after.groupby(["customer_id", "date"]).ngroups
    assert result.totals["actual_revenue"] == pytest.approx(after["amount"].sum())
    assert result.totals["customers"] == 2357


def xs_path():
    from tests.conftest import shared_file

    return shared_file("cdnow_sample.csv")


def test_predictions_are_the_calibrated_model(result):
    bg = result.bgnbd
    assert bg.params["r"] == pytest.approx(0.2426, rel=1e-3)  # calibration = the published fit
    cust = result.customers
    one = cust.loc["1"]
    # 39 weeks ahead for customer 1 (x=2, t_x=30.43, T=38.86): 1.226 in the paper
    assert one["predicted_purchases"] == pytest.approx(1.226, rel=1e-3)
    np.testing.assert_allclose(cust["predicted_purchases"].sum(), result.totals["predicted_purchases"])


def test_segments_add_up_to_the_totals(result):
    seg = result.segments
    assert list(seg.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert seg["customers"].sum() == result.totals["customers"]
    for col in ("predicted_purchases", "actual_purchases", "predicted_revenue", "actual_revenue"):
        assert seg[col].sum() == pytest.approx(result.totals[col])
    # mean absolute error and correlation recomputed by hand on one group
    zero = result.customers[result.customers["segment"] == "0"]
    mae = (zero["predicted_purchases"] - zero["actual_purchases"]).abs().mean()
    assert seg.loc["0", "mae_purchases"] == pytest.approx(mae)
    corr = np.corrcoef(result.customers["predicted_purchases"], result.customers["actual_purchases"])[0, 1]
    assert result.totals["corr_purchases"] == pytest.approx(corr)


def test_model_is_trustworthy_on_cdnow(result):
    # the BG/NBD is known to track CDNOW's holdout well: within 20 % in total, correlation above 0.5
    assert 0.8 < result.totals["ratio_purchases"] < 1.2
    assert result.totals["corr_purchases"] > 0.5
    assert result.verdict("en").startswith("Predictions look trustworthy")
    assert result.verdict("fr").startswith("Les prédictions semblent fiables")


def test_custom_segments(cdnow_tx):
    groups = pd.Series({"1": "vip", "2": "vip"})
    out = xs.backtest(cdnow_tx, "1997-09-30", horizon=6, unit="M", segments=groups)
    assert set(out.segments.index) == {"vip", "(none)"}
    assert out.segments.loc["vip", "customers"] == 2


def test_default_horizon_runs_to_the_last_date(cdnow_tx):
    out = xs.backtest(cdnow_tx, "1998-01-31", unit="D")
    assert out.horizon == (pd.Timestamp("1998-06-30") - pd.Timestamp("1998-01-31")).days


def test_split_outside_the_data(cdnow_tx):
    with pytest.raises(ValueError, match="split_date"):
        xs.backtest(cdnow_tx, "1999-01-01")
    with pytest.raises(ValueError, match="split_date"):
        xs.backtest(cdnow_tx, "1990-01-01")


def test_bad_horizon(cdnow_tx):
    with pytest.raises(ValueError, match="horizon"):
        xs.backtest(cdnow_tx, "1997-09-30", horizon=-3)


def test_input_not_modified(cdnow_tx):
    before = cdnow_tx.copy()
    xs.backtest(cdnow_tx, "1997-09-30", horizon=3, unit="M")
    pd.testing.assert_frame_equal(cdnow_tx, before)
