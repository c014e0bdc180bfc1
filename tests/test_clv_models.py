"""BG/NBD, Gamma-Gamma and predict_clv on degenerate and bad inputs, units, discounting and margins."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs
from xlsegment.clv import (
    BGNBDResult,
    GammaGammaResult,
    ModelWarning,
    bgnbd_expected_purchases,
)

CDNOW_BG = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}
CDNOW_GG = {"p": 6.2488, "q": 3.7446, "gamma": 15.4477}


def ledger(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def hand_summary(x, t_x, T, m=None, unit="W", **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"frequency": x, "t_x": t_x, "T": T},
        index=pd.Index([f"c{i}" for i in range(len(x))], name="customer_id"),
    )
    if m is not None:
        frame["monetary_value"] = m
    for name, values in extra.items():
        frame[name] = values
    frame.attrs["time_unit"] = unit
    return frame


def fitted(unit="W") -> tuple[BGNBDResult, GammaGammaResult]:
    # parameters typed in (no customers counted): used as given
    bg = BGNBDResult(dict(CDNOW_BG), -1.0, True, 0, 0, unit)
    gg = GammaGammaResult(dict(CDNOW_GG), -1.0, True, 0, 0, 0)
    return bg, gg


def cdnow_transactions(path) -> pd.DataFrame:
    """The CDNOW ledger as canonical transactions (customer_id text, date, amount), read with pandas."""
    raw = pd.read_csv(path, dtype={"customer_id": str}, parse_dates=["date"])
    return raw[["customer_id", "date", "amount"]].astype({"amount": "float64"})


@pytest.fixture(scope="module")
def cdnow_summary():
    from tests.conftest import shared_file

    return xs.summarize(
        cdnow_transactions(shared_file("cdnow_sample.csv")), as_of="1997-09-30", time_unit="W"
    )


# ---------------------------------------------------------------- degenerate data


def test_no_repeat_buyers_warns_and_gives_no_model():
    summary = xs.summarize(
        ledger([(c, f"2024-0{i + 1}-01", 10.0) for i, c in enumerate("abcde")]), time_unit="W"
    )
    with pytest.warns(ModelWarning, match="none of the 5 customers bought on two different days"):
        fit = xs.fit_bgnbd(summary)
    assert not fit.usable and not fit.identified and not fit.converged
    assert fit.n_repeat_buyers == 0
    with pytest.warns(ModelWarning):
        pred = xs.predict_clv(summary)
    assert pred["p_alive"].isna().all() and pred["clv"].isna().all()
    assert list(pred.columns) == ["p_alive", "expected_purchases", "expected_aov", "clv", "clv_reason"]
    assert (
        pred["clv_reason"].str.startswith("Not predicted: MBG/NBD: not reliable: it cannot be fitted").all()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        simple = xs.simple_clv(summary, unit="M", lifetime=12)
    assert (simple["clv_simple"] > 0).all()


def test_one_customer():
    summary = xs.summarize(ledger([("a", "2024-01-01", 10.0), ("a", "2024-03-01", 20.0)]), as_of="2024-06-30")
    with pytest.warns(ModelWarning) as record:
        fit = xs.fit_bgnbd(summary)
    messages = " | ".join(str(w.message) for w in record)
    assert "poorly identified" in messages and "ran to a limit" in messages
    assert fit.n_customers == 1 and not fit.identified
    with pytest.warns(ModelWarning, match="cannot be fitted"):
        gg = xs.fit_gamma_gamma(summary)
    assert not gg.usable


def test_all_purchases_on_one_day():
    summary = xs.summarize(ledger([(c, "2024-05-01", 10.0) for c in "abc"] + [("a", "2024-05-01", 5.0)]))
    with pytest.warns(ModelWarning, match="cannot be fitted"):
        fit = xs.fit_bgnbd(summary)
    assert not fit.usable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        simple = xs.simple_clv(summary, lifetime=2)
    assert np.isfinite(simple["clv_simple"]).all()


def test_few_repeat_buyers_warn(cdnow_summary):
    few = cdnow_summary[(cdnow_summary["frequency"] == 0) | (cdnow_summary.index.isin(["1", "2", "3", "4"]))]
    few.attrs.update(cdnow_summary.attrs)
    with pytest.warns(ModelWarning, match="poorly identified"):
        fit = xs.fit_bgnbd(few)
    assert fit.n_repeat_buyers < 20 and not fit.identified


def test_gamma_gamma_excludes_zero_and_negative_values(cdnow_summary):
    summary = cdnow_summary.copy()
    repeaters = summary.index[summary["frequency"] > 0][:3]
    for column in ("monetary_value", "repeat_day_value"):  # equal on CDNOW (one order a day)
        summary.loc[repeaters, column] = [0.0, -12.5, np.nan]
    with pytest.warns(ModelWarning, match="3 repeat buyer"):
        gg = xs.fit_gamma_gamma(summary)
    assert gg.n_excluded_nonpositive == 3 and gg.n_customers == 943 and gg.usable
    x = summary.loc[repeaters, "frequency"].to_numpy(float)
    aov = np.asarray(gg.expected_aov(x, summary.loc[repeaters, "monetary_value"]))
    p, q, g = (gg.params[k] for k in ("p", "q", "gamma"))
    # zero and net-negative mean values get the conditional expectation at m = 0 (as lifetimes computes it),
    # below the population mean; a missing value says nothing about the customer: population mean
    np.testing.assert_allclose(aov[:2], p * g / (p * x[:2] + q - 1))
    assert (aov[:2] < gg.population_mean).all()
    assert aov[2] == pytest.approx(gg.population_mean)


def test_gamma_gamma_zero_mean_value_is_lifetimes_conditional_expectation(cdnow_summary):
    from lifetimes import GammaGammaFitter

    gg = xs.fit_gamma_gamma(cdnow_summary)
    ref = GammaGammaFitter()
    ref.params_ = pd.Series({"p": gg.params["p"], "q": gg.params["q"], "v": gg.params["gamma"]})
    x, m = pd.Series([1.0, 3.0, 7.0]), pd.Series([0.0, 0.0, 0.0])
    expected = ref.conditional_expected_average_profit(x, m).to_numpy()
    np.testing.assert_allclose(gg.expected_aov(x, m), expected, rtol=1e-9)
    assert gg.expected_aov(1, 0.0) < gg.population_mean


# ---------------------------------------------------------------- bad input


def test_t_x_greater_than_T_names_the_customer():
    with pytest.raises(ValueError, match="exceeds T.*'c1'"):
        xs.fit_bgnbd(hand_summary([1, 2], [3.0, 9.0], [5.0, 6.0]))


def test_negative_frequency_rejected():
    with pytest.raises(ValueError, match="frequency"):
        xs.fit_bgnbd(hand_summary([1, -1], [3.0, 0.0], [5.0, 6.0]))


def test_fractional_frequency_rejected():
    with pytest.raises(ValueError, match="whole"):
        xs.fit_bgnbd(hand_summary([1.5, 1], [3.0, 1.0], [5.0, 6.0]))


def test_missing_column_named():
    with pytest.raises(ValueError, match="t_x"):
        xs.fit_bgnbd(pd.DataFrame({"frequency": [1], "T": [2.0]}))


def test_not_a_frame():
    with pytest.raises(TypeError, match="DataFrame"):
        xs.fit_bgnbd([[1, 2, 3]])


def test_bad_time_unit_in_attrs():
    summary = hand_summary([1], [1.0], [2.0], unit="fortnight")
    with pytest.raises(ValueError, match="time unit"):
        xs.fit_bgnbd(summary)


def test_negative_horizon_rejected():
    bg, gg = fitted()
    with pytest.raises(ValueError, match="horizon"):
        xs.predict_clv(hand_summary([1], [1.0], [2.0], m=[10.0]), horizon=-1, bgnbd=bg, gamma_gamma=gg)


def test_model_unit_mismatch_rejected():
    bg, gg = fitted(unit="D")
    with pytest.raises(ValueError, match="unit"):
        xs.predict_clv(hand_summary([1], [1.0], [2.0], m=[10.0]), bgnbd=bg, gamma_gamma=gg)


# ---------------------------------------------------------------- predictions


def test_predict_clv_discounting_matches_a_fine_explicit_sum():
    """Each purchase discounted at its own moment: a sum over tenths of a day, to 1e-4."""
    bg, gg = fitted()
    summary = hand_summary([2, 0, 7], [30.43, 0.0, 20.0], [38.86, 38.86, 30.0], m=[22.345, 0.0, 40.0])
    out = xs.predict_clv(summary, horizon=12, unit="M", discount_rate=0.1, bgnbd=bg, gamma_gamma=gg)
    assert out.index.name == "customer_id"
    p = list(CDNOW_BG.values())
    x, tx, T = (summary[c].to_numpy() for c in ("frequency", "t_x", "T"))
    days = np.linspace(0, 365.25, 3653)
    cum = np.array([bgnbd_expected_purchases(d / 7, x, tx, T, *p) for d in days])
    middle = (days[1:] + days[:-1]) / 2
    value = (np.diff(cum, axis=0) * 1.1 ** (-middle / 365.25)[:, None]).sum(axis=0)
    np.testing.assert_allclose(out["clv"], value * out["expected_aov"], rtol=1e-4)


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_discounted_value_does_not_depend_on_how_the_horizon_is_written(rate):
    bg, gg = fitted()
    summary = hand_summary([2, 0, 7], [30.43, 0.0, 20.0], [38.86, 38.86, 30.0], m=[22.345, 0.0, 40.0])
    clv = {
        spelling: xs.predict_clv(summary, horizon=h, unit=u, discount_rate=rate, bgnbd=bg, gamma_gamma=gg)[
            "clv"
        ].to_numpy()
        for spelling, (h, u) in {"1Y": (1, "Y"), "12M": (12, "M"), "365.25D": (365.25, "D"),
                                 "52.18W": (365.25 / 7, "W")}.items()
    }  # fmt: skip
    for spelling in ("12M", "365.25D", "52.18W"):
        np.testing.assert_allclose(clv[spelling], clv["1Y"], rtol=1e-3, err_msg=spelling)
    assert (clv["1Y"] > 0).all()


def test_expected_purchases_are_the_horizon_end_value():
    bg, gg = fitted()
    summary = hand_summary([2, 0, 7], [30.43, 0.0, 20.0], [38.86, 38.86, 30.0], m=[22.345, 0.0, 40.0])
    out = xs.predict_clv(summary, horizon=12, unit="M", discount_rate=0.1, bgnbd=bg, gamma_gamma=gg)
    x, tx, T = (summary[c].to_numpy() for c in ("frequency", "t_x", "T"))
    expected = bgnbd_expected_purchases(365.25 / 7, x, tx, T, *CDNOW_BG.values())
    np.testing.assert_allclose(out["expected_purchases"], expected, rtol=1e-12)
    assert out.attrs["horizon"] == 12 and out.attrs["unit"] == "M"


def test_no_discount_is_purchases_times_order_value():
    bg, gg = fitted()
    summary = hand_summary([2, 0], [30.43, 0.0], [38.86, 10.0], m=[22.345, 0.0])
    out = xs.predict_clv(summary, horizon=1, unit="Y", discount_rate=0.0, bgnbd=bg, gamma_gamma=gg)
    np.testing.assert_allclose(out["clv"], out["expected_purchases"] * out["expected_aov"], rtol=1e-12)
    days = xs.predict_clv(summary, horizon=365.25, unit="D", discount_rate=0.0, bgnbd=bg, gamma_gamma=gg)
    np.testing.assert_allclose(days["expected_purchases"], out["expected_purchases"], rtol=1e-12)
    np.testing.assert_allclose(days["clv"], out["clv"], rtol=1e-9)


def test_zero_horizon_is_zero():
    bg, gg = fitted()
    out = xs.predict_clv(hand_summary([2], [30.0], [38.0], m=[20.0]), horizon=0, bgnbd=bg, gamma_gamma=gg)
    assert out.loc["c0", "clv"] == 0 and out.loc["c0", "expected_purchases"] == 0


def test_margin_columns():
    bg, gg = fitted()
    summary = hand_summary([2, 1], [30.0, 5.0], [38.0, 20.0], m=[20.0, 30.0], margin_rate=[0.25, 0.5])
    out = xs.predict_clv(summary, bgnbd=bg, gamma_gamma=gg)
    np.testing.assert_allclose(out["clv_margin"], out["clv"] * [0.25, 0.5])
    fixed = xs.predict_clv(summary, bgnbd=bg, gamma_gamma=gg, margin_rate=0.4)
    np.testing.assert_allclose(fixed["clv_margin"], fixed["clv"] * 0.4)


def test_unusable_spend_model_falls_back_to_basket():
    bg, _ = fitted()
    gg = GammaGammaResult({"p": 1.0, "q": 0.5, "gamma": 1.0}, -1.0, True, 0, 0, 0)
    summary = hand_summary([2], [30.0], [38.0], m=[20.0], basket=[33.0])
    with pytest.warns(ModelWarning, match="basket"):
        out = xs.predict_clv(summary, bgnbd=bg, gamma_gamma=gg)
    assert out.loc["c0", "expected_aov"] == 33.0


def test_predict_clv_fits_both_models_when_not_given(cdnow_summary):
    out = xs.predict_clv(cdnow_summary, horizon=39, unit="W", discount_rate=0.0, model="bgnbd")
    assert out.attrs["model"] == "bgnbd" and out.attrs["choice"].rule == "requested"
    assert out.attrs["bgnbd"].params["r"] == pytest.approx(0.2426, rel=1e-3)
    assert out.attrs["gamma_gamma"].params["p"] == pytest.approx(6.2488, rel=1e-3)
    assert out.loc["1", "expected_purchases"] == pytest.approx(1.226, rel=1e-3)
    assert len(out) == len(cdnow_summary)


def test_summary_is_not_modified(cdnow_summary):
    before = cdnow_summary.copy()
    xs.predict_clv(cdnow_summary)
    pd.testing.assert_frame_equal(cdnow_summary, before)


def test_predictions_do_not_depend_on_the_summary_time_unit():
    """Fitted in days, weeks or months, the same ledger gives the same P(alive), purchases and CLV."""
    from tests.conftest import shared_file

    tx = cdnow_transactions(shared_file("cdnow_sample.csv"))
    outs = {}
    lls = {}
    for unit in ("D", "W", "M"):
        summary = xs.summarize(tx, as_of="1997-09-30", time_unit=unit)
        out = xs.predict_clv(summary, horizon=6, unit="M", discount_rate=0.1, model="bgnbd")
        outs[unit] = out
        lls[unit] = out.attrs["bgnbd"].log_likelihood - summary["repeat_days"].sum() * np.log(
            xs.clv.UNIT_DAYS[unit]
        )  # a purchase-time density in days is the density in weeks / 7: one such factor per repeat purchase
    for unit in ("D", "M"):
        for col in ("p_alive", "expected_purchases", "clv"):
            np.testing.assert_allclose(
                outs[unit][col], outs["W"][col], rtol=2e-4, atol=1e-9, err_msg=f"{unit} {col}"
            )
        assert lls[unit] == pytest.approx(lls["W"], rel=1e-9)
