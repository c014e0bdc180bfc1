"""Gauss hypergeometric terms of the BTYD models, evaluated where scipy's 2F1 alone overflows or loses digits.

BG/NBD and MBG/NBD expected purchases both need (1-z)^power 2F1(A, B; c; z) with removable singularities at
a = 1 and c = 0; these helpers evaluate them in Euler's form and step around the singular points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

NEAR_ONE = 1e-4


def hyp2f1(A, B, c, z):
    """Gauss 2F1 for 0 <= z < 1: scipy's, with a direct power series where scipy returns inf or NaN
    (it does in corners such as 2F1(2, 1; 101; 0.91)) or disagrees with itself (`checked_hyp2f1`)."""
    out = checked_hyp2f1(A, B, c, z)
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


def checked_hyp2f1(A, B, c, z):
    """scipy's 2F1, NaN where it disagrees with itself with A and B swapped (2F1 is symmetric in them).

    scipy 1.17 errs in one argument order near c - A - B = 0: 2F1(8, 0.05; 8.05; 0.99733) gives 1.457, the
    other order (and mpmath) 1.3216. Where the two orders differ neither is trusted."""
    one = np.asarray(special.hyp2f1(A, B, c, z), dtype=float)
    two = np.asarray(special.hyp2f1(B, A, c, z), dtype=float)
    agree = np.isclose(one, two, rtol=1e-9, atol=0.0) | ~(np.isfinite(one) & np.isfinite(two))
    return np.where(agree, one, np.nan)


def one_minus_term(z, power, A, B, c, power2, A2, B2):
    """(1-z)^power 2F1(A, B; c; z) (Euler's form, well-behaved), or the equal (1-z)^power2 2F1(A2, B2; c; z)
    where scipy's 2F1 of the first is not finite (or not consistent), or the power series of the first
    where neither is."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.asarray((1.0 - z) ** power * checked_hyp2f1(A, B, c, z), dtype=float)
        bad = ~np.isfinite(out)
        if bad.any():
            other = np.asarray((1.0 - z) ** power2 * checked_hyp2f1(A2, B2, c, z), dtype=float)
            out = np.where(bad, other, out)
            bad = ~np.isfinite(out)
            if bad.any():
                out = np.where(bad, (1.0 - z) ** power * hyp2f1(A, B, c, z), out)
    return out


def around_a_one(fn: Callable, a, *args):
    """fn(a, ...) where the formula's 1/(a-1) is safe; near a = 1 (a removable singularity) the mean of
    fn at 1 - d and 1 + d, whose error is of order d^2."""
    near = np.abs(a - 1.0) < NEAR_ONE
    if not near.any():
        return fn(a, *args)
    out = fn(np.where(near, 1.0 + NEAR_ONE, a), *args)
    below = fn(np.where(near, 1.0 - NEAR_ONE, a), *args)
    return np.where(near, 0.5 * (out + below), out)


def regular(fn: Callable, a, b, x, c_offset: float = -1.0):
    """fn(a, b) away from its removable singularities a = 1 and c = a + b + x + c_offset = 0 (one-time buyers
    with a + b = 1 in BG/NBD), averaging both sides of the singular point as `around_a_one` does."""
    near = np.abs(a + b + x + c_offset) < NEAR_ONE

    def at(bb):
        return around_a_one(lambda aa: fn(aa, bb), a)

    if not near.any():
        return at(b)
    up = at(np.where(near, -a - x - c_offset + NEAR_ONE, b))
    down = at(np.where(near, -a - x - c_offset - NEAR_ONE, b))
    return np.where(near, 0.5 * (up + down), up)
