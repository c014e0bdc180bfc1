"""Confidence intervals for a contacted-vs-held-out comparison.

- Difference of two proportions (purchase rates): Newcombe's hybrid score interval (Newcombe 1998, method 10),
  built from the two Wilson score intervals; it stays inside [-1, 1] and behaves with small groups and rates
  near 0 or 1, where the plain normal (Wald) interval does not.
- Difference of two means (revenue per customer): Welch's t interval (unequal variances, Welch-Satterthwaite
  degrees of freedom). A group whose values are all equal (a small control group where nobody bought: all
  zeros) says nothing about its spread; its variance is then taken as the other group's, so that a mean of
  zero against a few buyers is not called a certain difference while the purchase rates are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A difference (first group minus second) with its confidence interval; NaN when it cannot be computed."""

    difference: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of zero: the difference is real at that confidence."""
        return bool(self.low > 0 or self.high < 0)


NAN_INTERVAL = Interval(math.nan, math.nan, math.nan)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence!r}")
    from scipy import stats  # here, not at import: scipy.stats alone costs ~0.9 s of every build's start

    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion successes / n."""
    if n <= 0:
        return math.nan, math.nan
    z = _z(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_difference(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> Interval:
    """k1/n1 - k2/n2 with Newcombe's hybrid score interval."""
    if n1 <= 0 or n2 <= 0:
        return NAN_INTERVAL
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Interval(d, low, high)


def mean_difference(x1: np.ndarray, x2: np.ndarray, confidence: float = 0.95) -> Interval:
    """mean(x1) - mean(x2) with Welch's t interval (each group needs two values; a group without spread takes
    the other's variance)."""
    x1, x2 = np.asarray(x1, dtype=float), np.asarray(x2, dtype=float)
    n1, n2 = len(x1), len(x2)
    if n1 < 2 or n2 < 2:
        return (
            Interval(float(x1.mean()) - float(x2.mean()), math.nan, math.nan) if n1 and n2 else NAN_INTERVAL
        )
    _z(confidence)
    d = float(x1.mean() - x2.mean())
    s1, s2 = float(x1.var(ddof=1)), float(x2.var(ddof=1))
    s1, s2 = s1 or s2, s2 or s1  # a group without spread borrows the other's (see the module docstring)
    v1, v2 = s1 / n1, s2 / n2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Interval(d, d, d)
    dof = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    from scipy import stats  # see _z

    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return Interval(d, d - half, d + half)
