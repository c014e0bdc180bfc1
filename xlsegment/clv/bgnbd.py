"""BG/NBD model (Fader, Hardie & Lee 2005): maximum-likelihood fit, P(alive) and expected purchases.

The fit works in log-parameter space with the analytic gradient, on identical (x, t_x, T) rows grouped with
weights, so it stays fast and stable on large ledgers. Durations are in the summary's time unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from xlsegment.clv._optim import minimize_bounded
from xlsegment.clv._units import (
    UNIT_NAMES,
    as_output,
    check_unit,
    convert,
    numeric_column,
    require_columns,
    summary_unit,
    warn,
)

PARAM_NAMES = ("r", "alpha", "a", "b")
# log-parameter bounds: a parameter stuck at one of them means the data cannot identify it
_LOG_BOUND = 15.0


@dataclass
class BGNBDResult:
    """A fitted BG/NBD model: parameters, log-likelihood, convergence and what the data could support."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    n_customers: int
    n_repeat_buyers: int
    time_unit: str
    identified: bool = True
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    iterations: int = 0

    @property
    def usable(self) -> bool:
        """True when the parameters are finite (predictions can be computed, maybe with a warning)."""
        return all(np.isfinite(v) for v in self.params.values())

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(self.params[k] for k in PARAM_NAMES)  # type: ignore[return-value]

    def p_alive(self, frequency, t_x, T):
        """Probability each customer is still active, given (x, t_x, T) in the model's time unit."""
        return bgnbd_p_alive(frequency, t_x, T, *self._p())

    def expected_purchases(self, t, frequency, t_x, T):
        """Expected purchases in the next `t` periods (model unit) of customers with history (x, t_x, T)."""
        return bgnbd_expected_purchases(t, frequency, t_x, T, *self._p())

    def unconditional_purchases(self, t):
        """Expected purchases of a new customer in `t` periods after the first purchase, E[X(t)]."""
        return bgnbd_unconditional_purchases(t, *self._p())

    def to_frame(self) -> pd.DataFrame:
        """The parameters and fit figures as a two-column table (name, value), for a report sheet."""
        rows = [(k, v) for k, v in self.params.items()]
        rows += [
            ("log_likelihood", self.log_likelihood),
            ("converged", self.converged),
            ("identified", self.identified),
            ("n_customers", self.n_customers),
            ("n_repeat_buyers", self.n_repeat_buyers),
            ("time_unit", self.time_unit),
        ]
        return pd.DataFrame(rows, columns=["name", "value"])

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        status = "converged" if self.converged else "NOT converged"
        return (
            f"BGNBDResult({ps}; LL={self.log_likelihood:.2f}; {status}; {self.n_customers} customers, "
            f"{self.n_repeat_buyers} repeat buyers; unit={UNIT_NAMES[self.time_unit]})"
        )


# ---------------------------------------------------------------- element-wise formulas (cell-friendly)


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _log_odds_dead(x, t_x, T, r, alpha, a, b):
    """log of a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) for repeat buyers, -inf for one-time buyers."""
    has = x > 0
    xs = np.where(has, x, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(has, out, -np.inf)


def bgnbd_p_alive(frequency, t_x, T, r, alpha, a, b):
    """P(alive | x, t_x, T): element-wise, scalars or arrays (1 for one-time buyers, as the model says)."""
    x, tx, TT, r, alpha, a, b = _arrays(frequency, t_x, T, r, alpha, a, b)
    return as_output(special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b)))


def _hyp2f1(A, B, c, z):
    """Gauss 2F1 for 0 <= z < 1: scipy's, with a direct power series where scipy returns inf or NaN
    (it does in corners such as 2F1(2, 1; 101; 0.91))."""
    out = np.asarray(special.hyp2f1(A, B, c, z), dtype=float)
    bad = ~np.isfinite(out)
    if not bad.any():
        return out
    A, B, c, z = (np.broadcast_to(v, out.shape)[bad] for v in (A, B, c, z))
    term = np.ones_like(z)
    total = np.ones_like(z)
    for k in range(200_000):
        term = term * (A + k) * (B + k) / ((c + k) * (k + 1.0)) * z
        total = total + term
        if k > 10 and np.all(np.abs(term) <= 1e-15 * np.abs(total)) or not np.isfinite(total).all():
            break
    out = out.copy()
    out[bad] = total
    return out


