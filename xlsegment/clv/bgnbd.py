"""BG/NBD model (Fader, Hardie & Lee 2005): maximum-likelihood fit, P(alive) and expected purchases.

The likelihood has an analytic gradient in log-parameters and is evaluated once per distinct x, t_x and T,
so it stays fast and stable on large ledgers; the fit, grouping and after-fit checks are `base.fit_btyd`'s.
Durations are in the summary's time unit.
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
class BGNBDResult(BTYDResult):
    """A fitted BG/NBD model: r, alpha (purchase rates), a, b (drop-out after each purchase)."""

    label = "BG/NBD"
    code = "bgnbd"
    param_names = PARAM_NAMES
    shape_names = ("r", "a", "b")


# ---------------------------------------------------------------- element-wise formulas (cell-friendly)


def _log_odds_dead(x, t_x, T, r, alpha, a, b):
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) for repeat buyers, -inf for one-time buyers."""
    has = x > 0
    xs = np.where(has, x, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(has, out, -np.inf)


def bgnbd_p_alive(frequency, t_x, T, r, alpha, a, b):
    """P(alive | x, t_x, T): element-wise, scalars or arrays (1 for one-time buyers, as the model says)."""
    x, tx, TT, r, alpha, a, b = float_arrays(frequency, t_x, T, r, alpha, a, b)
    return as_output(special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b)))


def _conditional(a, b, t, x, tx, TT, r, alpha):
    z = t / (alpha + TT + t)
    c = a + b + x - 1.0
    inner = 1.0 - one_minus_term(z, a - 1.0, a + b - 1.0 - r, a - 1.0, c, r + x, r + x, b + x)
    alive = special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b))
    return c / (a - 1.0) * inner * alive


def _unconditional(a, b, t, r, alpha):
    z = t / (alpha + t)
    c = a + b - 1.0
    return c / (a - 1.0) * (1.0 - one_minus_term(z, a - 1.0, c - r, a - 1.0, c, r, r, b))


def bgnbd_expected_purchases(t, frequency, t_x, T, r, alpha, a, b):
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods, element-wise.

    Uses Euler's transformation of 2F1 so that large x neither overflows nor loses precision.
    """
    t, x, tx, TT, r, alpha, a, b = float_arrays(t, frequency, t_x, T, r, alpha, a, b)
    out = regular(lambda aa, bb: _conditional(aa, bb, t, x, tx, TT, r, alpha), a, b, x)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def bgnbd_unconditional_purchases(t, r, alpha, a, b):
    """E[X(t)]: expected purchases of a customer in the t periods after the first purchase, element-wise."""
    t, r, alpha, a, b = float_arrays(t, r, alpha, a, b)
    out = regular(lambda aa, bb: _unconditional(aa, bb, t, r, alpha), a, b, 0.0)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def bgnbd_log_likelihood(params, frequency, t_x, T, weights=None) -> float:
    """Total log-likelihood of (r, alpha, a, b) on the customers' (x, t_x, T)."""
    x, tx, TT = float_arrays(frequency, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    nll, _ = _nll_grad(np.log(np.asarray(params, dtype=float)), x.ravel(), tx.ravel(), TT.ravel(), w.ravel())
    return -nll


# ---------------------------------------------------------------- likelihood and gradient


def _nll_grad(logp: np.ndarray, x, tx, T, w) -> tuple[float, np.ndarray]:
    """Negative log-likelihood (sum over weighted rows) and its gradient in log-parameters."""
    return _nll_grad_prepared(logp, distinct_values(x, tx, T, w))


def _nll_grad_prepared(logp: np.ndarray, d: Distinct) -> tuple[float, np.ndarray]:
    r, alpha, a, b = np.exp(logp)
    ux = d.ux
    uhas = ux > 0
    uxs = np.where(uhas, ux, 1.0)
    # per distinct x
    lb_ab = special.betaln(a, b)
    A = special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha)
    B1 = special.betaln(a, b + ux) - lb_ab
    B2 = np.where(uhas, special.betaln(a + 1.0, b + uxs - 1.0) - lb_ab, -np.inf)
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + ux)
    dA_r = special.digamma(r + ux) - special.digamma(r) + np.log(alpha)
    dB1_a = psi_ab - psi_abx
    dB2_a = special.digamma(a + 1.0) - psi_abx - special.digamma(a) + psi_ab
    dB1_b = special.digamma(b + ux) - psi_abx - special.digamma(b) + psi_ab
    dB2_b = np.where(uhas, special.digamma(b + uxs - 1.0) - psi_abx - special.digamma(b) + psi_ab, 0.0)
    # per distinct t_x and T
    ln_aT_u = np.log(alpha + d.uT)
    ln_atx_u = np.log(alpha + d.utx)
    ln_aT = ln_aT_u[d.iT]
    ln_atx = ln_atx_u[d.itx]
    # per group: the two terms of the likelihood, in log space; diff = l2 - l1 (-inf for one-time buyers)
    rx = r + d.x
    l1 = B1[d.ix] - rx * ln_aT
    diff = B2[d.ix] - rx * ln_atx - l1
    w1 = special.expit(-diff)
    w = d.w
    ll = float(d.w_x @ A + w @ l1 - w @ special.log_expit(-diff))  # l1 + log(1 + e^diff)
    cw1 = w * w1
    cw2 = w - cw1
    n_x = len(ux)
    s1 = np.bincount(d.ix, weights=cw1, minlength=n_x)
    s2 = d.w_x - s1
    g_r = d.w_x @ dA_r - (cw1 @ ln_aT + cw2 @ ln_atx)
    inv_aT = (1.0 / (alpha + d.uT))[d.iT]
    inv_atx = (1.0 / (alpha + d.utx))[d.itx]
    g_alpha = r / alpha * w.sum() - rx @ (cw1 * inv_aT + cw2 * inv_atx)
    g_a = s1 @ dB1_a + s2 @ dB2_a
    g_b = s1 @ dB1_b + s2 @ dB2_b
    grad = np.array([g_r, g_alpha, g_a, g_b]) * np.array([r, alpha, a, b])
    return -ll, -grad


def fit_bgnbd(
    summary: pd.DataFrame,
    min_repeat_buyers: int = 20,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    standard_errors: bool = True,
) -> BGNBDResult:
    """Fit the BG/NBD model to the summary's repeat purchase days, t_x and T by maximum likelihood.

    x is `repeat_days` (purchase days after the first, as in the paper), or `frequency` when the summary has
    no such column. The time unit is the summary's (attrs['time_unit']); alpha and every duration live in it.
    Warns (ModelWarning) and says so in the result when the data cannot identify the model: fewer than
    `min_repeat_buyers` repeat buyers, no convergence, or a parameter the data leave undetermined.
    """
    return fit_btyd(
        BGNBDResult, summary, _nll_grad_prepared, lambda x, T: rate_start(x, T, 1.0, 1.0),
        min_repeat_buyers, max_iterations, tolerance, distinct_values, standard_errors,
    )  # fmt: skip


BGNBDResult._p_alive = staticmethod(bgnbd_p_alive)
BGNBDResult._expected = staticmethod(bgnbd_expected_purchases)
BGNBDResult._unconditional = staticmethod(bgnbd_unconditional_purchases)
