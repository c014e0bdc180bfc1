"""Predictive CLV per customer: P(alive), expected purchases and order value, discounted value over a horizon."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, check_unit, numeric_column, require_columns, summary_unit, warn
from xlsegment.clv.bgnbd import BGNBDResult, _bgnbd_inputs, fit_bgnbd, group_rows
from xlsegment.clv.gamma_gamma import GammaGammaResult, fit_gamma_gamma

MAX_STEPS = 120


def discount_factors(times_years: np.ndarray, discount_rate: float) -> np.ndarray:
    """Present-value factors (1 + yearly rate) ** -t for times in years."""
    if discount_rate <= -1:
        raise ValueError(
            f"discount_rate must be greater than -1 (a yearly rate such as 0.1), got {discount_rate}"
        )
    return (1.0 + discount_rate) ** (-np.asarray(times_years, dtype=float))


def predict_clv(
    summary: pd.DataFrame,
    horizon: float = 12,
    unit: str = "M",
    discount_rate: float = 0.1,
    bgnbd: BGNBDResult | None = None,
    gamma_gamma: GammaGammaResult | None = None,
    margin_rate: float | None = None,
) -> pd.DataFrame:
    """Per customer: p_alive, expected_purchases and clv over `horizon` `unit`s (D, W, M = 30.4375 days, Y).

    Fits BG/NBD and Gamma-Gamma on the summary unless fitted results are given. `discount_rate` is yearly;
    purchases are discounted at the end of each step (one `unit`, or horizon / 120 when finer). `clv` is
    revenue; `clv_margin` is added from `margin_rate` (a number) or the summary's margin_rate column.
    Returns a frame indexed by customer_id; the fit results are in attrs['bgnbd'] and attrs['gamma_gamma'].
    """
    unit = check_unit(unit)
    if not np.isfinite(horizon) or horizon < 0:
        raise ValueError(f"horizon must be a non-negative number of {unit} periods, got {horizon!r}")
    discount_factors(np.zeros(1), discount_rate)  # validates the rate
    model_unit = summary_unit(summary)
    x, tx, T = _bgnbd_inputs(summary)
    if bgnbd is None:
        bgnbd = fit_bgnbd(summary)
    elif bgnbd.time_unit != model_unit:
        raise ValueError(
            f"the BG/NBD model was fitted in unit {bgnbd.time_unit!r} but the summary is in {model_unit!r}; "
            "refit on this summary or summarize with the same time_unit"
        )

    n = len(x)
    out = pd.DataFrame(index=summary.index.copy())
    out.index.name = summary.index.name or "customer_id"

    # time grid of the horizon, in the model's unit, with the discount factor at each step end
    steps = max(1, min(MAX_STEPS, math.ceil(horizon))) if horizon > 0 else 0
    grid = np.linspace(0.0, horizon, steps + 1)
    grid_days = grid * UNIT_DAYS[unit]
    grid_model = grid_days / UNIT_DAYS[model_unit]
    disc = discount_factors(grid_days[1:] / UNIT_DAYS["Y"], discount_rate)

    if bgnbd.usable:
        (gx, gtx, gT), _, inverse = group_rows(x, tx, T)
        p_alive = np.asarray(bgnbd.p_alive(gx, gtx, gT))[inverse]
        if steps:
            cum = np.column_stack(
                [np.asarray(bgnbd.expected_purchases(t, gx, gtx, gT)) for t in grid_model[1:]]
            )
            increments = np.diff(np.column_stack([np.zeros(len(gx)), cum]), axis=1)
            expected = cum[:, -1][inverse]
            discounted = (np.clip(increments, 0.0, None) @ disc)[inverse]
        else:
            expected = discounted = np.zeros(n)
    else:
        warn("BG/NBD model not usable on this data: p_alive, expected purchases and CLV are left empty")
        p_alive = expected = discounted = np.full(n, np.nan)

    if gamma_gamma is None and "monetary_value" in summary.columns:
        gamma_gamma = fit_gamma_gamma(summary)
    aov = _expected_aov(summary, x, gamma_gamma)
    out["p_alive"] = p_alive
    out["expected_purchases"] = expected
    out["expected_aov"] = aov
    out["clv"] = discounted * aov
    rate = _margin_rate(summary, margin_rate)
    if rate is not None:
        out["clv_margin"] = out["clv"].to_numpy() * rate
    out.attrs.update(
        {
            "horizon": float(horizon),
            "unit": unit,
            "discount_rate": float(discount_rate),
            "bgnbd": bgnbd,
            "gamma_gamma": gamma_gamma,
        }
    )
    return out


def _expected_aov(summary: pd.DataFrame, x: np.ndarray, gamma_gamma: GammaGammaResult | None) -> np.ndarray:
    """Gamma-Gamma expected order value; the observed basket when the spend model cannot be used."""
    if gamma_gamma is not None and gamma_gamma.usable:
        m = pd.to_numeric(summary["monetary_value"], errors="coerce").to_numpy(dtype=float)
        return np.asarray(gamma_gamma.expected_aov(x, m), dtype=float)
    if "basket" in summary.columns:
        warn(
            "Gamma-Gamma spend model not usable: the observed average basket is used as expected order value"
        )
        return np.clip(pd.to_numeric(summary["basket"], errors="coerce").to_numpy(dtype=float), 0.0, None)
    require_columns(summary, ["monetary_value"], "predict_clv (expected order value)")
    return np.full(len(x), np.nan)


def _margin_rate(summary: pd.DataFrame, margin_rate: float | None) -> np.ndarray | float | None:
    if margin_rate is not None:
        return float(margin_rate)
    if "margin_rate" in summary.columns:
        return numeric_column(
            summary.fillna({"margin_rate": 0.0}), "margin_rate", "predict_clv", nonnegative=False
        )
    return None
