"""What every CLV model shares (lifetimes' `BaseFitter` idiom): inputs, grouping, log-space fit, after-fit checks.

A model file (bgnbd.py, mbgnbd.py, pareto_nbd.py, gamma_gamma.py) adds only its likelihood and predictions.
The after-fit checks live here once: a fit is `converged` only when the optimiser stopped on its own (not at
the iteration cap), the gradient is ~0, and the data identify the parameters (none ran to a bound, the
Hessian is finite and positive definite). A parameter whose log has a standard error above `MAX_LOG_SE` is
identified but imprecise (`imprecise`): the reliability verdict then says "uncertain".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from xlsegment.clv._optim import minimize_bounded
from xlsegment.clv._units import UNIT_NAMES, numeric_column, require_columns, warn
from xlsegment.errors import say

# log-parameter bounds: a parameter stuck at one of them means the data cannot identify it
LOG_BOUND = 15.0
# largest gradient (of the mean log-likelihood per customer, in log-parameters) of a converged fit
GRADIENT_TOL = 1e-4
# largest standard error of a log-parameter for it to count as precise: e^2 ~ a factor 7 either way
MAX_LOG_SE = 2.0
# a shape parameter (unit-free) above this has run off towards infinity: no heterogeneity left to measure
MAX_SHAPE = 1e3
# BTYD inputs by purchase day (contract 1), with the order-based columns as a fallback for plain summaries
REPEAT_COLUMNS = ("repeat_days", "frequency")
VALUE_COLUMNS = ("repeat_day_value", "monetary_value")

NLLGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class FitResult:
    """A fitted model: `.params` (names as in the literature), `.log_likelihood`, `.converged` and notes."""

    label: ClassVar[str] = "model"
    param_names: ClassVar[tuple[str, ...]] = ()
    shape_names: ClassVar[tuple[str, ...]] = ()  # the unit-free parameters (not rates or money scales)

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    identified: bool = field(default=True, kw_only=True)
    warnings: list[str] = field(default_factory=list, kw_only=True)
    message: str = field(default="", kw_only=True)
    iterations: int = field(default=0, kw_only=True)
    std_errors: dict[str, float] = field(default_factory=dict, kw_only=True)

    @property
    def usable(self) -> bool:
        """True when the parameters are finite (predictions can be computed, maybe with a warning)."""
        return all(np.isfinite(v) for v in self.params.values())

    @property
    def imprecise(self) -> list[str]:
        """Parameters the data determine only loosely (standard error of the log above MAX_LOG_SE)."""
        return [k for k, v in self.std_errors.items() if v > MAX_LOG_SE]

    @property
    def given(self) -> bool:
        """True for parameters typed in by a user rather than fitted here (no customers counted)."""
        return getattr(self, "n_customers", 0) == 0 and not self.warnings

    def _p(self) -> tuple[float, ...]:
        return tuple(self.params[k] for k in self.param_names)

    def _figures(self) -> list[tuple[str, object]]:
        return [("log_likelihood", self.log_likelihood), ("converged", self.converged)] + [
            ("identified", self.identified)
        ]

    def to_frame(self) -> pd.DataFrame:
        """The parameters and fit figures as a two-column table (name, value), for a report sheet."""
        rows = [*self.params.items(), *self._figures()]
        return pd.DataFrame(rows, columns=["name", "value"])

    def _counts_text(self) -> str:
        return ""

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        status = "converged" if self.converged else "NOT converged"
        return f"{type(self).__name__}({ps}; LL={self.log_likelihood:.2f}; {status}{self._counts_text()})"


@dataclass(repr=False)
class BTYDResult(FitResult):
    """A fitted purchase model (BG/NBD, MBG/NBD, Pareto/NBD) on (x, t_x, T) in `time_unit`."""

    code: ClassVar[str] = "btyd"
    n_customers: int = 0
    n_repeat_buyers: int = 0
    time_unit: str = "D"

    def p_alive(self, frequency, t_x, T):
        """Probability each customer is still active, given (x, t_x, T) in the model's time unit."""
        return self._p_alive(frequency, t_x, T, *self._p())

    def expected_purchases(self, t, frequency, t_x, T):
        """Expected purchases in the next `t` periods (model unit) of customers with history (x, t_x, T)."""
        return self._expected(t, frequency, t_x, T, *self._p())

    def expected_purchases_at(self, times, frequency, t_x, T) -> np.ndarray:
        """Expected purchases by each of `times` (rows) for each customer (columns): the discount grid of
        `predict_clv`. A model whose P(alive) does not depend on the time ahead computes it once here."""
        return np.array(
            [
                np.atleast_1d(np.asarray(self.expected_purchases(t, frequency, t_x, T), dtype=float))
                for t in times
            ]
        )

    def unconditional_purchases(self, t):
        """Expected purchases of a new customer in `t` periods after the first purchase, E[X(t)]."""
        return self._unconditional(t, *self._p())

    _p_alive: ClassVar[Callable]
    _expected: ClassVar[Callable]
    _unconditional: ClassVar[Callable]

    def _figures(self) -> list[tuple[str, object]]:
        return super()._figures() + [
            ("n_customers", self.n_customers),
            ("n_repeat_buyers", self.n_repeat_buyers),
            ("time_unit", self.time_unit),
        ]

    def _counts_text(self) -> str:
        return (
            f"; {self.n_customers} customers, {self.n_repeat_buyers} repeat buyers; "
            f"unit={UNIT_NAMES.get(self.time_unit, self.time_unit)}"
        )


