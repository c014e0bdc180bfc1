"""RFM and FRAT scores with three explicit binning methods, and the thresholds actually used.

- "quantile": groups of about equal size; all customers with one value get one score (ties are never
  split); with fewer distinct values than scores the values are spread over the scale, with a warning.
- "fixed": the user's upper bounds (inclusive), e.g. recency [30, 90, 180, 365] days.
- "r_rfm": the R package rfm 0.2.x convention (rfm_table_order): breaks = R quantile(type 7) at
  1/n, 2/n, ... plus 1, a value v gets bin i when lower_i <= v < upper_i; recency scores are reversed.
Scores are 1..n, high = good (recent, frequent, big spender).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError, Text, say
from xlsegment.segments.codes import categorical, unique_counts
from xlsegment.segments.config import (
    RFM_BINS,
    RFM_METHOD,
    RFM_METHODS,
    SegmentWarning,
    days_per_unit,
    numbers,
    require,
)

DIMENSIONS = ("recency", "frequency", "monetary")


def _greedy_uppers(counts: np.ndarray, n: int) -> np.ndarray:
    """Index of the last distinct value of each of the first n-1 groups (equal-frequency, ties kept)."""
    d = len(counts)
    cum = np.cumsum(counts)
    total = float(cum[-1])
    uppers = []
    done, j0 = 0.0, 0
    for b in range(n - 1):
        left = n - b
        target = done + (total - done) / left
        j = int(np.searchsorted(cum, target, side="left"))
        j = min(j, d - 1)
        if j - 1 >= j0 and target - cum[j - 1] < cum[j] - target:
            j -= 1
        j = max(j0, min(j, d - left))
        uppers.append(j)
        done, j0 = float(cum[j]), j + 1
    return np.asarray(uppers, dtype=np.int64)


def quantile_scores(
    values: np.ndarray, n: int = RFM_BINS, higher_is_better: bool = True, distinct: tuple | None = None
) -> tuple[np.ndarray, dict]:
    """Scores 1..n from groups of about equal size, never splitting one value across two scores.

    `distinct` may pass `unique_counts(values)` when it is already known.
    """
    uniq, inverse, counts = distinct if distinct is not None else unique_counts(values)
    if not higher_is_better:  # work on -values: the distinct values in reverse order
        uniq, inverse, counts = -uniq[::-1], len(uniq) - 1 - inverse, counts[::-1]
    d, total = len(uniq), len(values)
    note = None
    if d == 0:
        score_of = np.zeros(0, dtype=np.int8)
    elif d == 1:
        score_of = np.array([(n + 1) // 2], dtype=np.int8)
        note = say("segments.note.one_value", score=(n + 1) // 2)
    elif d <= n:
        score_of = (1 + np.rint(np.arange(d) * (n - 1) / (d - 1))).astype(np.int8)
        if d < n:
            note = say("segments.note.few_values", d=d, n=n)
    else:
        uppers = _greedy_uppers(counts, n)
        score_of = (1 + np.searchsorted(uppers, np.arange(d), side="left")).astype(np.int8)
        biggest = int(np.argmax(counts))
        if counts[biggest] > 2 * total / n:
            value = uniq[biggest] if higher_is_better else -uniq[biggest]
            share = counts[biggest] / total
            note = say(
                "segments.note.shared_value",
                share=Text(f"{share:.0%}", f"{share:.0%}".replace("%", "\u00a0%")),
                value=Text(f"{value:g}", f"{value:g}".replace(".", ",")),
                score=int(score_of[biggest]),
            )
    scores = score_of[inverse] if d else np.zeros(0, dtype=np.int8)
    ranges: list[list[float] | None] = [None] * n
    for score in range(1, n + 1):  # from the distinct values: no pass over every customer
        chosen = uniq[score_of == score] if d else uniq
        if len(chosen):
            low, high = float(chosen.min()), float(chosen.max())
            ranges[score - 1] = [low, high] if higher_is_better else [-high, -low]
    return scores, {"ranges": ranges, "warning": note}


def fixed_scores(
    values: np.ndarray, breaks: Sequence[float], higher_is_better: bool = True, name: str = ""
) -> tuple[np.ndarray, dict]:
    """Scores from ascending upper bounds: score 1 (or n for recency) up to the first bound, inclusive."""
    try:
        bounds = np.asarray([float(b) for b in breaks], dtype="float64")
    except (TypeError, ValueError):
        raise ConfigError(f"rfm_breaks[{name!r}] must be a list of numbers, not {breaks!r}") from None
    if len(bounds) < 1 or not np.all(np.isfinite(bounds)) or np.any(np.diff(bounds) <= 0):
        raise ConfigError(f"rfm_breaks[{name!r}] must be strictly increasing numbers, not {list(breaks)!r}")
    n = len(bounds) + 1
    bins = 1 + np.searchsorted(bounds, values, side="left")
    scores = (bins if higher_is_better else n + 1 - bins).astype(np.int8)
    return scores, {"breaks": bounds.tolist(), "ranges": _ranges(values, scores, n)}


def r_rfm_scores(
    values: np.ndarray, n: int = RFM_BINS, higher_is_better: bool = True
) -> tuple[np.ndarray, dict]:
    """R rfm 0.2.x: breaks = quantile(x, type 7) + 1; bin i when lower_i <= x < upper_i."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int8), {"breaks": [], "ranges": _ranges(values, np.zeros(0), n)}
    breaks = np.quantile(values, np.linspace(0, 1, n + 1))[1:-1] + 1
    bins = 1 + np.searchsorted(breaks, values, side="right")
    scores = (bins if higher_is_better else n + 1 - bins).astype(np.int8)
    return scores, {"breaks": breaks.tolist(), "ranges": _ranges(values, scores, n)}