def _one_minus_term(z, power, A, B, c, power2, A2, B2):
    """(1-z)^power 2F1(A, B; c; z) (Euler's form, well-behaved), or the equal (1-z)^power2 2F1(A2, B2; c; z)
    where scipy's 2F1 of the first is not finite, or the power series of the first where neither is."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.asarray((1.0 - z) ** power * special.hyp2f1(A, B, c, z), dtype=float)
        bad = ~np.isfinite(out)
        if bad.any():
            other = np.asarray((1.0 - z) ** power2 * special.hyp2f1(A2, B2, c, z), dtype=float)
            out = np.where(bad, other, out)
            bad = ~np.isfinite(out)
            if bad.any():
                out = np.where(bad, (1.0 - z) ** power * _hyp2f1(A, B, c, z), out)
    return out


_NEAR_ONE = 1e-4


def _around_a_one(fn, a, *args):
    """fn(a, ...) where the formula's 1/(a-1) is safe; near a = 1 (a removable singularity) the mean of
    fn at 1 - d and 1 + d, whose error is of order d^2."""
    near = np.abs(a - 1.0) < _NEAR_ONE
    if not near.any():
        return fn(a, *args)
    out = fn(np.where(near, 1.0 + _NEAR_ONE, a), *args)
    below = fn(np.where(near, 1.0 - _NEAR_ONE, a), *args)
    return np.where(near, 0.5 * (out + below), out)


def _regular(fn, a, b, x, *args):
    """fn(a, b, ...) away from its removable singularities a = 1 and a + b + x - 1 = 0 (2F1's c = 0, one-time
    buyers with a + b = 1), averaging both sides of the singular point as `_around_a_one` does."""
    near = np.abs(a + b + x - 1.0) < _NEAR_ONE

    def at(bb):
        return _around_a_one(lambda aa: fn(aa, bb), a)

    if not near.any():
        return at(b)
    up = at(np.where(near, 1.0 - a - x + _NEAR_ONE, b))
    down = at(np.where(near, 1.0 - a - x - _NEAR_ONE, b))
    return np.where(near, 0.5 * (up + down), up)


def _conditional(a, b, t, x, tx, TT, r, alpha):
    z = t / (alpha + TT + t)
    c = a + b + x - 1.0
    inner = 1.0 - _one_minus_term(z, a - 1.0, a + b - 1.0 - r, a - 1.0, c, r + x, r + x, b + x)
    alive = special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b))
    return c / (a - 1.0) * inner * alive


def _unconditional(a, b, t, r, alpha):
    z = t / (alpha + t)
    c = a + b - 1.0
    return c / (a - 1.0) * (1.0 - _one_minus_term(z, a - 1.0, c - r, a - 1.0, c, r, r, b))


def bgnbd_expected_purchases(t, frequency, t_x, T, r, alpha, a, b):
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods, element-wise.

    Uses Euler's transformation of 2F1 so that large x neither overflows nor loses precision.
    """
    t, x, tx, TT, r, alpha, a, b = _arrays(t, frequency, t_x, T, r, alpha, a, b)
    out = _regular(lambda aa, bb: _conditional(aa, bb, t, x, tx, TT, r, alpha), a, b, x)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def bgnbd_unconditional_purchases(t, r, alpha, a, b):
    """E[X(t)]: expected purchases of a customer in the t periods after the first purchase, element-wise."""
    t, r, alpha, a, b = _arrays(t, r, alpha, a, b)
    out = _regular(lambda aa, bb: _unconditional(aa, bb, t, r, alpha), a, b, 0.0)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def bgnbd_log_likelihood(params, frequency, t_x, T, weights=None) -> float:
    """Total log-likelihood of (r, alpha, a, b) on the customers' (x, t_x, T)."""
    x, tx, TT = _arrays(frequency, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    nll, _ = _nll_grad(np.log(np.asarray(params, dtype=float)), x.ravel(), tx.ravel(), TT.ravel(), w.ravel())
    return -nll


# ---------------------------------------------------------------- likelihood and gradient


@dataclass
class _Prepared:
    """Grouped customers with indexes into their distinct x, t_x and T, so that special functions and logs
    are evaluated once per distinct value rather than once per customer."""

    ux: np.ndarray
    ix: np.ndarray
    utx: np.ndarray
    itx: np.ndarray
    uT: np.ndarray
    iT: np.ndarray
    x: np.ndarray
    has: np.ndarray
    w: np.ndarray
    w_x: np.ndarray  # total weight per distinct x


def _prepare(x, tx, T, w) -> _Prepared:
    ix, ux = pd.factorize(np.asarray(x, dtype=float))
    itx, utx = pd.factorize(np.asarray(tx, dtype=float))
    iT, uT = pd.factorize(np.asarray(T, dtype=float))
    w = np.asarray(w, dtype=float)
    ux = np.asarray(ux, dtype=float)
    return _Prepared(
        ux, ix, np.asarray(utx, float), itx, np.asarray(uT, float), iT, ux[ix], ux[ix] > 0, w,
        np.bincount(ix, weights=w, minlength=len(ux)),
    )  # fmt: skip


def _nll_grad(logp: np.ndarray, x, tx, T, w) -> tuple[float, np.ndarray]:
    """Negative log-likelihood (sum over weighted rows) and its gradient in log-parameters."""
    return _nll_grad_prepared(logp, _prepare(x, tx, T, w))


def _nll_grad_prepared(logp: np.ndarray, d: _Prepared) -> tuple[float, np.ndarray]:
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


def group_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the given columns, their counts, and the inverse index back to the input rows.

    Hash-based (pandas factorize), a few times faster than np.unique(axis=0) on large ledgers.
    """
    gid = np.zeros(len(columns[0]), dtype=np.int64)
    n_groups = 1
    for col in columns:
        codes, uniques = pd.factorize(np.asarray(col))
        gid, kept = pd.factorize(gid * len(uniques) + codes)
        n_groups = len(kept)
    first = np.empty(n_groups, dtype=np.int64)
    first[gid[::-1]] = np.arange(len(gid))[::-1]
    counts = np.bincount(gid, minlength=n_groups).astype(float)
    return [np.asarray(c)[first] for c in columns], counts, gid


# ---------------------------------------------------------------- fit


def _bgnbd_inputs(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    what = "fit_bgnbd"
    require_columns(summary, ["frequency", "t_x", "T"], what)
    x = numeric_column(summary, "frequency", what)
    tx = numeric_column(summary, "t_x", what)
    T = numeric_column(summary, "T", what)
    if (np.abs(x - np.round(x)) > 1e-9).any():
        first = summary.index[np.flatnonzero(np.abs(x - np.round(x)) > 1e-9)[0]]
        raise ValueError(
            f"{what}: column 'frequency' must hold whole repeat-purchase counts (customer {first!r})"
        )
    bad = tx > T * (1 + 1e-9) + 1e-9
    if bad.any():
        first = summary.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{what}: t_x (time between first and last purchase) exceeds T (customer age) for "
            f"{int(bad.sum())} customer(s), first {first!r}"
        )
    return np.round(x), np.where(x > 0, tx, 0.0), T


def fit_bgnbd(
    summary: pd.DataFrame,
    min_repeat_buyers: int = 20,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
) -> BGNBDResult:
    """Fit the BG/NBD model to the summary's frequency, t_x and T by maximum likelihood.

    The time unit is the summary's (attrs['time_unit']); parameters alpha and every duration live in it.
    Warns (ModelWarning) and says so in the result when the data cannot identify the model: fewer than
    `min_repeat_buyers` repeat buyers, no convergence, or a parameter running off to 0 or infinity.
    """
    x, tx, T = _bgnbd_inputs(summary)
    unit = summary_unit(summary)
    n = len(x)
    n_repeat = int((x > 0).sum())
    notes: list[str] = []
    nan_params = dict.fromkeys(PARAM_NAMES, float("nan"))
    if n == 0 or n_repeat == 0 or float(T.max(initial=0.0)) <= 0:
        msg = (
            f"BG/NBD cannot be fitted: {n} customer(s), {n_repeat} repeat buyer(s) and no time span"
            if n == 0 or float(T.max(initial=0.0)) <= 0
            else f"BG/NBD cannot be fitted: none of the {n} customers bought twice, so purchase rates and "
            "drop-out cannot be estimated; use the simple CLV instead"
        )
        warn(msg)
        return BGNBDResult(nan_params, float("nan"), False, n, n_repeat, unit, False, [msg], msg, 0)

    (gx, gtx, gT), counts, _ = group_rows(x, tx, T)
    prepared = _prepare(gx, gtx, gT, counts)
    # start near the data: purchase rate r/alpha ~ repeat purchases per unit of time observed
    rate = max(float(x.sum()) / max(float(T.sum()), 1e-9), 1e-6)
    start = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    total = counts.sum()

    def fun(logp):
        nll, grad = _nll_grad_prepared(logp, prepared)
        return nll / total, grad / total

    res = minimize_bounded(fun, start, _LOG_BOUND, max_iterations, tolerance)
    params = dict(zip(PARAM_NAMES, (float(v) for v in np.exp(res.logp)), strict=True))
    ll = -res.value * total
    converged = res.converged
    identified = True
    if not converged:
        notes.append(f"BG/NBD fit did not converge ({res.message}); predictions may be unreliable")
    at_bound = [k for k, flag in zip(PARAM_NAMES, res.at_bound, strict=True) if flag]
    if at_bound:
        identified = False
        notes.append(
            f"BG/NBD parameter(s) {', '.join(at_bound)} ran to a limit: the data cannot identify the model "
            "(too few repeat purchases or too short a history); P(alive) and predictions are unreliable"
        )
    if n_repeat < min_repeat_buyers:
        identified = False
        notes.append(
            f"only {n_repeat} of {n} customers bought more than once (fewer than {min_repeat_buyers}): "
            "the BG/NBD model is poorly identified; treat P(alive) and predictions as rough"
        )
    for note in notes:
        warn(note)
    return BGNBDResult(
        params, ll, converged, n, n_repeat, unit, identified, notes, res.message, res.iterations
    )


def model_time(value, unit: str, model_unit: str):
    """A duration given in `unit` (D, W, M, Y) in the model's unit."""
    return convert(value, check_unit(unit), model_unit)
