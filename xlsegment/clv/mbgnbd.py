"""Modified BG/NBD model (Batislam, Denizel & Filiztekin 2007): fit, P(alive) and expected purchases.

BG/NBD lets a customer drop out only after a repeat purchase, so every one-time buyer is "alive" for sure;
MBG/NBD also lets them drop out after the first purchase, so P(alive) falls as time without a purchase grows.
Parameters r, alpha (purchase rates), a, b (drop-out), as in lifetimes' ModifiedBetaGeoFitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from xlsegment.clv._special import one_minus_term, regular
from xlsegment.clv._units import as_output
from xlsegment.clv.base import BTYDResult, Distinct, distinct_values, fit_btyd, float_arrays, rate_start

PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(repr=False)
class MBGNBDResult(BTYDResult):
    """A fitted MBG/NBD model: r, alpha (purchase rates), a, b (drop-out at every purchase, the first too)."""

    label = "MBG/NBD"
    code = "mbgnbd"
    param_names = PARAM_NAMES
    shape_names = ("r", "a", "b")


# ---------------------------------------------------------------- element-wise formulas (cell-friendly)


def _log_odds_dead(x, t_x, T, r, alpha, a, b):
    """log of a/(b+x) * ((alpha+T)/(alpha+t_x))^(r+x): the odds of having dropped out."""
    return np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))


def mbgnbd_p_alive(frequency, t_x, T, r, alpha, a, b):
    """P(alive | x, t_x, T), element-wise; below 1 for one-time buyers too, falling as T grows."""
    x, tx, TT, r, alpha, a, b = float_arrays(frequency, t_x, T, r, alpha, a, b)
    return as_output(special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b)))


def _conditional(a, b, t, x, tx, TT, r, alpha):
    # (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)] P(alive), in Euler's form
    z = t / (alpha + TT + t)
    c = a + b + x
    inner = 1.0 - one_minus_term(z, a - 1.0, a + b - r, a - 1.0, c, r + x, r + x, b + x + 1.0)
    alive = special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b))
    return c / (a - 1.0) * inner * alive


def _unconditional(a, b, t, r, alpha):
    z = t / (alpha + t)
    c = a + b
    return b / (a - 1.0) * (1.0 - one_minus_term(z, a - 1.0, c - r, a - 1.0, c, r, r, b + 1.0))


def mbgnbd_expected_purchases(t, frequency, t_x, T, r, alpha, a, b):
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods, element-wise."""
    t, x, tx, TT, r, alpha, a, b = float_arrays(t, frequency, t_x, T, r, alpha, a, b)
    out = regular(lambda aa, bb: _conditional(aa, bb, t, x, tx, TT, r, alpha), a, b, x, 0.0)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def mbgnbd_unconditional_purchases(t, r, alpha, a, b):
    """E[X(t)]: expected purchases of a customer in the t periods after the first purchase, element-wise."""
    t, r, alpha, a, b = float_arrays(t, r, alpha, a, b)
    out = regular(lambda aa, bb: _unconditional(aa, bb, t, r, alpha), a, b, 0.0, 0.0)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def mbgnbd_log_likelihood(params, frequency, t_x, T, weights=None) -> float:
    """Total log-likelihood of (r, alpha, a, b) on the customers' (x, t_x, T)."""
    x, tx, TT = (v.ravel() for v in float_arrays(frequency, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    nll, _ = _nll_grad(np.log(np.asarray(params, dtype=float)), (x, tx, TT, w))
    return -nll


# ---------------------------------------------------------------- likelihood and gradient


def _nll_grad(logp: np.ndarray, data: tuple) -> tuple[float, np.ndarray]:
    """Negative log-likelihood (sum over weighted rows) and its gradient in log-parameters."""
    return _nll_grad_distinct(logp, distinct_values(*data))


def _nll_grad_distinct(logp: np.ndarray, d: Distinct) -> tuple[float, np.ndarray]:
    """`_nll_grad` on grouped rows, each special function and log taken once per distinct x, t_x or T.

    LL = ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x+1) - ln B(a, b) - (r+x) ln(alpha+T) + ln(1 + e^D),
    D = ln a - ln(b+x) + (r+x) (ln(alpha+T) - ln(alpha+t_x)).
    """
    x, w = d.x, d.w
    r, alpha, a, b = np.exp(logp)
    rx = r + x
    ln_aT = np.log(alpha + d.uT)[d.iT]
    ln_atx = np.log(alpha + d.utx)[d.itx]
    D = np.log(a) - np.log(b + d.ux)[d.ix] + rx * (ln_aT - ln_atx)
    ll = (
        special.gammaln(r + d.ux)[d.ix]
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + d.ux + 1.0)[d.ix]
        - special.betaln(a, b)
        - rx * ln_aT
        + np.logaddexp(0.0, D)
    )
    s = special.expit(D)  # d ln(1 + e^D) / dD
    psi_abx = special.digamma(a + b + d.ux + 1.0)[d.ix]
    psi_ab = special.digamma(a + b)
    g_r = special.digamma(r + d.ux)[d.ix] - special.digamma(r) + np.log(alpha) - ln_aT + s * (ln_aT - ln_atx)
    aT, atx = (alpha + d.uT)[d.iT], (alpha + d.utx)[d.itx]
    g_alpha = r / alpha - rx / aT + s * rx * (1.0 / aT - 1.0 / atx)
    g_a = psi_ab - psi_abx + s / a
    g_b = special.digamma(b + d.ux + 1.0)[d.ix] - psi_abx - special.digamma(b) + psi_ab - s / (b + x)
    grad = np.array([w @ g_r, w @ g_alpha, w @ g_a, w @ g_b]) * np.array([r, alpha, a, b])
    return -float(w @ ll), -grad


def fit_mbgnbd(
    summary: pd.DataFrame,
    min_repeat_buyers: int = 20,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    standard_errors: bool = True,
) -> MBGNBDResult:
    """Fit the MBG/NBD model to the summary's repeat purchase days, t_x and T by maximum likelihood.

    Same inputs, units and warnings as `fit_bgnbd`; results with `.params` (r, alpha, a, b),
    `.log_likelihood`, `.converged`, `.p_alive(...)` and `.expected_purchases(...)`.
    """
    return fit_btyd(
        MBGNBDResult, summary, _nll_grad_distinct, lambda x, T: rate_start(x, T, 1.0, 1.0),
        min_repeat_buyers, max_iterations, tolerance, distinct_values, standard_errors,
    )  # fmt: skip


MBGNBDResult._p_alive = staticmethod(mbgnbd_p_alive)
MBGNBDResult._expected = staticmethod(mbgnbd_expected_purchases)
MBGNBDResult._unconditional = staticmethod(mbgnbd_unconditional_purchases)
