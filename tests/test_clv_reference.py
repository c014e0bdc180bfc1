"""CLV models against the published CDNOW results (Fader, Hardie & Lee 2005; Fader & Hardie 2013) and lifetimes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

import xlsegment as xs
from xlsegment.clv import bgnbd as bgnbd_module
from xlsegment.clv import gamma_gamma as gg_module
from xlsegment.clv.base import btyd_inputs, group_rows

REL = 1e-3


def cdnow_transactions(path) -> pd.DataFrame:
    """The CDNOW ledger as canonical transactions (customer_id text, date, amount), read with pandas."""
    raw = pd.read_csv(path, dtype={"customer_id": str}, parse_dates=["date"])
    return raw[["customer_id", "date", "amount"]].astype({"amount": "float64"})


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    from tests.conftest import shared_file

    tx = cdnow_transactions(shared_file("cdnow_sample.csv"))
    return xs.summarize(tx, as_of="1997-09-30", time_unit="W")


@pytest.fixture(scope="module")
def models(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the reference fit must not warn
        return xs.fit_bgnbd(cdnow_summary), xs.fit_gamma_gamma(cdnow_summary)


def test_cdnow_summary_convention(cdnow_summary):
    # the published inputs: 2,357 customers, 2,457 repeat purchases, customer 1 with x=2, t_x=30.43, T=38.86
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["frequency"].sum() == 2457
    row = cdnow_summary.loc["1"]
    assert row["frequency"] == 2
    assert row["t_x"] == pytest.approx(30.43, abs=0.005)
    assert row["T"] == pytest.approx(38.86, abs=0.005)


def test_bgnbd_published_parameters(models):
    fit, _ = models
    expected = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
    for name, value in expected.items():
        assert fit.params[name] == pytest.approx(value, rel=REL), name
    assert fit.log_likelihood == pytest.approx(-9582.43, rel=1e-6)
    assert fit.converged and fit.identified
    assert fit.n_customers == 2357 and fit.n_repeat_buyers == 946
    assert fit.time_unit == "W"


def test_bgnbd_customer_one(models):
    fit, _ = models
    assert fit.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, rel=REL)
    assert fit.p_alive(2, 30.43, 38.86) == pytest.approx(0.727, rel=REL)


def test_bgnbd_unconditional_expectation(models):
    fit, _ = models
    t = np.array([0.1429, 1, 3, 31.8571, 32, 78])
    published = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(fit.unconditional_purchases(t), published, rtol=REL + 0.5e-4 / 0.0078)
    # the larger values carry 5 significant digits: hold them to 1e-3 strictly
    np.testing.assert_allclose(fit.unconditional_purchases(t[2:]), published[2:], rtol=REL)


def test_gamma_gamma_published_parameters(models):
    _, gg = models
    expected = {"p": 6.2488, "q": 3.7446, "gamma": 15.4477}
    for name, value in expected.items():
        assert gg.params[name] == pytest.approx(value, rel=REL), name
    assert gg.log_likelihood == pytest.approx(-4055.92, rel=1e-6)
    assert gg.n_customers == 946 and gg.n_excluded_nonpositive == 0


def test_gamma_gamma_first_ten_customers(cdnow_summary, models):
    _, gg = models
    # lifetimes' summary lists customers 1..10 in numeric order
    first_ten = cdnow_summary.loc[[str(i) for i in range(1, 11)]]
    got = gg.expected_aov(first_ten["frequency"].to_numpy(), first_ten["monetary_value"].to_numpy())
    published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    np.testing.assert_allclose(got, published, rtol=REL)


def test_loglik_matches_the_textbook_formula(cdnow_summary, models):
    """Independent check: the BG/NBD likelihood written directly (not in log space) at the fitted point."""
    fit, gg = models
    r, alpha, a, b = (fit.params[k] for k in ("r", "alpha", "a", "b"))
    x = cdnow_summary["frequency"].to_numpy(float)
    tx = cdnow_summary["t_x"].to_numpy(float)
    T = cdnow_summary["T"].to_numpy(float)
    A1 = special.gamma(r + x) * alpha**r / special.gamma(r)
    A2 = special.beta(a, b + x) / special.beta(a, b) * (alpha + T) ** -(r + x)
    A3 = np.where(x > 0, special.beta(a + 1, b + np.maximum(x, 1) - 1) / special.beta(a, b), 0) * (
        alpha + tx
    ) ** -(r + x)
    assert np.log(A1 * (A2 + A3)).sum() == pytest.approx(fit.log_likelihood, rel=1e-9)


def test_predictions_match_lifetimes(cdnow_summary, models):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    fit, gg = models
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series(fit.params)
    x, tx, T = (cdnow_summary[c] for c in ("frequency", "t_x", "T"))
    for t in (1, 13, 52, 260):
        ref = bgf.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T).to_numpy()
        np.testing.assert_allclose(
            fit.expected_purchases(t, x.to_numpy(), tx.to_numpy(), T.to_numpy()), ref, rtol=1e-8
        )
    np.testing.assert_allclose(
        fit.p_alive(x.to_numpy(), tx.to_numpy(), T.to_numpy()),
        bgf.conditional_probability_alive(x, tx, T),
        rtol=1e-10,
    )
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series({"p": gg.params["p"], "q": gg.params["q"], "v": gg.params["gamma"]})
    ref = ggf.conditional_expected_average_profit(cdnow_summary["frequency"], cdnow_summary["monetary_value"])
    np.testing.assert_allclose(
        gg.expected_aov(cdnow_summary["frequency"], cdnow_summary["monetary_value"]), ref, rtol=1e-10
    )


def test_analytic_gradients(cdnow_summary):
    x, tx, T = btyd_inputs(cdnow_summary, "test")
    (gx, gtx, gT), w, _ = group_rows(x, tx, T)
    point = np.log([0.3, 5.0, 0.8, 2.0])
    err = optimize.check_grad(
        lambda p: bgnbd_module._nll_grad(p, gx, gtx, gT, w)[0],
        lambda p: bgnbd_module._nll_grad(p, gx, gtx, gT, w)[1],
        point,
    )
    assert err < 1e-3 * np.linalg.norm(bgnbd_module._nll_grad(point, gx, gtx, gT, w)[1])
    rep = cdnow_summary[cdnow_summary["frequency"] > 0]
    xm, m = rep["frequency"].to_numpy(float), rep["monetary_value"].to_numpy(float)
    point = np.log([5.0, 3.0, 12.0])
    ones = np.ones_like(xm)
    err = optimize.check_grad(
        lambda p: gg_module._nll_grad(p, xm, m, ones)[0],
        lambda p: gg_module._nll_grad(p, xm, m, ones)[1],
        point,
    )
    assert err < 1e-3 * np.linalg.norm(gg_module._nll_grad(point, xm, m, ones)[1])


def test_grouping_does_not_change_the_likelihood(cdnow_summary, models):
    fit, _ = models
    params = [fit.params[k] for k in ("r", "alpha", "a", "b")]
    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "t_x", "T"))
    (gx, gtx, gT), w, inverse = group_rows(x, tx, T)
    assert len(gx) < len(x)
    np.testing.assert_array_equal(gx[inverse], x)
    np.testing.assert_array_equal(gT[inverse], T)
    assert xs.clv.bgnbd_log_likelihood(params, gx, gtx, gT, w) == pytest.approx(
        xs.clv.bgnbd_log_likelihood(params, x, tx, T), rel=1e-12
    )


def test_large_frequency_is_stable(models):
    """Euler's transformation keeps E[Y(t)] finite where the textbook 2F1 form overflows."""
    fit, _ = models
    value = fit.expected_purchases(39, 2000, 38.0, 38.86)
    assert np.isfinite(value) and value > 0
    assert 0 <= fit.p_alive(2000, 38.0, 38.86) <= 1
