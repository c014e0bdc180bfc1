"""Bounded maximum likelihood with BFGS: log-parameters squashed into (-bound, bound) by tanh.

scipy's L-BFGS-B spends more time in its own bookkeeping than in our vectorised likelihood on a
4-parameter problem; BFGS on a smooth reparametrisation keeps the bounds at a fraction of the cost.
A parameter whose log gets near the bound is one the data cannot identify.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

STALL_ITERATIONS = 10
STALL_GAIN = 1e-9


@dataclass
class Optimum:
    logp: np.ndarray
    value: float
    stopped: bool  # the optimiser ended on its own (success, or BFGS's precision loss at a flat optimum)
    gradient: float  # largest absolute gradient component at the optimum
    message: str
    iterations: int
    at_bound: np.ndarray


def minimize_bounded(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    start: np.ndarray,
    bound: float | np.ndarray,
    max_iterations: int = 500,
    gtol: float = 1e-7,
    edge: float = 0.5,
    give_up_above: np.ndarray | None = None,
) -> Optimum:
    """Minimise fun(logp) -> (value, gradient) over |logp| < bound (one bound, or one per parameter);
    flags params within `edge` of it. Stops early once a log-parameter passes `give_up_above` (one per
    parameter): the caller has then learnt what it needs (the data cannot identify that parameter)."""
    bound = np.broadcast_to(np.asarray(bound, dtype=float), np.shape(start))
    start = np.clip(np.asarray(start, dtype=float), -bound + 1.0, bound - 1.0)
    u0 = bound * np.arctanh(start / bound)

    def wrapped(u):
        t = np.tanh(u / bound)
        value, grad = fun(bound * t)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(u)
        return value, grad * (1.0 - t * t)

    history: list[float] = []

    def stalled(intermediate_result) -> None:  # scipy passes the result under this exact name
        # a ridge (a parameter the data cannot pin down) makes BFGS crawl with ever smaller gains: stop when
        # STALL_ITERATIONS iterations together gain less than STALL_GAIN in the mean log-likelihood
        history.append(float(intermediate_result.fun))
        if len(history) > STALL_ITERATIONS and history[-STALL_ITERATIONS - 1] - history[-1] < STALL_GAIN:
            raise StopIteration
        if (
            give_up_above is not None
            and (bound * np.tanh(intermediate_result.x / bound) > give_up_above).any()
        ):
            raise StopIteration

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        res = optimize.minimize(
            wrapped, u0, jac=True, method="BFGS", callback=stalled,
            options={"gtol": gtol, "maxiter": max_iterations},
        )  # fmt: skip
        logp = bound * np.tanh(res.x / bound)
        value, grad = fun(logp)
    # BFGS status 2 is "precision loss" at a flat optimum: the caller accepts it when the gradient is ~0;
    # status 1 is the iteration cap, never a convergence
    stopped = bool(np.isfinite(value)) and (bool(res.success) or res.status in (2, 99))
    gradient = float(np.max(np.abs(grad))) if np.isfinite(grad).all() else float("inf")
    return Optimum(
        logp, float(value), stopped, gradient, str(res.message), int(res.nit), np.abs(logp) > bound - edge
    )
