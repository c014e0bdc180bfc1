"""Named segments from rule tables: score ranges per segment, first matching rule wins, else "other".

A rule table has one row per rule: `code, r_min, r_max, f_min, f_max, m_min, m_max` (blank = the whole
scale), and optionally `label_en`, `label_fr`. Bundled tables (xlsegment/rules/segments_*.csv): "rfm"
(the widely used names), "lifecycle" (seed 002) and "r_rfm_example" (the R rfm 0.2.x example).
`check_rule_table` reports score cells no rule covers (gaps) and cells several rules match (overlaps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlsegment.errors import ConfigError
from xlsegment.segments.codes import categorical

BUNDLED = {
    "rfm": "segments_rfm.csv",
    "lifecycle": "segments_lifecycle.csv",
    "r_rfm_example": "segments_r_rfm_example.csv",
}
RANGE_COLUMNS = ("r_min", "r_max", "f_min", "f_max", "m_min", "m_max")
OTHER = "other"
_ALIASES = {
    "segment": "code",
    "segment_name": "code",
    "segment_names": "code",
    "name": "code",
    "recency_lower": "r_min",
    "recency_upper": "r_max",
    "frequency_lower": "f_min",
    "frequency_upper": "f_max",
    "monetary_lower": "m_min",
    "monetary_upper": "m_max",
}


def load_rule_table(source: Any = "rfm", sheet: str | int | None = None) -> pd.DataFrame:
    """A rule table from a bundled name, a CSV path, an Excel path (sheet) or a DataFrame, checked.

    Returns columns code, r_min..m_max (whole numbers, blanks filled with 1 and the scale top),
    label_en, label_fr; `attrs["source"]` names where it came from and `attrs["n_scores"]` its scale.
    """
    if isinstance(source, pd.DataFrame):
        raw, name = source.copy(), source.attrs.get("source", "DataFrame")
    elif isinstance(source, str) and source in BUNDLED:
        table = _bundled(source)
        out = table.copy()
        out.attrs = dict(table.attrs)
        return out
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            known = ", ".join(BUNDLED)
            raise ConfigError(
                f"rule table {str(source)!r} not found (a file path, or one of the bundled tables: {known})"
            )
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(
                path, sheet_name=0 if sheet is None else sheet, dtype=str, engine="openpyxl"
            ).fillna("")
        else:
            raw = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python"
            )
        name = path.name if sheet is None else f"{path.name}[{sheet}]"
    else:
        raise ConfigError(
            f"a rule table is a bundled name, a file path or a DataFrame, not {type(source).__name__}"
        )
    return _normalise(raw, name)


@lru_cache(maxsize=len(BUNDLED))
def _bundled(name: str) -> pd.DataFrame:
    """A bundled table, read and checked once per process."""
    entry = resources.files("xlsegment") / "rules" / BUNDLED[name]
    with entry.open(encoding="utf-8") as handle:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False)
    return _normalise(raw, name)


def _normalise(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    raw = raw.rename(columns=lambda c: _ALIASES.get(str(c).strip().lower(), str(c).strip().lower()))
    if "code" not in raw.columns:
        raise ConfigError(f"rule table {name}: no 'code' column (the segment code of each rule)")
    present = [c for c in RANGE_COLUMNS if c in raw.columns]
    if not present:
        raise ConfigError(f"rule table {name}: no score range columns; expected {', '.join(RANGE_COLUMNS)}")
    table = pd.DataFrame({"code": raw["code"].astype("object").map(lambda v: str(v).strip())})
    if (table["code"] == "").any() or raw["code"].isna().any():
        rows = [
            str(i + 2)
            for i in np.flatnonzero((table["code"] == "").to_numpy() | raw["code"].isna().to_numpy())
        ]
        raise ConfigError(f"rule table {name}: row {', '.join(rows)} has no segment code")
    bounds = {}
    for col in RANGE_COLUMNS:
        values = raw[col] if col in raw.columns else pd.Series([""] * len(raw), index=raw.index)
        text = values.astype("object").map(
            lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        )
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (text != "") & (num.isna() | (num.round() != num) | (num < 1))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ConfigError(
                f"rule table {name}, row {row + 2}, column {col!r}: {text.iloc[row]!r} is not a score (1, 2, 3, ...)"
            )
        bounds[col] = num.to_numpy(dtype="float64")
    top = max([np.nanmax(v) for v in bounds.values() if np.isfinite(v).any()] or [5.0])
    n_scores = int(max(top, 2))
    for col in RANGE_COLUMNS:
        fill = 1 if col.endswith("_min") else n_scores
        table[col] = np.where(np.isnan(bounds[col]), fill, bounds[col]).astype(np.int64)
    for dim in "rfm":
        wrong = table[f"{dim}_min"] > table[f"{dim}_max"]
        if wrong.any():
            row = int(np.flatnonzero(wrong.to_numpy())[0])
            raise ConfigError(f"rule table {name}, row {row + 2}: {dim}_min is above {dim}_max")
    for lang in ("en", "fr"):
        col = f"label_{lang}"
        table[col] = raw[col].astype("object").fillna("").map(str).str.strip() if col in raw.columns else ""
    table.attrs = {"source": name, "n_scores": n_scores}
    return table


def as_rule_table(table: Any) -> pd.DataFrame:
    """A loaded rule table as is, anything else through load_rule_table."""
    if isinstance(table, pd.DataFrame) and "n_scores" in table.attrs and "r_min" in table.columns:
        return table
    return load_rule_table(table)


def rule_lookup(table: pd.DataFrame, n_scores: int) -> tuple[np.ndarray, np.ndarray]:
    """For every score cell (r, f, m in 1..n): the first matching rule (-1 none) and how many rules match."""
    grid = np.arange(1, n_scores + 1)
    first = np.full((n_scores,) * 3, -1, dtype=np.int64)
    hits = np.zeros((n_scores,) * 3, dtype=np.int64)
    for i, rule in enumerate(table[list(RANGE_COLUMNS)].to_numpy()):
        r = (grid >= rule[0]) & (grid <= rule[1])
        f = (grid >= rule[2]) & (grid <= rule[3])
        m = (grid >= rule[4]) & (grid <= rule[5])
        match = r[:, None, None] & f[None, :, None] & m[None, None, :]
        first[match & (first < 0)] = i
        hits += match
    return first, hits


@dataclass
class RuleCheck:
    """Gaps (cells no rule covers) and overlaps (cells several rules match) of a rule table."""

    source: str
    n_scores: int
    gaps: list[str] = field(default_factory=list)
    overlaps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.overlaps

    def __str__(self) -> str:
        cells = self.n_scores**3
        lines = [f"Rule table {self.source} ({self.n_scores} scores per dimension, {cells} score cells):"]
        if self.ok:
            lines.append("every score cell is matched by exactly one rule.")
        if self.gaps:
            lines.append(
                f"{len(self.gaps)} cells match no rule, their customers get 'other': {_shorten(self.gaps)}."
            )
        if self.overlaps:
            pairs: dict[str, int] = {}
            for codes in self.overlaps.values():
                key = " > ".join(codes)
                pairs[key] = pairs.get(key, 0) + 1
            detail = "; ".join(f"{k} ({v} cells)" for k, v in sorted(pairs.items(), key=lambda kv: -kv[1]))
            lines.append(f"{len(self.overlaps)} cells match several rules, the first listed wins: {detail}.")
        return "\n".join(lines)


def _shorten(items: list[str], limit: int = 12) -> str:
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def check_rule_table(table: Any, n_scores: int | None = None) -> RuleCheck:
    """Which score cells no rule covers and which several rules match, as a readable report (`str()`)."""
    table = as_rule_table(table)
    n = int(n_scores or table.attrs.get("n_scores", 5))
    first, hits = rule_lookup(table, n)
    codes = table["code"].tolist()
    check = RuleCheck(source=str(table.attrs.get("source", "DataFrame")), n_scores=n)
    for r, f, m in zip(*np.nonzero(hits == 0), strict=True):
        check.gaps.append(f"R{r + 1}F{f + 1}M{m + 1}")
    grid = np.arange(1, n + 1)
    rows = table[list(RANGE_COLUMNS)].to_numpy()
    for r, f, m in zip(*np.nonzero(hits > 1), strict=True):
        cell = (grid[r], grid[f], grid[m])
        matched = [
            codes[i]
            for i, row in enumerate(rows)
            if row[0] <= cell[0] <= row[1] and row[2] <= cell[1] <= row[3] and row[4] <= cell[2] <= row[5]
        ]
        check.overlaps[f"R{cell[0]}F{cell[1]}M{cell[2]}"] = matched
    return check


def rescale(scores: np.ndarray, n_from: int, n_to: int) -> np.ndarray:
    """Scores 1..n_from mapped onto 1..n_to (to use a 5-score table with 3-score RFM, say)."""
    if n_from == n_to:
        return scores
    if n_from == 1:
        return np.full_like(scores, (n_to + 1) // 2)
    return (1 + np.rint((scores.astype("float64") - 1) * (n_to - 1) / (n_from - 1))).astype(scores.dtype)


def apply_rule_table(
    r: np.ndarray, f: np.ndarray, m: np.ndarray, table: Any, n_scores: int | tuple[int, int, int] = 5
) -> tuple[pd.Categorical, dict]:
    """Segment code per customer (first matching rule, else "other") and the rule information."""
    table = as_rule_table(table)
    tn = int(table.attrs.get("n_scores", 5))
    ns = (n_scores,) * 3 if isinstance(n_scores, int) else tuple(n_scores)
    r, f, m = (rescale(s, k, tn) for s, k in zip((r, f, m), ns, strict=True))
    first, _ = rule_lookup(table, tn)
    rule_codes = table["code"].tolist()
    names = list(dict.fromkeys([*rule_codes, OTHER]))
    to_name = np.array([names.index(c) for c in rule_codes] + [names.index(OTHER)], dtype=np.int64)
    idx = (
        first[r.astype(np.int64) - 1, f.astype(np.int64) - 1, m.astype(np.int64) - 1]
        if len(r)
        else np.zeros(0, np.int64)
    )
    codes = to_name[np.where(idx < 0, len(rule_codes), idx)]
    custom = {
        row.code: {"en": row.label_en, "fr": row.label_fr}
        for row in table.itertuples(index=False)
        if row.label_en or row.label_fr
    }
    check = check_rule_table(table, tn)
    info = {
        "source": str(table.attrs.get("source")),
        "n_scores": tn,
        "rescaled_from": list(ns) if tuple(ns) != (tn, tn, tn) else None,
        "rules": table[["code", *RANGE_COLUMNS]].to_dict("records"),
        "labels": custom,
        "check": str(check),
        "gaps": len(check.gaps),
        "overlaps": len(check.overlaps),
    }
    return categorical(codes, names), info


def named_segments(
    summary: pd.DataFrame,
    table: Any = "rfm",
    n: int = 5,
    method: str = "quantile",
    breaks: Any = None,
    columns: Any = ("recency", "orders", "revenue"),
    name: str = "rfm_segment",
) -> pd.Series:
    """Segment code per customer from a rule table (first matching rule wins, else "other").

    Uses the frame's r_score/f_score/m_score when present (scores on 1..n), else computes the RFM
    scores with `n`, `method`, `breaks`, `columns`. The rule information and the gap/overlap report
    are in `attrs[name]`.
    """
    from xlsegment.segments.rfm import rfm_scores

    if all(c in summary.columns for c in ("r_score", "f_score", "m_score")):
        scores = summary[["r_score", "f_score", "m_score"]]
        if scores.isna().any().any():
            raise ConfigError("named_segments: r_score, f_score and m_score must be set for every customer")
        ns: int | tuple[int, int, int] = n
    else:
        scores = rfm_scores(summary, n, method, breaks, columns)
        ns = tuple(scores.attrs["rfm"]["n_scores"])
    r, f, m = (scores[c].to_numpy(dtype=np.int64) for c in ("r_score", "f_score", "m_score"))
    codes, info = apply_rule_table(r, f, m, table, ns)
    out = pd.Series(codes, index=summary.index, name=name)
    out.attrs[name] = info
    return out
