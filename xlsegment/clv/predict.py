"""Predictive CLV per customer: P(alive), expected purchases and order value, discounted value over a horizon.

Figures a model cannot support are left empty with the reason, never filled with a population mean: when
the purchase model's verdict is "not reliable", p_alive, expected_purchases and clv are NaN and
`clv_reason` says why; when the spend model (Gamma-Gamma) is not reliable, each customer's own average
basket is the expected order value.

Discounting is continuous at the yearly rate, on a grid of at most a week whose purchases are discounted at
each step's middle, so the value depends on the horizon's length only: 1 Y = 12 M = 365.25 D.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, check_unit, numeric_column, require_columns, summary_unit, warn
from xlsegment.clv.base import BTYDResult, btyd_inputs, group_rows, spend_inputs
from xlsegment.clv.choice import DEFAULT_MODEL, ModelChoice, check_model, choose_model, fit_quietly
from xlsegment.clv.gamma_gamma import GammaGammaResult, fit_gamma_gamma
from xlsegment.clv.reliability import assess, reliability_table
from xlsegment.errors import say
from xlsegment.labels import check_lang, label

# discount grid: steps of at most a week; a horizon of more than MAX_STEPS weeks gets longer steps
STEP_DAYS = 7.0
MAX_STEPS = 600
PREDICTIVE_COLUMNS = ("p_alive", "expected_purchases", "expected_aov", "clv", "clv_margin")


def discount_factors(times_years: np.ndarray, discount_rate: float) -> np.ndarray:
    """Present-value factors (1 + yearly rate) ** -t for times in years."""
    if discount_rate <= -1:
        raise ValueError(
            f"discount_rate must be greater than -1 (a yearly rate such as 0.1), got {discount_rate}"
        )
    return (1.0 + discount_rate) ** (-np.asarray(times_years, dtype=float))


def horizon_grid(horizon_days: float) -> np.ndarray:
    """Step ends of the discount grid, in days from today (0 excluded): steps of at most STEP_DAYS."""
    if horizon_days <= 0:
        return np.zeros(0)
    steps = min(MAX_STEPS, max(1, math.ceil(horizon_days / STEP_DAYS - 1e-9)))
    return np.linspace(0.0, horizon_days, steps + 1)[1:]


def predict_clv(
    summary: pd.DataFrame,
    horizon: float = 12,
    unit: str = "M",
    discount_rate: float = 0.1,
    bgnbd: BTYDResult | None = None,
    gamma_gamma: GammaGammaResult | None = None,
    margin_rate: float | None = None,
    model: str = DEFAULT_MODEL,
    transactions: pd.DataFrame | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Per customer: p_alive, expected_purchases, expected_aov and clv over `horizon` `unit`s (D, W, M, Y).

    - `model`: "auto" (default: BG/NBD, MBG/NBD or Pareto/NBD chosen by a holdout test on `transactions`,
      or by likelihood when the history is too short; see `choice`), or one of "bgnbd", "mbgnbd",
      "pareto_nbd". A fitted purchase model given as `bgnbd` (any of the three) is used as it is.
    - `discount_rate` is yearly; `clv` is revenue; `clv_margin` is added from `margin_rate` (a number) or
      the summary's margin_rate column. `lang` is the language of `clv_reason`.
    Returns a frame indexed by customer_id; attrs hold the purchase model ('purchase_model', also under its
    code), 'gamma_gamma', the 'choice' (which model and why) and the 'reliability' table.
    """
    unit = check_unit(unit)
    lang = check_lang(lang)
    if not np.isfinite(horizon) or horizon < 0:
        raise ValueError(f"horizon must be a non-negative number of {unit} periods, got {horizon!r}")
    discount_factors(np.zeros(1), discount_rate)  # validates the rate
    model_unit = summary_unit(summary)
    x, tx, T = btyd_inputs(summary, "predict_clv")
    purchase, choice, fitted = _purchase_model(summary, bgnbd, check_model(model), transactions)
    if purchase.time_unit != model_unit:
        raise ValueError(
            f"the {purchase.label} model was fitted in unit {purchase.time_unit!r} but the summary is in "
            f"{model_unit!r}; refit on this summary or summarize with the same time_unit"
        )
    if gamma_gamma is None:
        gamma_gamma = fit_gamma_gamma(summary)
    choice_scores = choice.scores if choice.rule == "backtest" else None
    reliability = reliability_table(
        {**fitted, "gamma_gamma": gamma_gamma}, choice_scores, used=(choice.model, "gamma_gamma")
    )
    verdict = reliability.set_index("model").loc[choice.model]

    out = pd.DataFrame(index=summary.index.copy())
    out.index.name = summary.index.name or "customer_id"
    horizon_days = float(horizon) * UNIT_DAYS[unit]
    if verdict["verdict"] == "not_reliable":
        p_alive = expected = discounted = np.full(len(x), np.nan)
        reason = label("clv.reason.not_reliable", lang).format(reason=verdict[f"text_{lang}"])
    else:
        p_alive, expected, discounted = _purchases(
            purchase, x, tx, T, horizon_days, model_unit, discount_rate
        )
        reason = ""
    aov, aov_note = _expected_aov(summary, gamma_gamma, lang)
    out["p_alive"] = p_alive
    out["expected_purchases"] = expected
    out["expected_aov"] = aov
    out["clv"] = discounted * aov
    rate = _margin_rate(summary, margin_rate)
    if rate is not None:
        out["clv_margin"] = out["clv"].to_numpy() * rate
    out["clv_reason"] = " ".join(t for t in (reason, aov_note) if t)
    out.attrs.update(
        {
            "horizon": float(horizon),
            "unit": unit,
            "discount_rate": float(discount_rate),
            "model": choice.model,
            "purchase_model": purchase,
            choice.model: purchase,
            "gamma_gamma": gamma_gamma,
            "choice": choice,
            "reliability": reliability,
        }
    )
    return out


