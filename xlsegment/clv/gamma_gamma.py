"""Gamma-Gamma spend model (Fader & Hardie 2013): fit on repeat buyers and expected average order value.

The fit uses repeat buyers whose mean repeat value is positive (the density has no mass at zero); the
others are counted. Every repeat buyer then gets the model's conditional expectation given (x, m), a zero
(or net-negative, taken as zero) mean value included, as lifetimes does; one-time buyers get the
population mean. The fit and its after-fit checks are `base.fit_ml`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from xlsegment.clv._units import as_output, warn
from xlsegment.clv.base import FitResult, fit_ml, group_rows, spend_inputs
from xlsegment.errors import say

PARAM_NAMES = ("p", "q", "gamma")


@dataclass(repr=False)
class GammaGammaResult(FitResult):
    """A fitted Gamma-Gamma model: p, q, gamma, and who was left out of the fit."""

    label = "Gamma-Gamma"
    code = "gamma_gamma"
    param_names = PARAM_NAMES
    shape_names = ("p", "q")

    n_customers: int = 0
    n_excluded_nonpositive: int = 0
    n_one_time: int = 0

    @property
    def usable(self) -> bool:
        """True when the parameters are finite and the population mean spend exists (q > 1)."""
        return super().usable and self.params["q"] > 1

    def expected_aov(self, frequency, monetary_value):
        """Expected average order value of each customer given x repeat purchases of mean value m."""
        return gamma_gamma_expected_aov(frequency, monetary_value, *self._p())

    @property
    def population_mean(self) -> float:
        """Mean order value of a customer with no repeat history, p * gamma / (q - 1)."""
        p, q, g = self._p()
        return p * g / (q - 1) if q > 1 else float("nan")

    def _figures(self) -> list[tuple[str, object]]:
        return super()._figures() + [
            ("n_customers", self.n_customers),
            ("n_excluded_nonpositive", self.n_excluded_nonpositive),
            ("n_one_time", self.n_one_time),
        ]

    def _counts_text(self) -> str:
        return (
            f"; {self.n_customers} repeat buyers fitted, {self.n_excluded_nonpositive} excluded for "
            "zero/negative value"
        )


def gamma_gamma_expected_aov(frequency, monetary_value, p, q, gamma):
    """E[M | x, m] = p (gamma + x m) / (p x + q - 1), element-wise: the population mean when x = 0 (or m is
    missing); a zero or negative mean value counts as 0, so the estimate shrinks below the population mean."""
    x, m, p, q, g = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (frequency, monetary_value, p, q, gamma))
    )
    use = (x > 0) & np.isfinite(m)
    xs = np.where(use, x, 0.0)
    ms = np.where(use, np.clip(m, 0.0, None), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(q > 1, p * (g + xs * ms) / (p * xs + q - 1.0), np.nan)
    return as_output(out)


def gamma_gamma_log_likelihood(params, frequency, monetary_value, weights=None) -> float:
    """Total log-likelihood of (p, q, gamma) on repeat buyers' (x, m), densities of the mean value included."""
    x = np.asarray(frequency, dtype=float).ravel()
    m = np.asarray(monetary_value, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    nll, _ = _nll_grad(np.log(np.asarray(params, dtype=float)), x, m, w)
    return -nll


def _nll_grad(logp: np.ndarray, x, m, w) -> tuple[float, np.ndarray]:
    p, q, g = np.exp(logp)
    px = p * x
    ln_gxm = np.log(g + x * m)
    ll = (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(g)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * ln_gxm
    )
    psi_pxq = special.digamma(px + q)
    d_p = x * (psi_pxq - special.digamma(px) + np.log(m) + np.log(x) - ln_gxm)
    d_q = psi_pxq - special.digamma(q) + np.log(g) - ln_gxm
    d_g = q / g - (px + q) / (g + x * m)
    grad = np.array([(w * d).sum() for d in (d_p, d_q, d_g)]) * np.array([p, q, g])
    return -float((w * ll).sum()), -grad


def fit_gamma_gamma(
    summary: pd.DataFrame,
    min_customers: int = 20,
    max_iterations: int = 500,
    tolerance: float = 1e-8,
) -> GammaGammaResult:
    """Fit the Gamma-Gamma model on repeat buyers' repeat days and their mean value by maximum likelihood.

    x, m are `repeat_days`, `repeat_day_value` (else `frequency`, `monetary_value`). One-time buyers are not
    used (their mean repeat value is undefined); repeat buyers with a zero or negative mean value cannot be
    (the density is 0 there): they are excluded and counted, never a crash. Warns (ModelWarning) when fewer
    than `min_customers` remain, when the fit does not converge or is not identified, or when q <= 1.
    """
    x_all, m_all = spend_inputs(summary, "fit_gamma_gamma")
    repeat = x_all > 0
    valid = repeat & np.isfinite(m_all) & (m_all > 0)
    n_excluded = int((repeat & ~valid).sum())
    n_one_time = int((~repeat).sum())
    x, m = x_all[valid], m_all[valid]
    n = len(x)
    notes: list[str] = []
    if n_excluded:
        notes.append(say("clv.note.gg_excluded", n=n_excluded))
    counts_kw = {"n_customers": n, "n_excluded_nonpositive": n_excluded, "n_one_time": n_one_time}
    if n < 2 or np.ptp(m) == 0 and n < min_customers:
        notes.append(say("clv.note.gg_cannot_fit", n=n))
        for note in notes:
            warn(note)
        nan_params = dict.fromkeys(PARAM_NAMES, float("nan"))
        return GammaGammaResult(
            nan_params, float("nan"), False, **counts_kw, identified=False, warnings=notes, message=notes[-1]
        )

    (gx, gm), counts, _ = group_rows(x, m)
    total = float(counts.sum())
    # moment-style start: spend mean = p*gamma/(q-1); start with q = 2, p = 1 -> gamma ~ mean value
    start = np.log([1.0, 2.0, max(float(np.mean(m)), 1e-6)])

    def fun(logp):
        nll, grad = _nll_grad(logp, gx, gm, counts)
        return nll / total, grad / total

    fit = fit_ml(
        fun, start, PARAM_NAMES, total, GammaGammaResult.label, max_iterations, tolerance,
        GammaGammaResult.shape_names,
    )  # fmt: skip
    notes += fit.notes
    identified = fit.identified
    if fit.params["q"] <= 1:
        identified = False
        notes.append(say("clv.note.gg_q"))
    if n < min_customers:
        identified = False
        notes.append(say("clv.note.gg_few", n=n, minimum=min_customers))
    for note in notes:
        warn(note)
    return GammaGammaResult(
        fit.params, fit.log_likelihood, fit.converged and identified, **counts_kw, identified=identified,
        warnings=notes, message=fit.message, iterations=fit.iterations, std_errors=fit.std_errors,
    )  # fmt: skip
