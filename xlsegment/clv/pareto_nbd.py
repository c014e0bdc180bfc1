"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader, Hardie & Lee 2005 note): fit, P(alive),
expected purchases.

Customers buy at a Poisson rate (gamma r, alpha across customers) and drop out after an exponential lifetime
(gamma s, beta), at any moment, so P(alive) falls with time since the last purchase for every customer,
one-time buyers included. The likelihood's A0 term is written with Euler's transform of 2F1 and a
log-difference, which stays finite where the textbook form (and lifetimes' ParetoNBDFitter) overflows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from xlsegment.clv._parallel import in_parallel
from xlsegment.clv._units import as_output
from xlsegment.clv.base import BTYDResult, fit_btyd, float_arrays, group_rows, rate_start

PARAM_NAMES = ("r", "alpha", "s", "beta")


@dataclass(repr=False)
class ParetoNBDResult(BTYDResult):
    """A fitted Pareto/NBD model: r, alpha (purchase rates), s, beta (lifetimes)."""

    label = "Pareto/NBD"
    code = "pareto_nbd"
    param_names = PARAM_NAMES
    shape_names = ("r", "s")

    def expected_purchases_at(self, times, frequency, t_x, T) -> np.ndarray:
        """`expected_purchases` at each of `times` (rows), P(alive) computed once for all of them."""
        x, tx, TT = (v.ravel() for v in float_arrays(frequency, t_x, T))
        r, alpha, s, beta = self._p()
        alive = np.exp(_log_likelihood_terms(x, tx, TT, r, alpha, s, beta)[1])
        scale = alive * (r + x) * (beta + TT) / (alpha + TT)
        return np.array([_expected_if_alive(float(t), scale, beta + TT, s) for t in times])


# ---------------------------------------------------------------- element-wise formulas (cell-friendly)


# scipy's 2F1 slows to ~100 us a value (and can fail) for z near 1 or a large second parameter: there the
# dead-part integral is taken by quadrature instead (both agree to 1e-9 where both work)
SLOW_Z = 0.9
SLOW_B = 50.0
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
_PANELS = 16
QUADRATURE_ROWS = 2048  # rows per block: (rows x 128 nodes) doubles stay within a few MB


def _hyp_parts(x, age, r, alpha, s, beta):
    """(log term, slow) of ln[ 2F1(r+s+x, t; r+s+x+1; z(age)) / (m+age)^(r+s+x) ], m = max(alpha, beta),
    z = |alpha-beta|/(m+age), t = r+x when alpha < beta else s+1, the 2F1 in Euler's form
    (1-z)^(1-t) 2F1(1, r+s+x+1-t; r+s+x+1; z); `slow` marks where scipy's 2F1 is not used (NaN there)."""
    alpha_small = alpha < beta
    lo, hi = np.where(alpha_small, alpha, beta), np.where(alpha_small, beta, alpha)
    t = np.where(alpha_small, r + x, s + 1.0)
    rsx = r + s + x
    z = (hi - lo) / (hi + age)
    b = rsx + 1.0 - t
    slow = (z >= SLOW_Z) | (b >= SLOW_B)
    log_one_minus_z = np.log(lo + age) - np.log(hi + age)
    f = special.hyp2f1(1.0, np.where(slow, 1.0, b), rsx + 1.0, np.where(slow, 0.0, z))
    log_f = (1.0 - t) * log_one_minus_z + np.log(f)
    return np.where(slow, np.nan, log_f - rsx * np.log(hi + age)), slow


def _log_a0_from_terms(u1, u2):
    """ln A0 = ln(e^u1 - e^u2) from the two terms at t_x and T (u1 >= u2; -inf when t_x = T)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return u1 + np.log(-np.expm1(np.minimum(u2 - u1, 0.0)))


def _log_a0_quadrature(x, tx, T, r, alpha, s, beta, with_grad: bool = False):
    """ln A0 = ln(r+s+x) + ln integral of (alpha+u)^-(r+x) (beta+u)^-(s+1) du from t_x to T (the likelihood of
    dropping out in between), by Gauss-Legendre on panels widening geometrically from t_x; with its
    gradient in log-parameters (4 x n, differentiated under the integral) when `with_grad`.

    Rows are independent: they are taken QUADRATURE_ROWS at a time, so the (rows x nodes) arrays stay in
    the processor's cache instead of streaming through memory (a 100k-customer fit calls this ~100 times),
    and the blocks share the processor's cores (numpy leaves Python's lock while it computes)."""
    x, tx, T, r, alpha, s, beta = (v.ravel() for v in float_arrays(x, tx, T, r, alpha, s, beta))
    value = np.empty(len(x))
    grad = np.empty((4, len(x))) if with_grad else None

    def block(lo: int) -> None:
        rows = slice(lo, lo + QUADRATURE_ROWS)
        value[rows], block_grad = _quadrature_block(
            *(v[rows] for v in (x, tx, T, r, alpha, s, beta)), with_grad
        )
        if with_grad:
            grad[:, rows] = block_grad

    in_parallel(block, range(0, len(x), QUADRATURE_ROWS))
    return value, grad


def _quadrature_block(x, tx, T, r, alpha, s, beta, with_grad: bool):
    """`_log_a0_quadrature` on one block of rows (1-D arrays of equal length)."""
    p, q = r + x, s + 1.0
    span = T - tx
    decay = p / (alpha + tx) + q / (beta + tx)  # -d ln f / du at t_x
    lam = np.maximum(np.log1p(10.0 * span * decay) * _PANELS / (_PANELS - 1), 1e-9)
    frac = np.expm1(np.outer(lam, np.arange(_PANELS + 1) / _PANELS)) / np.expm1(lam)[:, None]
    edges = tx[:, None] + span[:, None] * frac
    mid, half = 0.5 * (edges[:, 1:] + edges[:, :-1]), 0.5 * (edges[:, 1:] - edges[:, :-1])
    n = len(x)
    u = (mid[:, :, None] + half[:, :, None] * _GL_NODES).reshape(n, -1)
    a_u, b_u = alpha[:, None] + u, beta[:, None] + u
    ln_a, ln_b = np.log(a_u), np.log(b_u)
    log_f = ln_a * -p[:, None]
    log_f -= q[:, None] * ln_b
    top = log_f[:, 0].copy()
    log_f -= top[:, None]
    weights = np.exp(log_f, out=log_f)
    weights *= (half[:, :, None] * _GL_WEIGHTS).reshape(n, -1)
    total = weights.sum(axis=1)
    rsx = r + s + x
    with np.errstate(divide="ignore"):
        value = np.where(span > 0, top + np.log(total) + np.log(rsx), -np.inf)
    if not with_grad:
        return value, None
    norm = np.where(total > 0, total, 1.0)

    def mean(values):  # weighted mean of each row, without a (rows x nodes) temporary
        return np.einsum("ij,ij->i", weights, values) / norm

    grad = np.array(
        [
            r * (1.0 / rsx - mean(ln_a)),
            alpha * -p * mean(np.reciprocal(a_u, out=a_u)),
            s * (1.0 / rsx - mean(ln_b)),
            beta * -q * mean(np.reciprocal(b_u, out=b_u)),
        ]
    )
    return value, np.where(span > 0, grad, 0.0)


def _log_a0(x, tx, T, r, alpha, s, beta, u1=None, u2=None, slow=None):
    """ln A0 per customer: from the 2F1 terms (given, or computed here), by quadrature where they are slow."""
    if u1 is None:
        (u1, slow1), (u2, slow2) = (_hyp_parts(x, age, r, alpha, s, beta) for age in (tx, T))
        slow = slow1 | slow2
    out = _log_a0_from_terms(u1, u2)
    if slow.any():
        x, tx, T, r, alpha, s, beta = (
            np.broadcast_to(v, out.shape)[slow] for v in (x, tx, T, r, alpha, s, beta)
        )
        out = out.copy()
        out[slow] = _log_a0_quadrature(x, tx, T, r, alpha, s, beta)[0]
    return out


def _log_likelihood_terms(x, t_x, T, r, alpha, s, beta, log_a0=None):
    """Per-customer log-likelihood and ln P(alive), sharing their pieces (ln A0 computed unless given)."""
    if log_a0 is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_a0 = _log_a0(x, t_x, T, r, alpha, s, beta)
    head = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive_part = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead_part = np.log(s) - np.log(r + s + x) + log_a0
    tail = np.logaddexp(alive_part, dead_part)
    return head + tail, alive_part - tail


def paretonbd_p_alive(frequency, t_x, T, r, alpha, s, beta):
    """P(alive | x, t_x, T), element-wise."""
    x, tx, TT, r, alpha, s, beta = float_arrays(frequency, t_x, T, r, alpha, s, beta)
    return as_output(np.exp(_log_likelihood_terms(x, tx, TT, r, alpha, s, beta)[1]))


def _lifetime_share(t, beta_T, s):
    """(1 - (beta_T / (beta_T + t))^(s-1)) / (s-1), tending to ln((beta_T + t) / beta_T) at s = 1."""
    log_ratio = np.log(beta_T + t) - np.log(beta_T)
    sm1 = s - 1.0
    near = np.abs(sm1) < 1e-8
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(near, log_ratio, -np.expm1(-sm1 * log_ratio) / np.where(near, 1.0, sm1))


def paretonbd_expected_purchases(t, frequency, t_x, T, r, alpha, s, beta):
    """E[Y(t) | x, t_x, T] = P(alive) (r+x)(beta+T) / (alpha+T) (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1)."""
    t, x, tx, TT, r, alpha, s, beta = float_arrays(t, frequency, t_x, T, r, alpha, s, beta)
    alive = np.exp(_log_likelihood_terms(x, tx, TT, r, alpha, s, beta)[1])
    return as_output(_expected_if_alive(t, alive * (r + x) * (beta + TT) / (alpha + TT), beta + TT, s))


def _expected_if_alive(t, scale, beta_T, s):
    """E[Y(t)] from its part that does not depend on t, P(alive) (r+x)(beta+T)/(alpha+T)."""
    return np.where(t > 0, np.clip(scale * _lifetime_share(t, beta_T, s), 0.0, None), 0.0)


def paretonbd_unconditional_purchases(t, r, alpha, s, beta):
    """E[X(t)] = r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1)), element-wise."""
    t, r, alpha, s, beta = float_arrays(t, r, alpha, s, beta)
    out = r * beta / alpha * _lifetime_share(t, beta, s)
    return as_output(np.where(t > 0, np.clip(out, 0.0, None), 0.0))


def paretonbd_log_likelihood(params, frequency, t_x, T, weights=None) -> float:
    """Total log-likelihood of (r, alpha, s, beta) on the customers' (x, t_x, T)."""
    x, tx, TT = (v.ravel() for v in float_arrays(frequency, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    return -_nll(np.log(np.asarray(params, dtype=float)), _prepare(x, tx, TT, w))


# ---------------------------------------------------------------- fit


@dataclass
class _Prepared:
    """Grouped customers, with the distinct (x, t_x) and (x, T) pairs the two 2F1 terms are evaluated on."""

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    w: np.ndarray
    pairs_tx: tuple[np.ndarray, np.ndarray, np.ndarray]  # distinct x, t_x, and the index back
    pairs_T: tuple[np.ndarray, np.ndarray, np.ndarray]


def _prepare(x, tx, T, w) -> _Prepared:
    def pairs(age):
        (px, page), _, inverse = group_rows(x, age)
        return px, page, inverse

    return _Prepared(x, tx, T, w, pairs(tx), pairs(T))


def _hyp_grouped(params: np.ndarray, d: _Prepared) -> tuple[np.ndarray, np.ndarray]:
    """ln A0 per grouped row from the 2F1 terms (evaluated once per distinct pair), and where they are slow."""
    u1, slow1 = (v[d.pairs_tx[2]] for v in _hyp_parts(d.pairs_tx[0], d.pairs_tx[1], *params))
    u2, slow2 = (v[d.pairs_T[2]] for v in _hyp_parts(d.pairs_T[0], d.pairs_T[1], *params))
    return _log_a0_from_terms(u1, u2), slow1 | slow2


def _log_a0_grouped(
    params: np.ndarray, d: _Prepared, with_grad: bool = False, step: float = 1e-5
) -> tuple[np.ndarray, np.ndarray | None]:
    """ln A0 per grouped row and (when `with_grad`) its gradient in log-parameters: central differences of
    the 2F1 terms, differentiation under the integral where the quadrature is used."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_a0, slow = _hyp_grouped(params, d)
        grad = np.zeros((4, len(d.x))) if with_grad else None
        if with_grad and not slow.all():  # where every row is slow, the quadrature gives the whole gradient
            for i in range(4):
                e = np.zeros(4)
                e[i] = step
                up, down = _hyp_grouped(params * np.exp(e), d)[0], _hyp_grouped(params * np.exp(-e), d)[0]
                diff = (up - down) / (2 * step)  # -inf - -inf where t_x = T: no dead part, weight 0
                grad[i] = np.where(np.isfinite(diff), diff, 0.0)
        if slow.any():
            value, quad_grad = _log_a0_quadrature(d.x[slow], d.tx[slow], d.T[slow], *params, with_grad)
            log_a0[slow] = value
            if with_grad:
                grad[:, slow] = quad_grad
    return log_a0, grad


def _nll(logp: np.ndarray, d: _Prepared) -> float:
    params = np.exp(logp)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ll = _log_likelihood_terms(d.x, d.tx, d.T, *params, log_a0=_log_a0_grouped(params, d)[0])[0]
    total = float(d.w @ ll)
    return -total if np.isfinite(total) else np.inf


def _nll_grad(logp: np.ndarray, d: _Prepared) -> tuple[float, np.ndarray]:
    """Negative log-likelihood and its gradient in log-parameters: analytic except for ln A0's 2F1 terms,
    whose derivatives are central differences (on the distinct pairs only, see `_log_a0_grouped`).

    LL = head + ln(e^A + e^D): head = ln G(r+x) - ln G(r) + r ln alpha + s ln beta,
    A = -(r+x) ln(alpha+T) - s ln(beta+T), D = ln s - ln(r+s+x) + ln A0.
    """
    params = np.exp(logp)
    r, alpha, s, beta = params
    x, T, w = d.x, d.T, d.w
    log_a0, d_a0 = _log_a0_grouped(params, d, with_grad=True)
    ll = _log_likelihood_terms(x, d.tx, T, *params, log_a0=log_a0)[0]
    total = float(w @ ll)
    if not np.isfinite(total):
        return np.inf, np.zeros(4)
    A = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    D = np.log(s) - np.log(r + s + x) + log_a0
    w_dead = special.expit(D - A)  # share of the likelihood from "dropped out between t_x and T"
    w_alive = 1.0 - w_dead
    rsx = r + s + x
    grad_log = np.array(
        [
            r * (special.digamma(r + x) - special.digamma(r) + np.log(alpha) - w_alive * np.log(alpha + T)
                 - w_dead / rsx),
            r - w_alive * alpha * (r + x) / (alpha + T),
            s * (np.log(beta) - w_alive * np.log(beta + T) + w_dead * (1.0 / s - 1.0 / rsx)),
            s - w_alive * s * beta / (beta + T),
        ]
    ) + w_dead * d_a0  # fmt: skip
    return -total, -(grad_log @ w)


def fit_pareto_nbd(
    summary: pd.DataFrame,
    min_repeat_buyers: int = 20,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    standard_errors: bool = True,
) -> ParetoNBDResult:
    """Fit the Pareto/NBD model to the summary's repeat purchase days, t_x and T by maximum likelihood.

    Same inputs, units and warnings as `fit_bgnbd`; results with `.params` (r, alpha, s, beta),
    `.log_likelihood`, `.converged`, `.p_alive(...)` and `.expected_purchases(...)`. The gradient is taken
    of ln A0 by central differences (its 2F1 terms have no cheap analytic derivative).
    """
    return fit_btyd(
        ParetoNBDResult, summary, _nll_grad, lambda x, T: rate_start(x, T, 1.0, max(float(T.mean()), 1e-3)),
        min_repeat_buyers, max_iterations, tolerance, _prepare, standard_errors,
    )  # fmt: skip


ParetoNBDResult._p_alive = staticmethod(paretonbd_p_alive)
ParetoNBDResult._expected = staticmethod(paretonbd_expected_purchases)
ParetoNBDResult._unconditional = staticmethod(paretonbd_unconditional_purchases)