def _purchase_model(
    summary: pd.DataFrame, given: BTYDResult | None, code: str, transactions: pd.DataFrame | None
) -> tuple[BTYDResult, ModelChoice, dict[str, BTYDResult]]:
    """The purchase model (given, requested or chosen), how it was chosen, and every model fitted."""
    if given is not None:
        return given, ModelChoice(given.code, "given" if given.given else "requested"), {given.code: given}
    if code != "auto":
        fitted = fit_quietly(code, summary)
        for note in fitted.warnings:
            warn(note)
        return fitted, ModelChoice(code, "requested"), {code: fitted}
    choice, fitted = choose_model(summary, transactions)
    for note in fitted[choice.model].warnings:
        warn(note)
    return fitted[choice.model], choice, fitted


def _purchases(
    model: BTYDResult, x, tx, T, horizon_days: float, model_unit: str, discount_rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(alive), expected purchases over the horizon and their discounted count, per customer."""
    (gx, gtx, gT), _, inverse = group_rows(x, tx, T)
    p_alive = np.asarray(model.p_alive(gx, gtx, gT), dtype=float)[inverse]
    ends = horizon_grid(horizon_days)
    if not len(ends):
        zeros = np.zeros(len(x))
        return p_alive, zeros, zeros
    cum = model.expected_purchases_at(ends / UNIT_DAYS[model_unit], gx, gtx, gT).T
    increments = np.clip(np.diff(np.column_stack([np.zeros(len(gx)), cum]), axis=1), 0.0, None)
    middles = (ends - 0.5 * np.diff(np.r_[0.0, ends])) / UNIT_DAYS["Y"]
    discounted = increments @ discount_factors(middles, discount_rate)
    return p_alive, cum[:, -1][inverse], discounted[inverse]


def _expected_aov(
    summary: pd.DataFrame, gamma_gamma: GammaGammaResult | None, lang: str
) -> tuple[np.ndarray, str]:
    """Gamma-Gamma expected order value when its verdict allows; else each customer's own average basket,
    with the sentence saying so."""
    verdict, _ = assess(gamma_gamma)
    if gamma_gamma is not None and gamma_gamma.usable and verdict != "not_reliable":
        x, m = spend_inputs(summary, "predict_clv (expected order value)")
        return np.asarray(gamma_gamma.expected_aov(x, m), dtype=float), ""
    note = label("clv.reliability.consequence.spend", lang)
    if "basket" in summary.columns:
        warn(say("clv.note.gg_basket"))
        return np.clip(
            pd.to_numeric(summary["basket"], errors="coerce").to_numpy(dtype=float), 0.0, None
        ), note
    require_columns(summary, ["monetary_value"], "predict_clv (expected order value)")
    return np.full(len(summary), np.nan), ""


def _margin_rate(summary: pd.DataFrame, margin_rate: float | None) -> np.ndarray | float | None:
    if margin_rate is not None:
        return float(margin_rate)
    if "margin_rate" in summary.columns:
        return numeric_column(
            summary.fillna({"margin_rate": 0.0}), "margin_rate", "predict_clv", nonnegative=False
        )
    return None
