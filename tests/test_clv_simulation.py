"""Parameter recovery: data simulated from the BG/NBD and Gamma-Gamma stories give back their parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import xlsegment as xs


def simulate_bgnbd(n, r, alpha, a, b, T_max=52.0, seed=1):
    """Customers with Poisson purchases at rate lambda ~ Gamma(r, alpha) who drop out after each repeat
    purchase with probability p ~ Beta(a, b); observed for T ~ U(T_max/2, T_max) after the first purchase."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.uniform(T_max / 2, T_max, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)  # BG/NBD: no drop-out at the first purchase
    for _ in range(2000):
        if not active.any():
            break
        now = now + rng.exponential(1.0, n) / lam
        bought = active & (now <= T)
        x[bought] += 1
        t_x[bought] = now[bought]
        active = bought & (rng.random(n) >= p)
    return x, t_x, T


def frame(x, t_x, T, unit="W", **extra):
    out = pd.DataFrame({"frequency": x, "t_x": t_x, "T": T, **extra})
    out.index = pd.Index([f"c{i}" for i in range(len(x))], name="customer_id")
    out.attrs["time_unit"] = unit
    return out


def test_bgnbd_recovers_simulated_parameters():
    true = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 3.0}
    x, t_x, T = simulate_bgnbd(20_000, **true)
    fit = xs.fit_bgnbd(frame(x, t_x, T))
    assert fit.converged and fit.identified
    for name, value in true.items():
        assert fit.params[name] == pytest.approx(value, rel=0.2), name
    # the mean purchase rate r/alpha is pinned much more tightly than r and alpha separately
    assert fit.params["r"] / fit.params["alpha"] == pytest.approx(0.1, rel=0.05)


def test_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(3)
    p, q, gamma = 6.0, 4.0, 15.0
    n = 20_000
    x = rng.integers(1, 8, n).astype(float)
    nu = rng.gamma(q, 1.0 / gamma, n)  # per-customer scale
    # the mean of x Gamma(p, nu) spends is Gamma(p x, nu x)
    m = rng.gamma(p * x, 1.0 / (nu * x))
    fit = xs.fit_gamma_gamma(frame(x, np.zeros(n), np.ones(n), monetary_value=m))
    assert fit.converged
    for name, value in {"p": p, "q": q, "gamma": gamma}.items():
        assert fit.params[name] == pytest.approx(value, rel=0.1), name


@pytest.mark.slow
def test_large_ledger_is_stable():
    """A million simulated customers: the fit converges with a finite likelihood (grouped rows, log space)."""
    x, t_x, T = simulate_bgnbd(1_000_000, 0.3, 8.0, 1.2, 2.5, T_max=104.0, seed=5)
    fit = xs.fit_bgnbd(frame(x, t_x, T))
    assert fit.converged and np.isfinite(fit.log_likelihood)
    assert fit.params["r"] / fit.params["alpha"] == pytest.approx(0.3 / 8.0, rel=0.03)