def _ranges(values: np.ndarray, scores: np.ndarray, n: int) -> list[list[float] | None]:
    """[lowest, highest] value per score 1..n (None for an empty score)."""
    out: list[list[float] | None] = [None] * n
    for score in range(1, n + 1):
        chosen = values[scores == score]
        if len(chosen):
            out[score - 1] = [float(chosen.min()), float(chosen.max())]
    return out


def score_dimension(
    values: np.ndarray,
    n: int = RFM_BINS,
    method: str = RFM_METHOD,
    breaks: Sequence[float] | None = None,
    higher_is_better: bool = True,
    name: str = "",
    distinct: tuple | None = None,
) -> tuple[np.ndarray, dict]:
    """Scores of one dimension by `method`, with the rule used (ranges per score, breaks, warning)."""
    if method == "quantile":
        scores, info = quantile_scores(values, n, higher_is_better, distinct)
    elif method == "fixed":
        if breaks is None:
            raise ConfigError(f"rfm_method 'fixed' needs rfm_breaks[{name!r}]")
        scores, info = fixed_scores(values, breaks, higher_is_better, name)
    elif method == "r_rfm":
        scores, info = r_rfm_scores(values, n, higher_is_better)
    else:
        raise ConfigError(f"rfm_method {method!r} is not known; use one of {', '.join(RFM_METHODS)}")
    info = {"method": method, "n_scores": len(info["ranges"]), **info}
    if info.get("warning"):
        warnings.warn(
            say("segments.note.rfm", dimension=say(f"segments.note.dim.{name}"), text=info["warning"]),
            SegmentWarning,
            stacklevel=3,
        )
    return scores, info


def recency_days(summary: pd.DataFrame, column: str = "recency") -> np.ndarray:
    """Recency in days, whatever the summary's time unit."""
    return numbers(summary, column) * days_per_unit(summary)


