"""Which purchase model to trust on this ledger: BG/NBD, MBG/NBD or Pareto/NBD (`predict_clv(model="auto")`).

The rule, in order:
1. every model is fitted on the whole history; a model whose verdict is "not reliable" is not a candidate;
   when none is left the choice says so ("none_reliable": the predictive columns stay empty) and names the
   best-fitting model only for the Model sheet;
2. with at least MIN_HISTORY_DAYS of history, the last third (at most a year) is held out: each candidate is
   refitted on the purchases before it and the one whose predicted purchase days per customer miss the
   actual ones by the least (mean absolute error) wins; scores within SCORE_TIE of the best count as a tie;
3. otherwise (short history, no transactions, too few repeat buyers before the holdout) the candidate with
   the highest likelihood on the whole history wins (the three have four parameters, so this is also AIC);
ties go to the first of AUTO_ORDER: MBG/NBD and Pareto/NBD before BG/NBD, because they let one-time buyers
lapse too (under BG/NBD a customer who bought once is "alive" for ever).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.clv._units import UNIT_DAYS, summary_unit
from xlsegment.clv.base import BTYDResult, btyd_inputs, group_rows
from xlsegment.clv.bgnbd import fit_bgnbd
from xlsegment.clv.holdout import (
    MIN_HISTORY_DAYS,
    automatic_split,
    calibration_summary,
    history_days,
    holdout_actuals,
)
from xlsegment.clv.mbgnbd import fit_mbgnbd
from xlsegment.clv.pareto_nbd import fit_pareto_nbd
from xlsegment.clv.reliability import MIN_REPEAT_BUYERS, assess
from xlsegment.labels import check_lang, day_text, label

FITTERS: dict[str, Callable[..., BTYDResult]] = {
    "bgnbd": fit_bgnbd,
    "mbgnbd": fit_mbgnbd,
    "pareto_nbd": fit_pareto_nbd,
}
AUTO_ORDER = ("mbgnbd", "pareto_nbd", "bgnbd")
DEFAULT_MODEL = "auto"
SCORE_TIE = 0.02


@dataclass
class ModelChoice:
    """The purchase model used, the rule that chose it (backtest, likelihood, requested, given) and why."""

    model: str
    rule: str
    detail: dict[str, Any] = field(default_factory=dict)
    scores: pd.DataFrame | None = None

    def text(self, lang: str = "en") -> str:
        """One sentence saying which model and why, in `lang`."""
        lang = check_lang(lang)
        values = {"model": label(f"clv.model.{self.model}", lang), **self.detail}
        if self.rule == "backtest":
            values["split"] = _date(self.detail["split"], lang)
            values["scores"] = ", ".join(
                f"{label(f'clv.model.{code}', lang)} {_number(mae, lang)}"
                for code, mae in self.scores["mae_purchases"].sort_values().items()
            )
        key = self.rule
        if self.rule == "backtest" and self.scores["mae_purchases"].idxmin() != self.model:
            key = "backtest_tie"  # within SCORE_TIE of the best, first of AUTO_ORDER
            values["tie"] = f"{SCORE_TIE:.0%}" if lang == "en" else f"{SCORE_TIE * 100:.0f}\u00a0%"
        if self.rule == "likelihood":
            values["why"] = label(f"clv.choice.{self.detail['why']}", lang).format(**self.detail)
        return label(f"clv.choice.{key}", lang).format(**values)

    def __str__(self) -> str:
        return self.text("en")


def _date(value: pd.Timestamp, lang: str) -> str:
    return day_text(value, lang)


def _number(value: float, lang: str) -> str:
    text = f"{value:.3f}"
    return text.replace(".", ",") if lang == "fr" else text


def check_model(model: str) -> str:
    """The model code, or a ValueError naming the choices."""
    code = str(model or DEFAULT_MODEL).strip().lower().replace("/", "").replace("-", "_")
    code = {"paretonbd": "pareto_nbd", "pareto": "pareto_nbd", "bg_nbd": "bgnbd", "mbg_nbd": "mbgnbd"}.get(
        code, code
    )
    if code != "auto" and code not in FITTERS:
        raise ValueError(f"model {model!r} is not known; use one of auto, {', '.join(FITTERS)}")
    return code


def fit_quietly(code: str, summary: pd.DataFrame, standard_errors: bool = True) -> BTYDResult:
    """A purchase model fitted without its warnings (a side fit whose verdict is reported elsewhere);
    `standard_errors=False` for a fit used only for its predictions (the holdout test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FITTERS[code](summary, standard_errors=standard_errors)


def choose_model(
    summary: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    candidates: tuple[str, ...] = AUTO_ORDER,
) -> tuple[ModelChoice, dict[str, BTYDResult]]:
    """The purchase model for this summary by the rule of the module docstring, and every model fitted
    on the whole history (code -> result)."""
    fitted = {code: fit_quietly(code, summary) for code in candidates}
    reliable = [c for c in candidates if assess(fitted[c])[0] != "not_reliable"]
    if not reliable:
        best = _by_likelihood([c for c in candidates if fitted[c].usable] or list(candidates), fitted)
        return ModelChoice(best, "none_reliable"), fitted
    scores, why, detail = _holdout_scores(summary, transactions, reliable)
    if scores is not None:
        mae = scores["mae_purchases"]
        best = float(mae.min())
        tied = [c for c in reliable if c in mae.index and mae[c] <= best * (1 + SCORE_TIE) + 1e-12]
        return ModelChoice(tied[0], "backtest", detail, scores), fitted
    return ModelChoice(_by_likelihood(reliable, fitted), "likelihood", {"why": why, **detail}), fitted


def _by_likelihood(codes: list[str], fitted: dict[str, BTYDResult]) -> str:
    """The code with the highest log-likelihood (ties to the first of `codes`; the first when none is finite)."""
    lls = {c: fitted[c].log_likelihood for c in codes if np.isfinite(fitted[c].log_likelihood)}
    if not lls:
        return codes[0]
    top = max(lls.values())
    return next(c for c in codes if c in lls and lls[c] >= top - 1e-6 * abs(top))


def _holdout_scores(
    summary: pd.DataFrame, transactions: pd.DataFrame | None, candidates: list[str]
) -> tuple[pd.DataFrame | None, str, dict[str, Any]]:
    """Holdout figures per candidate (mae_purchases, ratio_purchases, corr_purchases), or None with the
    reason key and its values."""
    if transactions is None:
        return None, "no_transactions", {}
    as_of = pd.Timestamp(summary.attrs.get("as_of", pd.to_datetime(transactions["date"]).max()))
    days = pd.to_datetime(transactions["date"]).dt.normalize()
    transactions = transactions.loc[(days <= as_of.normalize()).to_numpy()]
    split = automatic_split(transactions, as_of)
    if split is None:
        return None, "short_history", {"days": history_days(transactions, as_of), "minimum": MIN_HISTORY_DAYS}
    split_date, holdout_days = split
    unit = summary_unit(summary)
    calibration = calibration_summary(transactions, split_date, unit)
    x, tx, T = btyd_inputs(calibration, "model choice")
    repeat = int((x > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:
        return None, "few_repeat", {"repeat": repeat, "minimum": MIN_REPEAT_BUYERS}
    actual, _ = holdout_actuals(transactions, calibration.index, split_date, as_of)
    (gx, gtx, gT), _, inverse = group_rows(x, tx, T)
    horizon = holdout_days / UNIT_DAYS[unit]
    rows = {}
    for code in candidates:
        model = fit_quietly(code, calibration, standard_errors=False)
        if not model.usable:
            continue
        predicted = np.asarray(model.expected_purchases(horizon, gx, gtx, gT), dtype=float)[inverse]
        rows[code] = _holdout_figures(predicted, actual)
    if not rows:
        return None, "few_repeat", {"repeat": repeat, "minimum": MIN_REPEAT_BUYERS}
    scores = pd.DataFrame.from_dict(rows, orient="index")
    scores.index.name = "model"
    return scores, "", {"split": split_date, "days": holdout_days}


def _holdout_figures(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(predicted)
    p, a = predicted[ok], actual[ok]
    corr = float(np.corrcoef(p, a)[0, 1]) if len(p) > 1 and np.std(p) > 0 and np.std(a) > 0 else np.nan
    return {
        "mae_purchases": float(np.abs(p - a).mean()) if len(p) else np.nan,
        "ratio_purchases": float(p.sum() / a.sum()) if a.sum() else np.nan,
        "corr_purchases": corr,
    }