# ---------------------------------------------------------------- inputs


def float_arrays(*values) -> list[np.ndarray]:
    """The arguments of an element-wise formula as broadcast float arrays (scalars or cell ranges alike)."""
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def first_present(summary: pd.DataFrame, names: tuple[str, ...]) -> str:
    """The first of `names` that the summary has (the last one when none is there, for the error message)."""
    return next((n for n in names if n in summary.columns), names[-1])


def btyd_inputs(summary: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of every customer: x = repeat purchase days (`repeat_days`, else `frequency`), checked."""
    require_columns(summary, [], what)  # a DataFrame, or a clear TypeError
    x_col = first_present(summary, REPEAT_COLUMNS)
    require_columns(summary, [x_col, "t_x", "T"], what)
    x = numeric_column(summary, x_col, what)
    tx = numeric_column(summary, "t_x", what)
    T = numeric_column(summary, "T", what)
    fractional = np.abs(x - np.round(x)) > 1e-9
    if fractional.any():
        first = summary.index[np.flatnonzero(fractional)[0]]
        raise ValueError(
            f"{what}: column {x_col!r} must hold whole repeat-purchase counts (customer {first!r})"
        )
    bad = tx > T * (1 + 1e-9) + 1e-9
    if bad.any():
        first = summary.index[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{what}: t_x (time between first and last purchase) exceeds T (customer age) for "
            f"{int(bad.sum())} customer(s), first {first!r}"
        )
    return np.round(x), np.where(x > 0, tx, 0.0), T


def spend_inputs(summary: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, m): repeat purchase days and their mean value (`repeat_day_value`, else `monetary_value`)."""
    require_columns(summary, [], what)
    x_col = first_present(summary, REPEAT_COLUMNS)
    m_col = first_present(summary, VALUE_COLUMNS) if x_col == "repeat_days" else "monetary_value"
    require_columns(summary, [x_col, m_col], what)
    x = numeric_column(summary, x_col, what)
    m = pd.to_numeric(summary[m_col], errors="coerce").to_numpy(dtype=float)
    return x, m


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


@dataclass
class Distinct:
    """Grouped customers with indexes into their distinct x, t_x and T, so that special functions and logs
    are evaluated once per distinct value rather than once per customer (BG/NBD, MBG/NBD)."""

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


def distinct_values(x, tx, T, w) -> Distinct:
    """The grouped rows (x, t_x, T, weights) with their distinct values and the indexes back."""
    ix, ux = pd.factorize(np.asarray(x, dtype=float))
    itx, utx = pd.factorize(np.asarray(tx, dtype=float))
    iT, uT = pd.factorize(np.asarray(T, dtype=float))
    w = np.asarray(w, dtype=float)
    ux = np.asarray(ux, dtype=float)
    return Distinct(
        ux, ix, np.asarray(utx, float), itx, np.asarray(uT, float), iT, ux[ix], ux[ix] > 0, w,
        np.bincount(ix, weights=w, minlength=len(ux)),
    )  # fmt: skip


# ---------------------------------------------------------------- fit and after-fit checks


@dataclass
class MLFit:
    """Outcome of `fit_ml`: parameters, log-likelihood, the after-fit verdicts and the notes explaining them."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    identified: bool
    notes: list[str]
    message: str
    iterations: int
    std_errors: dict[str, float]


def _log_std_errors(fun: NLLGrad, logp: np.ndarray, total: float, step: float = 1e-3) -> np.ndarray | None:
    """Standard errors of the log-parameters from the numerical Hessian of the total negative
    log-likelihood; None when the Hessian is not finite or not positive definite (not identified)."""
    k = len(logp)
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        hess[:, i] = (fun(logp + e)[1] - fun(logp - e)[1]) / (2 * step)
    hess = 0.5 * (hess + hess.T) * total
    if not np.isfinite(hess).all():
        return None
    try:
        np.linalg.cholesky(hess)
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    return np.sqrt(np.clip(np.diag(cov), 0.0, None))


def fit_ml(
    fun: NLLGrad,
    start: np.ndarray,
    names: tuple[str, ...],
    total: float,
    label: str,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    shape_names: tuple[str, ...] = (),
    standard_errors: bool = True,
) -> MLFit:
    """Maximum likelihood in log-parameters for `fun(logp) -> (mean NLL per customer, gradient)`.

    `total` is the number of customers the mean is over. Returns the parameters and the after-fit checks
    (see the module docstring), with one note per failed check (`errors.say`: English and French). Without
    `standard_errors` the Hessian is not taken (a side fit used only for its predictions): the standard errors
    are NaN and only the optimiser and the bounds are checked.
    """
    # a shape parameter may not run off far beyond MAX_SHAPE (the optimiser would follow the ridge for ever)
    bounds = np.array([np.log(MAX_SHAPE) + 1.0 if k in shape_names else LOG_BOUND for k in names])
    give_up = np.array([np.log(MAX_SHAPE) if k in shape_names else np.inf for k in names])
    res = minimize_bounded(fun, start, bounds, max_iterations, tolerance, give_up_above=give_up)
    params = dict(zip(names, (float(v) for v in np.exp(res.logp)), strict=True))
    notes: list[str] = []
    optimiser_ok = res.stopped and res.gradient < GRADIENT_TOL
    if not optimiser_ok:
        why = (
            say("clv.note.iteration_limit")
            if not res.stopped
            else say("clv.note.gradient", gradient=f"{res.gradient:.1e}")
        )
        notes.append(say("clv.note.not_converged", model=label, why=why, detail=res.message))
    at_bound = [k for k, flag in zip(names, res.at_bound, strict=True) if flag]
    at_bound += [k for k in shape_names if params[k] > MAX_SHAPE and k not in at_bound]
    se = _log_std_errors(fun, res.logp, total) if standard_errors and np.isfinite(res.value) else None
    std_errors = (
        dict.fromkeys(names, float("nan")) if se is None else dict(zip(names, map(float, se), strict=True))
    )
    loose = [k for k, v in std_errors.items() if v > MAX_LOG_SE]
    if at_bound:
        notes.append(say("clv.note.at_bound", model=label, params=", ".join(at_bound)))
    elif se is None and standard_errors:
        notes.append(say("clv.note.flat", model=label))
    elif loose:
        notes.append(say("clv.note.loose", model=label, params=", ".join(loose), limit=f"{MAX_LOG_SE:g}"))
    identified = not at_bound and (se is not None if standard_errors else bool(np.isfinite(res.value)))
    return MLFit(
        params, -res.value * total, bool(optimiser_ok and identified), identified, notes, res.message,
        res.iterations, std_errors,
    )  # fmt: skip


def cannot_fit_note(label: str, n: int, n_repeat: int, span: float) -> str | None:
    """Why a purchase model cannot be fitted at all (no customer, no repeat buyer, no time span), or None."""
    if n == 0 or span <= 0:
        return say("clv.note.cannot_fit", model=label, n=n, repeat=n_repeat)
    if n_repeat == 0:
        return say("clv.note.no_repeat", model=label, n=n)
    return None


def fit_btyd(
    cls: type[BTYDResult],
    summary: pd.DataFrame,
    nll_grad: Callable[[np.ndarray, tuple], tuple[float, np.ndarray]],
    start: Callable[[np.ndarray, np.ndarray], np.ndarray],
    min_repeat_buyers: int,
    max_iterations: int,
    tolerance: float,
    prepare: Callable[..., object] = lambda *data: data,
    standard_errors: bool = True,
) -> BTYDResult:
    """Fit a purchase model on the summary's (x, t_x, T): the flow shared by BG/NBD, MBG/NBD and Pareto/NBD.

    `nll_grad(logp, prepare(x, t_x, T, weights))` is the model's summed negative log-likelihood and gradient
    on grouped rows (`prepare` runs once, before the optimiser); `start(x, T)` its starting log-parameters;
    `standard_errors=False` skips the Hessian (see `fit_ml`).
    """
    from xlsegment.clv._units import summary_unit

    x, tx, T = btyd_inputs(summary, f"fit {cls.label}")
    unit = summary_unit(summary)
    n, n_repeat = len(x), int((x > 0).sum())
    blocked = cannot_fit_note(cls.label, n, n_repeat, float(T.max(initial=0.0)))
    if blocked:
        warn(blocked)
        nan_params = dict.fromkeys(cls.param_names, float("nan"))
        return cls(
            nan_params, float("nan"), False, n, n_repeat, unit, identified=False, warnings=[blocked],
            message=blocked,
        )  # fmt: skip
    (gx, gtx, gT), counts, _ = group_rows(x, tx, T)
    data = prepare(gx, gtx, gT, counts)
    total = float(counts.sum())

    def fun(logp):
        nll, grad = nll_grad(logp, data)
        return nll / total, grad / total

    fit = fit_ml(
        fun, start(x, T), cls.param_names, total, cls.label, max_iterations, tolerance, cls.shape_names,
        standard_errors,
    )  # fmt: skip
    notes = fit.notes
    identified = fit.identified
    if n_repeat < min_repeat_buyers:
        identified = False
        notes.append(
            say("clv.note.few_repeat", model=cls.label, repeat=n_repeat, n=n, minimum=min_repeat_buyers)
        )
    for note in notes:
        warn(note)
    return cls(
        fit.params, fit.log_likelihood, fit.converged and identified, n, n_repeat, unit, identified=identified,
        warnings=notes, message=fit.message, iterations=fit.iterations, std_errors=fit.std_errors,
    )  # fmt: skip


def rate_start(x: np.ndarray, T: np.ndarray, *shape: float) -> np.ndarray:
    """Starting log-parameters (r = 1, alpha from the observed repeat rate, then `shape`), near the data."""
    rate = max(float(x.sum()) / max(float(T.sum()), 1e-9), 1e-6)
    return np.log([1.0, 1.0 / rate, *shape])
