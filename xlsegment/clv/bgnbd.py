"""BG/NBD model (Fader, Hardie & Lee 2005): maximum-likelihood fit, P(alive) and expected purchases.

The fit works in log-parameter space with the analytic gradient, on identical (x, t_x, T) rows grouped with
weights, so it stays fast and stable on large ledgers. Durations are in the summary's time unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

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
_LOG_BOUND = 12.0


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


def _a_safe(a):
    return np.where(np.abs(a - 1.0) < 1e-7, 1.0 + 1e-7, a)


def bgnbd_expected_purchases(t, frequency, t_x, T, r, alpha, a, b):
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods, element-wise.

    Uses Euler's transformation of 2F1 so that large x neither overflows nor loses precision.
    """
    t, x, tx, TT, r, alpha, a, b = _arrays(t, frequency, t_x, T, r, alpha, a, b)
    a = _a_safe(a)
    z = t / (alpha + TT + t)
    c = a + b + x - 1.0
    inner = 1.0 - (1.0 - z) ** (a - 1.0) * special.hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    alive = special.expit(-_log_odds_dead(x, tx, TT, r, alpha, a, b))
    return as_output(np.where(t > 0, c / (a - 1.0) * inner * alive, 0.0))


def bgnbd_unconditional_purchases(t, r, alpha, a, b):
    """E[X(t)]: expected purchases of a customer in the t periods after the first purchase, element-wise."""
    t, r, alpha, a, b = _arrays(t, r, alpha, a, b)
    a = _a_safe(a)
    z = t / (alpha + t)
    c = a + b - 1.0
    inner = 1.0 - (1.0 - z) ** (a - 1.0) * special.hyp2f1(c - r, a - 1.0, c, z)
    return as_output(np.where(t > 0, c / (a - 1.0) * inner, 0.0))


def bgnbd_log_likelihood(params, frequency, t_x, T, weights=None) -> float:
    """Total log-likelihood of (r, alpha, a, b) on the customers' (x, t_x, T)."""
    x, tx, TT = _arrays(frequency, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    nll, _ = _nll_grad(np.log(np.asarray(params, dtype=float)), x.ravel(), tx.ravel(), TT.ravel(), w.ravel())
    return -nll


# ---------------------------------------------------------------- likelihood and gradient


def _nll_grad(logp: np.ndarray, x, tx, T, w) -> tuple[float, np.ndarray]:
    """Negative log-likelihood (sum over weighted rows) and its gradient in log-parameters."""
    r, alpha, a, b = np.exp(logp)
    has = x > 0
    xs = np.where(has, x, 1.0)
    ln_aT = np.log(alpha + T)
    ln_atx = np.log(alpha + tx)
    lb_ab = special.betaln(a, b)
    l1 = special.betaln(a, b + x) - lb_ab - (r + x) * ln_aT
    l2 = np.where(has, special.betaln(a + 1.0, b + xs - 1.0) - lb_ab - (r + x) * ln_atx, -np.inf)
    m = np.logaddexp(l1, l2)
    ll = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + m
    w1 = np.exp(l1 - m)
    w2 = np.exp(l2 - m)

    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + x)
    psi_a = special.digamma(a)
    psi_b = special.digamma(b)
    d_r = special.digamma(r + x) - special.digamma(r) + np.log(alpha) - (w1 * ln_aT + w2 * ln_atx)
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + tx))
    d_a = w1 * (psi_ab - psi_abx) + w2 * (special.digamma(a + 1.0) - psi_abx - psi_a + psi_ab)
    d_b = w1 * (special.digamma(b + x) - psi_abx - psi_b + psi_ab) + w2 * np.where(
        has, special.digamma(b + xs - 1.0) - psi_abx - psi_b + psi_ab, 0.0
    )
    grad = np.array([(w * d).sum() for d in (d_r, d_alpha, d_a, d_b)]) * np.array([r, alpha, a, b])
    return -float((w * ll).sum()), -grad


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
    tolerance: float = 1e-10,
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
    # start near the data: purchase rate r/alpha ~ repeat purchases per unit of time observed
    rate = max(float(x.sum()) / max(float(T.sum()), 1e-9), 1e-6)
    start = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    start = np.clip(start, -_LOG_BOUND + 1, _LOG_BOUND - 1)
    total = counts.sum()

    def fun(logp):
        nll, grad = _nll_grad(logp, gx, gtx, gT, counts)
        return nll / total, grad / total

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        res = optimize.minimize(
            fun,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
            options={"maxiter": max_iterations, "ftol": tolerance, "gtol": 1e-8},
        )
    params = dict(zip(PARAM_NAMES, (float(v) for v in np.exp(res.x)), strict=True))
    ll = -float(res.fun) * total
    converged = bool(res.success) and np.isfinite(ll)
    identified = True
    if not converged:
        notes.append(f"BG/NBD fit did not converge ({res.message}); predictions may be unreliable")
    at_bound = [k for k, v in zip(PARAM_NAMES, res.x, strict=True) if abs(abs(v) - _LOG_BOUND) < 1e-3]
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
        params, ll, converged, n, n_repeat, unit, identified, notes, str(res.message), int(res.nit)
    )


def model_time(value, unit: str, model_unit: str):
    """A duration given in `unit` (D, W, M, Y) in the model's unit."""
    return convert(value, check_unit(unit), model_unit)
