"""Gamma-Gamma spend model (Fader & Hardie 2013): fit on repeat buyers and expected average order value.

Customers without repeat purchases, or whose mean repeat value is zero or negative (returns), are left out
of the fit and counted; they get the population mean order value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from xlsegment.clv._optim import minimize_bounded
from xlsegment.clv._units import as_output, numeric_column, require_columns, warn
from xlsegment.clv.bgnbd import group_rows

PARAM_NAMES = ("p", "q", "gamma")
_LOG_BOUND = 15.0


@dataclass
class GammaGammaResult:
    """A fitted Gamma-Gamma model: parameters, log-likelihood, convergence and who was left out."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    n_customers: int
    n_excluded_nonpositive: int
    n_one_time: int
    identified: bool = True
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    iterations: int = 0

    @property
    def usable(self) -> bool:
        """True when the parameters are finite and the population mean spend exists (q > 1)."""
        return all(np.isfinite(v) for v in self.params.values()) and self.params["q"] > 1

    def expected_aov(self, frequency, monetary_value):
        """Expected average order value of each customer given x repeat purchases of mean value m."""
        p, q, g = (self.params[k] for k in PARAM_NAMES)
        return gamma_gamma_expected_aov(frequency, monetary_value, p, q, g)

    @property
    def population_mean(self) -> float:
        """Mean order value of a customer with no repeat history, p * gamma / (q - 1)."""
        p, q, g = (self.params[k] for k in PARAM_NAMES)
        return p * g / (q - 1) if q > 1 else float("nan")

    def to_frame(self) -> pd.DataFrame:
        """The parameters and fit figures as a two-column table (name, value)."""
        rows = [(k, v) for k, v in self.params.items()]
        rows += [
            ("log_likelihood", self.log_likelihood),
            ("converged", self.converged),
            ("identified", self.identified),
            ("n_customers", self.n_customers),
            ("n_excluded_nonpositive", self.n_excluded_nonpositive),
            ("n_one_time", self.n_one_time),
        ]
        return pd.DataFrame(rows, columns=["name", "value"])

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        status = "converged" if self.converged else "NOT converged"
        return (
            f"GammaGammaResult({ps}; LL={self.log_likelihood:.2f}; {status}; {self.n_customers} repeat "
            f"buyers fitted, {self.n_excluded_nonpositive} excluded for zero/negative value)"
        )


def gamma_gamma_expected_aov(frequency, monetary_value, p, q, gamma):
    """E[M | x, m]: expected average order value, element-wise (population mean when x = 0 or m <= 0)."""
    x, m, p, q, g = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (frequency, monetary_value, p, q, gamma))
    )
    use = (x > 0) & (m > 0) & np.isfinite(m)
    xs = np.where(use, x, 0.0)
    ms = np.where(use, m, 0.0)
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
    """Fit the Gamma-Gamma model on repeat buyers' frequency and monetary_value by maximum likelihood.

    One-time buyers are not used (their mean repeat value is undefined); repeat buyers with a zero or
    negative mean value are excluded and counted (never a crash). Warns (ModelWarning) when fewer than
    `min_customers` remain, when the fit does not converge, or when q <= 1 (no finite mean spend).
    """
    what = "fit_gamma_gamma"
    require_columns(summary, ["frequency", "monetary_value"], what)
    x_all = numeric_column(summary, "frequency", what)
    m_all = pd.to_numeric(summary["monetary_value"], errors="coerce").to_numpy(dtype=float)
    repeat = x_all > 0
    valid = repeat & np.isfinite(m_all) & (m_all > 0)
    n_excluded = int((repeat & ~valid).sum())
    n_one_time = int((~repeat).sum())
    x, m = x_all[valid], m_all[valid]
    n = len(x)
    notes: list[str] = []
    if n_excluded:
        notes.append(
            f"{n_excluded} repeat buyer(s) with zero, negative or missing average repeat value were left out "
            "of the Gamma-Gamma fit (they get the population mean order value)"
        )
    nan_params = dict.fromkeys(PARAM_NAMES, float("nan"))
    if n < 2 or np.ptp(m) == 0 and n < min_customers:
        notes.append(
            f"Gamma-Gamma cannot be fitted: only {n} repeat buyer(s) with a positive average value; "
            "use the observed average basket instead"
        )
        for note in notes:
            warn(note)
        return GammaGammaResult(
            nan_params, float("nan"), False, n, n_excluded, n_one_time, False, notes, notes[-1]
        )

    (gx, gm), counts, _ = group_rows(x, m)
    total = counts.sum()
    # moment-style start: spend mean = p*gamma/(q-1); start with q = 2, p = 1 -> gamma ~ mean value
    start = np.log([1.0, 2.0, max(float(np.mean(m)), 1e-6)])

    def fun(logp):
        nll, grad = _nll_grad(logp, gx, gm, counts)
        return nll / total, grad / total

    res = minimize_bounded(fun, start, _LOG_BOUND, max_iterations, tolerance)
    params = dict(zip(PARAM_NAMES, (float(v) for v in np.exp(res.logp)), strict=True))
    ll = -res.value * total
    converged = res.converged
    identified = True
    if not converged:
        notes.append(
            f"Gamma-Gamma fit did not converge ({res.message}); expected order values may be unreliable"
        )
    at_bound = [k for k, flag in zip(PARAM_NAMES, res.at_bound, strict=True) if flag]
    if at_bound:
        identified = False
        notes.append(
            f"Gamma-Gamma parameter(s) {', '.join(at_bound)} ran to a limit: the data cannot identify the model"
        )
    if params["q"] <= 1:
        identified = False
        notes.append(
            "Gamma-Gamma q <= 1: spend has no finite population mean; expected order values are not available"
        )
    if n < min_customers:
        identified = False
        notes.append(
            f"only {n} repeat buyers with a positive value (fewer than {min_customers}): Gamma-Gamma is rough"
        )
    for note in notes:
        warn(note)
    return GammaGammaResult(
        params, ll, converged, n, n_excluded, n_one_time, identified, notes, res.message, res.iterations
    )
