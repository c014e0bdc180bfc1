"""Pareto/NBD and MBG/NBD against the published CDNOW fit and lifetimes' fitters on the same summary."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from tests.test_clv_reference import cdnow_transactions
from xlsegment.clv import mbgnbd_log_likelihood, paretonbd_log_likelihood

REL = 1e-3


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    from tests.conftest import shared_file

    return xs.summarize(
        cdnow_transactions(shared_file("cdnow_sample.csv")), as_of="1997-09-30", time_unit="W"
    )


@pytest.fixture(scope="module")
def pareto(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the reference fit must not warn
        return xs.fit_pareto_nbd(cdnow_summary)


@pytest.fixture(scope="module")
def mbg(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return xs.fit_mbgnbd(cdnow_summary)


def xtT(summary):
    return summary["repeat_days"], summary["t_x"], summary["T"]


def test_cdnow_btyd_inputs_by_day_equal_the_order_counts(cdnow_summary):
    # CDNOW has no order ids: an order is a customer-day, so purchase days and orders coincide
    assert (cdnow_summary["purchase_days"] == cdnow_summary["orders"]).all()
    assert (cdnow_summary["repeat_days"] == cdnow_summary["frequency"]).all()
    np.testing.assert_allclose(cdnow_summary["repeat_day_value"], cdnow_summary["monetary_value"])


def test_pareto_nbd_published_fit_from_the_raw_ledger(pareto):
    published = {"r": 0.5533, "alpha": 10.578, "s": 0.6062, "beta": 11.668}
    for name, value in published.items():
        assert pareto.params[name] == pytest.approx(value, rel=REL), name
    assert pareto.log_likelihood == pytest.approx(-9594.98, abs=0.005)
    assert pareto.converged and pareto.identified and not pareto.imprecise
    assert (pareto.n_customers, pareto.n_repeat_buyers, pareto.time_unit) == (2357, 946, "W")


def test_pareto_nbd_matches_lifetimes(cdnow_summary, pareto):
    from lifetimes import ParetoNBDFitter

    x, tx, T = xtT(cdnow_summary)
    ref = ParetoNBDFitter().fit(x, tx, T)
    for name in ("r", "alpha", "s", "beta"):
        assert pareto.params[name] == pytest.approx(ref.params_[name], rel=REL), name
    np.testing.assert_allclose(
        pareto.p_alive(x, tx, T), ref.conditional_probability_alive(x, tx, T), rtol=REL
    )
    np.testing.assert_allclose(
        pareto.expected_purchases(39, x, tx, T),
        ref.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T),
        rtol=REL,
    )
    # the formulas themselves agree to rounding at the same parameters
    ref.params_ = pd.Series(pareto.params)
    np.testing.assert_allclose(
        pareto.p_alive(x, tx, T), ref.conditional_probability_alive(x, tx, T), rtol=1e-8
    )
    np.testing.assert_allclose(
        pareto.expected_purchases(39, x, tx, T),
        ref.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T),
        rtol=1e-8,
    )
    t = np.array([1.0, 10.0, 78.0])
    np.testing.assert_allclose(
        pareto.unconditional_purchases(t), ref.expected_number_of_purchases_up_to_time(t), rtol=1e-8
    )
    nll = ref._negative_log_likelihood(list(pareto.params.values()), x, tx, T, np.ones(len(x)), 0.0)
    assert pareto.log_likelihood == pytest.approx(-nll, rel=1e-9)


def test_mbgnbd_matches_lifetimes(cdnow_summary, mbg):
    from lifetimes import ModifiedBetaGeoFitter

    x, tx, T = xtT(cdnow_summary)
    ref = ModifiedBetaGeoFitter().fit(x, tx, T)
    for name in ("r", "alpha", "a", "b"):
        assert mbg.params[name] == pytest.approx(ref.params_[name], rel=REL), name
    assert mbg.converged and mbg.identified
    ref.params_ = pd.Series(mbg.params)
    np.testing.assert_allclose(mbg.p_alive(x, tx, T), ref.conditional_probability_alive(x, tx, T), rtol=1e-8)
    np.testing.assert_allclose(
        mbg.expected_purchases(39, x, tx, T),
        ref.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T),
        rtol=1e-7,
    )
    t = np.array([1.0, 10.0, 78.0])
    np.testing.assert_allclose(
        mbg.unconditional_purchases(t), ref.expected_number_of_purchases_up_to_time(t), rtol=1e-7
    )
    ll = mbgnbd_log_likelihood(list(mbg.params.values()), x, tx, T)
    assert ll == pytest.approx(mbg.log_likelihood, rel=1e-9)
    ones = np.ones(len(x))
    nll = ref._negative_log_likelihood(np.log(ref.params_.to_numpy()), x, tx, T, ones, 0.0) * len(x)
    assert ll == pytest.approx(-nll, rel=1e-9)


def test_one_time_buyers_lapse_under_mbgnbd_and_pareto_but_not_bgnbd(pareto, mbg):
    T = np.array([5.0, 20.0, 40.0, 80.0])
    for model in (pareto, mbg):
        p = np.asarray(model.p_alive(0, 0.0, T))
        assert (np.diff(p) < 0).all() and p[-1] < 0.5, model.label
    bg = xs.BGNBDResult({"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}, -1.0, True, 0, 0, "W")
    np.testing.assert_allclose(bg.p_alive(0, 0.0, T), 1.0)


def test_analytic_gradients(cdnow_summary):
    from scipy import optimize

    from xlsegment.clv import mbgnbd as mbg_module
    from xlsegment.clv import pareto_nbd as pareto_module
    from xlsegment.clv.base import btyd_inputs, group_rows

    (gx, gtx, gT), w, _ = group_rows(*btyd_inputs(cdnow_summary, "test"))
    point = np.log([0.5, 8.0, 0.7, 2.0])
    data = (gx, gtx, gT, w)
    err = optimize.check_grad(
        lambda p: mbg_module._nll_grad(p, data)[0], lambda p: mbg_module._nll_grad(p, data)[1], point
    )
    assert err < 1e-4 * np.linalg.norm(mbg_module._nll_grad(point, data)[1])
    prepared = pareto_module._prepare(*data)
    # the 2F1 path, and the quadrature path (alpha far below beta: z near 1, where scipy's 2F1 is slow)
    for params in ([0.5, 8.0, 0.7, 2.0], [0.5, 0.5, 60.0, 5000.0]):
        point = np.log(params)
        _, slow = pareto_module._hyp_grouped(np.exp(point), prepared)
        assert slow.all() == (params[1] == 0.5)
        err = optimize.check_grad(
            lambda p: pareto_module._nll(p, prepared),
            lambda p: pareto_module._nll_grad(p, prepared)[1],
            point,
        )
        assert err < 1e-4 * np.linalg.norm(pareto_module._nll_grad(point, prepared)[1])


def test_pareto_quadrature_agrees_with_the_2f1_form(cdnow_summary):
    from xlsegment.clv import pareto_nbd as pareto_module

    x, tx, T = (np.asarray(v, dtype=float) for v in xtT(cdnow_summary))
    for params in ([0.55, 10.6, 0.61, 11.7], [0.55, 2.0, 3.0, 30.0], [2.0, 30.0, 0.5, 6.0]):
        (u1, slow1), (u2, slow2) = (pareto_module._hyp_parts(x, age, *params) for age in (tx, T))
        fast = ~(slow1 | slow2)
        assert fast.sum() > 500
        by_2f1 = pareto_module._log_a0_from_terms(u1, u2)[fast]
        by_quadrature = pareto_module._log_a0_quadrature(x[fast], tx[fast], T[fast], *params)[0]
        finite = np.isfinite(by_2f1)
        assert (finite == np.isfinite(by_quadrature)).all()
        np.testing.assert_allclose(by_quadrature[finite], by_2f1[finite], rtol=1e-9, atol=1e-9)


def test_pareto_likelihood_stays_finite_where_the_textbook_form_overflows():
    # a heavy buyer (x = 300) on a long history: 2F1 in the textbook form overflows
    ll = paretonbd_log_likelihood(
        [0.55, 10.6, 0.61, 11.7], [300, 0, 5], [70.0, 0.0, 30.0], [78.0, 78.0, 78.0]
    )
    assert np.isfinite(ll)
    p = xs.ParetoNBDResult({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}, -1.0, True, 0, 0, "W")
    assert 0 < p.p_alive(300, 70.0, 78.0) < 1
    assert np.isfinite(p.expected_purchases(52, 300, 70.0, 78.0))


def test_iteration_cap_is_not_convergence(cdnow_summary):
    with pytest.warns(xs.ModelWarning, match="iteration limit"):
        fit = xs.fit_pareto_nbd(cdnow_summary, max_iterations=3)
    assert not fit.converged


def test_gamma_gamma_without_spend_heterogeneity_is_not_identified():
    """Every customer with the same spend scale: q runs off to infinity, the fit is never called converged."""
    rng = np.random.default_rng(3)
    n = 3000
    x = rng.integers(1, 8, n).astype(float)
    m = rng.gamma(6.0 * x, 5.0 / x)  # mean of x purchases of Gamma(6, nu = 0.2) each, nu the same for all
    summary = pd.DataFrame({"frequency": x, "monetary_value": m})
    with pytest.warns(xs.ModelWarning):
        fit = xs.fit_gamma_gamma(summary)
    assert not fit.converged and not fit.identified and fit.params["q"] > 1e3
    assert any("ran to a limit" in w for w in fit.warnings)
    verdict = xs.clv.reliability_table({"gamma_gamma": fit})
    assert verdict.loc[0, "verdict"] == "not_reliable" and verdict.loc[0, "reason"] == "not_identified"
    assert "not reliable: the data cannot pin down its parameters" in verdict.loc[0, "text_en"]


@pytest.mark.slow
def test_default_model_lets_one_time_buyers_lapse_on_cdnow_master():
    from tests.conftest import shared_file

    tx = cdnow_transactions(shared_file("cdnow_master.csv"))
    summary = xs.summarize(tx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", xs.ModelWarning)
        out = xs.predict_clv(summary, transactions=tx)
    choice = out.attrs["choice"]
    assert choice.rule == "backtest" and choice.model in ("mbgnbd", "pareto_nbd")
    assert set(choice.scores.index) == {"bgnbd", "mbgnbd", "pareto_nbd"}
    name = {"mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}[choice.model]
    assert choice.text("fr").startswith(f"Modèle : {name}, choisi par un test sur la période récente")
    assert choice.text("en").startswith(f"Model: {name}, chosen by a holdout test")
    once = summary["repeat_days"] == 0
    frame = pd.DataFrame({"recency": summary.loc[once, "recency"], "p": out.loc[once, "p_alive"]})
    by_recency = frame.groupby("recency")["p"].agg(["min", "max"]).sort_index()
    assert len(by_recency) > 50
    assert (by_recency["max"].to_numpy()[1:] < by_recency["min"].to_numpy()[:-1]).all()
    assert (out["p_alive"] < 1).all() and out["clv"].notna().all()
