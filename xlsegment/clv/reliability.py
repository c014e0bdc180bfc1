"""Reliability verdict per CLV model: can the shop trust its per-customer predictions? (contract 2)

One verdict per fitted model, from the fit's own checks and the holdout backtest when there is one:
- not_reliable: the model could not be fitted, too few customers bought on two different days, the data do
  not identify it, or it did not converge. Its per-customer predictions are then left empty, with the reason;
- uncertain: fitted and identified, but the holdout error is high, fewer than FEW_REPEAT_BUYERS customers
  bought again, or some parameters are loosely determined;
- reliable: none of the above (or parameters the user typed in).
The thresholds are named here once; the sentences live in rules/labels_clv.csv (French and English).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xlsegment.clv.base import FitResult
from xlsegment.labels import check_lang, label

VERDICTS = ("reliable", "uncertain", "not_reliable")
# customers who bought on two different days (purchase models) or with a positive repeat value (spend
# model): below MIN_REPEAT_BUYERS nothing per customer is shown, below FEW_REPEAT_BUYERS it is "uncertain"
MIN_REPEAT_BUYERS = 20
FEW_REPEAT_BUYERS = 100
# holdout backtest: predicted / actual purchases further than this from 1, or a correlation below the floor
MAX_BACKTEST_GAP = 0.5
MIN_BACKTEST_CORR = 0.3
COLUMNS = ["model", "verdict", "reason", "text_fr", "text_en", "used"]


def assess(result: FitResult | None, backtest: pd.Series | None = None) -> tuple[str, str]:
    """(verdict, reason code) of one fitted model; `backtest` is a row of holdout figures
    (`ratio_purchases`, `corr_purchases`) when the model was tested on a holdout."""
    if result is None or not result.usable:
        return "not_reliable", "not_fitted"
    if result.given:
        return "reliable", "given"
    repeat = getattr(result, "n_repeat_buyers", getattr(result, "n_customers", 0))
    if repeat < MIN_REPEAT_BUYERS:
        return "not_reliable", "too_few_repeat_buyers"
    if not result.identified:
        return "not_reliable", "not_identified"
    if not result.converged:
        return "not_reliable", "not_converged"
    if backtest is not None and _backtest_weak(backtest):
        return "uncertain", "backtest_error_high"
    if repeat < FEW_REPEAT_BUYERS:
        return "uncertain", "few_repeat_buyers"
    if result.imprecise:
        return "uncertain", "imprecise"
    return "reliable", "ok"


def _backtest_weak(row: pd.Series) -> bool:
    ratio, corr = float(row.get("ratio_purchases", np.nan)), float(row.get("corr_purchases", np.nan))
    return not (np.isfinite(ratio) and abs(ratio - 1) <= MAX_BACKTEST_GAP) or not (
        np.isfinite(corr) and corr >= MIN_BACKTEST_CORR
    )


def sentence(result: FitResult | None, code: str, verdict: str, reason: str, lang: str,
             backtest: pd.Series | None = None, used: bool = True) -> str:  # fmt: skip
    """The verdict in plain words, in `lang`, with what it means for the figures when a model the
    predictions use is not reliable."""
    lang = check_lang(lang)
    values: dict[str, Any] = {
        "model": label(f"clv.model.{code}", lang),
        "minimum": MIN_REPEAT_BUYERS,
        "enough": FEW_REPEAT_BUYERS,
        "repeat": getattr(result, "n_repeat_buyers", getattr(result, "n_customers", 0)) if result else 0,
        "params": ", ".join(result.imprecise) if result is not None else "",
        "ratio": _percent(float(backtest["ratio_purchases"]), lang) if backtest is not None else "",
        "corr": f"{float(backtest['corr_purchases']):.2f}" if backtest is not None else "",
    }
    if lang == "fr":
        values["corr"] = values["corr"].replace(".", ",")
    text = label(f"clv.reliability.{reason}", lang).format(**values)
    if verdict == "not_reliable" and used:
        kind = "spend" if code == "gamma_gamma" else "purchases"
        text += " " + label(f"clv.reliability.consequence.{kind}", lang)
    return text


def _percent(value: float, lang: str) -> str:
    if not np.isfinite(value):
        return "n/a" if lang == "en" else "n.d."
    return f"{value:.0%}" if lang == "en" else f"{value * 100:.0f} %"


def reliability_table(
    models: dict[str, FitResult | None],
    backtests: pd.DataFrame | None = None,
    used: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """One row per model (code -> fitted result): model, verdict, reason, text_fr, text_en, and `used`
    (the predictions rest on it; every model when `used` is None).

    `backtests` holds holdout figures indexed by model code (see `choice.choose_model`).
    """
    rows = []
    for code, result in models.items():
        bt = backtests.loc[code] if backtests is not None and code in backtests.index else None
        verdict, reason = assess(result, bt)
        in_use = used is None or code in used
        texts = {
            f"text_{lang}": sentence(result, code, verdict, reason, lang, bt, in_use) for lang in ("fr", "en")
        }
        rows.append({"model": code, "verdict": verdict, "reason": reason, **texts, "used": in_use})
    return pd.DataFrame(rows, columns=COLUMNS)


def verdict_sentences(analysis_or_frame: Any, lang: str = "en") -> list[str]:
    """Plain sentences for a report's first sheet: how the CLV model was chosen, then the verdict of each
    model the predictions use (the others are on the Model sheet).

    Accepts an `Analysis` (its `reliability` table and model choice) or a reliability table.
    """
    lang = check_lang(lang)
    frame = getattr(analysis_or_frame, "reliability", analysis_or_frame)
    out: list[str] = []
    model = getattr(analysis_or_frame, "model", None)
    choice = model.get("choice") if isinstance(model, dict) else None
    if choice is not None:
        out.append(choice.text(lang))
    if isinstance(frame, pd.DataFrame) and not frame.empty:
        shown = frame[frame["used"].astype(bool)] if "used" in frame.columns else frame
        out.extend(shown[f"text_{lang}"].astype(str).tolist())
    return out