def rfm_code_column(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> pd.Categorical:
    """The cell code "545" per customer, as a categorical of the codes present."""
    cell = r.astype(np.int64) * 100 + f.astype(np.int64) * 10 + m.astype(np.int64)
    present = np.flatnonzero(np.bincount(cell, minlength=1000))
    lookup = np.full(1000, -1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    return categorical(lookup[cell], [str(c) for c in present])


def rfm_scores(
    summary: pd.DataFrame,
    n: int = RFM_BINS,
    method: str = RFM_METHOD,
    breaks: Mapping[str, Sequence[float]] | None = None,
    columns: Sequence[str] = ("recency", "orders", "revenue"),
) -> pd.DataFrame:
    """r_score, f_score, m_score (1..n, high = good) and rfm_code per customer.

    Recency is taken in days; frequency is the number of orders and monetary the revenue by default.
    The rule applied per dimension (score ranges, breaks, warnings) is in `attrs["rfm"]`.
    """
    scores, info = _rfm(summary, n, method, breaks, columns)
    out = pd.DataFrame(
        {
            "r_score": scores[0],
            "f_score": scores[1],
            "m_score": scores[2],
            "rfm_code": rfm_code_column(*scores),
        },
        index=summary.index,
    )
    out.attrs["rfm"] = info
    return out


def _rfm(
    summary: pd.DataFrame,
    n: int,
    method: str,
    breaks: Mapping[str, Sequence[float]] | None,
    columns: Sequence[str],
    distinct: Mapping[str, tuple] | None = None,
) -> tuple[list[np.ndarray], dict]:
    """Scores of the three dimensions; `distinct` may give unique_counts already known per dimension."""
    cols = list(columns)
    if len(cols) != 3:
        raise ConfigError(
            f"rfm_columns must name three summary columns (recency, frequency, monetary), not {cols!r}"
        )
    require(summary, cols, "rfm_scores")
    if method == "fixed":
        unknown = set(breaks or {}) - set(DIMENSIONS)
        if unknown:
            raise ConfigError(
                f"rfm_breaks has unknown dimensions {sorted(unknown)}; use {', '.join(DIMENSIONS)}"
            )
    values = [recency_days(summary, cols[0]), numbers(summary, cols[1]), numbers(summary, cols[2])]
    scores, dims = [], {}
    for dim, col, vals in zip(DIMENSIONS, cols, values, strict=True):
        dim_breaks = (breaks or {}).get(dim) if method == "fixed" else None
        known = (distinct or {}).get(dim)
        s, info = score_dimension(vals, n, method, dim_breaks, dim != "recency", dim, known)
        info["column"] = col
        info["unit"] = "days" if dim == "recency" else ("orders" if col == "orders" else "")
        scores.append(s)
        dims[dim] = info
    ns = [dims[d]["n_scores"] for d in DIMENSIONS]
    if max(ns) > 9:
        raise ConfigError(f"at most 9 scores per RFM dimension, not {max(ns)}")
    warn = [f"{d}: {dims[d]['warning']}" for d in DIMENSIONS if dims[d].get("warning")]
    return scores, {"method": method, "n_scores": ns, "dimensions": dims, "warnings": warn}


def frat_scores(
    summary: pd.DataFrame,
    n: int = RFM_BINS,
    method: str = RFM_METHOD,
    breaks: Mapping[str, Sequence[float]] | None = None,
    columns: Sequence[str] = ("recency", "orders", "revenue"),
) -> pd.DataFrame:
    """FRAT: the RFM scores plus t_score, the breadth of products bought (n_categories, 1..n), and
    frat_code = rfm_code followed by t_score ("5453"). The main category stays in `main_category`.
    """
    require(summary, ["n_categories"], "frat_scores")
    rfm = rfm_scores(summary, n, method, breaks, columns)
    t_method = "quantile" if method == "fixed" else method
    t, t_info = score_dimension(numbers(summary, "n_categories"), n, t_method, name="type (categories)")
    frat = _frat_code(rfm["rfm_code"], t)
    out = rfm.assign(t_score=t, frat_code=frat)
    out.attrs["rfm"] = rfm.attrs["rfm"]
    out.attrs["frat"] = {**t_info, "column": "n_categories"}
    return out


def _frat_code(rfm_code: pd.Series, t: np.ndarray) -> pd.Categorical:
    codes = rfm_code.cat.codes.to_numpy().astype(np.int64) * 10 + t.astype(np.int64)
    present = np.flatnonzero(np.bincount(codes)) if len(codes) else np.zeros(0, dtype=np.int64)
    lookup = np.zeros(int(present.max()) + 1 if len(present) else 1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    cats = rfm_code.cat.categories
    names = [f"{cats[c // 10]}{c % 10}" for c in present]
    return pd.Categorical.from_codes(lookup[codes] if len(codes) else codes, categories=names)
