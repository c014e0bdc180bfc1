"""Backtest: calibrate the CLV models up to a split date, predict the holdout, compare with what happened.

So a user sees on their own ledger whether predicted purchases and revenue deserve trust: totals, correlation
and mean absolute error, overall and per group (by default, per number of repeat purchases before the split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, check_unit, require_columns
from xlsegment.clv.base import BTYDResult, btyd_inputs
from xlsegment.clv.choice import DEFAULT_MODEL
from xlsegment.clv.gamma_gamma import GammaGammaResult
from xlsegment.clv.holdout import calibration_summary, holdout_actuals
from xlsegment.clv.predict import predict_clv
from xlsegment.labels import check_lang, label
from xlsegment.summary import DEFAULT_TIME_UNIT

METRIC_COLUMNS = [
    "customers",
    "predicted_purchases",
    "actual_purchases",
    "ratio_purchases",
    "mae_purchases",
    "corr_purchases",
    "predicted_revenue",
    "actual_revenue",
    "ratio_revenue",
    "mae_revenue",
    "corr_revenue",
]


@dataclass
class BacktestResult:
    """Per-customer predictions and outcomes, per-group and overall comparison, and the models used."""

    customers: pd.DataFrame
    segments: pd.DataFrame
    totals: pd.Series
    split_date: pd.Timestamp
    horizon: float
    unit: str
    purchase_model: BTYDResult | None
    gamma_gamma: GammaGammaResult | None

    @property
    def bgnbd(self) -> BTYDResult | None:
        """The purchase model when it is BG/NBD (kept for callers of the first version)."""
        model = self.purchase_model
        return model if model is not None and model.code == "bgnbd" else None

    def verdict(self, lang: str = "en", min_corr: float = 0.5, max_gap: float = 0.2) -> str:
        """One sentence: trustworthy when the total is within `max_gap` and correlation >= `min_corr`."""
        lang = check_lang(lang)
        t = self.totals
        ratio = t["ratio_purchases"]
        corr = t["corr_purchases"]
        good = np.isfinite(ratio) and abs(ratio - 1) <= max_gap and np.isfinite(corr) and corr >= min_corr
        key = "clv.backtest.verdict_good" if good else "clv.backtest.verdict_weak"
        return label(key, lang).format(
            predicted=_fmt(t["predicted_purchases"], "{:,.0f}", lang),
            actual=_fmt(t["actual_purchases"], "{:,.0f}", lang),
            ratio=_fmt(ratio * 100, "{:.0f} %" if lang == "fr" else "{:.0f}%", lang),
            corr=_fmt(corr, "{:.2f}", lang),
        )


def _fmt(value: float, pattern: str, lang: str) -> str:
    """A number as text, French style (thin-space thousands, decimal comma) when lang is 'fr'."""
    if not np.isfinite(value):
        return "n/a" if lang == "en" else "n.d."
    text = pattern.format(value)
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def _metrics(frame: pd.DataFrame) -> pd.Series:
    out = {"customers": len(frame)}
    for what in ("purchases", "revenue"):
        pred = frame[f"predicted_{what}"].to_numpy(dtype=float)
        act = frame[f"actual_{what}"].to_numpy(dtype=float)
        ok = np.isfinite(pred)
        p_sum, a_sum = float(pred[ok].sum()), float(act[ok].sum())
        out[f"predicted_{what}"] = p_sum
        out[f"actual_{what}"] = a_sum
        out[f"ratio_{what}"] = p_sum / a_sum if a_sum else float("nan")
        out[f"mae_{what}"] = float(np.abs(pred[ok] - act[ok]).mean()) if ok.any() else float("nan")
        corr = float("nan")
        if ok.sum() >= 2 and np.std(pred[ok]) > 0 and np.std(act[ok]) > 0:
            corr = float(np.corrcoef(pred[ok], act[ok])[0, 1])
        out[f"corr_{what}"] = corr
    return pd.Series(out)[METRIC_COLUMNS]


def _default_groups(frequency: pd.Series, top: int = 7) -> pd.Series:
    """Groups by repeat purchases before the split: '0', '1', ..., f'{top}+'."""
    f = frequency.astype(int).clip(upper=top)
    return f.astype(str).where(f < top, f"{top}+")


def backtest(
    transactions: pd.DataFrame,
    split_date,
    horizon: float | None = None,
    unit: str = "M",
    time_unit: str = DEFAULT_TIME_UNIT,
    segments: pd.Series | str | None = None,
    model: str = DEFAULT_MODEL,
) -> BacktestResult:
    """Calibrate a purchase model + Gamma-Gamma on transactions up to `split_date`, predict `horizon` `unit`s
    after it, and compare with what customers did.

    - `transactions`: canonical transactions (customer_id, date, amount, order_id optional), see
      read_transactions; the input is not modified.
    - `horizon`: length of the holdout in `unit` (D, W, M = 30.4375 days, Y); None = up to the last date.
    - `time_unit`: the unit of the calibration summary and models (the package default; the models'
      predictions do not depend on it).
    - `segments`: a Series customer_id -> group, or the name of a summary column; default: repeat purchase
      days before the split (0, 1, ..., 7+).
    - `model`: the purchase model ("auto": chosen on the calibration summary by likelihood; or "bgnbd",
      "mbgnbd", "pareto_nbd").
    Only customers who bought by the split are scored; purchases are purchase days, as the models count
    them; predictions are undiscounted.
    """
    unit = check_unit(unit)
    require_columns(transactions, ["customer_id", "date", "amount"], "backtest (transactions)")
    split = pd.Timestamp(split_date).normalize()
    days = pd.to_datetime(transactions["date"]).dt.normalize()
    last = days.max()
    if days.min() > split or last <= split:
        raise ValueError(
            f"backtest: split_date {split.date()} must fall inside the data ({days.min().date()} to {last.date()}), "
            "with purchases on both sides"
        )
    if horizon is None:
        horizon = (last - split).days / UNIT_DAYS[unit]
    if not np.isfinite(horizon) or horizon <= 0:
        raise ValueError(f"backtest: horizon must be a positive number of {unit} periods, got {horizon!r}")
    end = split + pd.Timedelta(days=float(horizon) * UNIT_DAYS[unit])

    summary = calibration_summary(transactions, split, time_unit)
    predicted = predict_clv(summary, horizon=horizon, unit=unit, discount_rate=0.0, model=model)
    actual_n, actual_rev = holdout_actuals(transactions, summary.index, split, end)
    repeat_days = btyd_inputs(summary, "backtest")[0]

    out = pd.DataFrame(index=summary.index.copy())
    out.index.name = "customer_id"
    out["frequency_calibration"] = repeat_days
    out["p_alive"] = predicted["p_alive"].to_numpy()
    out["predicted_purchases"] = predicted["expected_purchases"].to_numpy()
    out["actual_purchases"] = actual_n
    out["predicted_revenue"] = (predicted["expected_purchases"] * predicted["expected_aov"]).to_numpy()
    out["actual_revenue"] = actual_rev
    if segments is None:
        groups = _default_groups(pd.Series(repeat_days, index=summary.index))
    elif isinstance(segments, str):
        require_columns(summary, [segments], "backtest (segments)")
        groups = summary[segments]
    else:
        groups = pd.Series(segments).reindex(summary.index)
    out["segment"] = groups.astype(object).where(groups.notna(), "(none)").to_numpy()

    per_group = pd.DataFrame(
        {
            name: _metrics(group)
            for name, group in out.drop(columns="segment").groupby(out["segment"], sort=True)
        }
    ).T[METRIC_COLUMNS]
    per_group["customers"] = per_group["customers"].astype(int)
    if segments is None:
        order = sorted(per_group.index, key=lambda s: int(str(s).rstrip("+")))
        per_group = per_group.loc[order]
    return BacktestResult(
        customers=out,
        segments=per_group,
        totals=_metrics(out),
        split_date=split,
        horizon=float(horizon),
        unit=unit,
        purchase_model=predicted.attrs.get("purchase_model"),
        gamma_gamma=predicted.attrs.get("gamma_gamma"),
    )
