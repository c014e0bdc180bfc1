"""Small helpers shared by the action modules: labelled templates filled per customer, dates and money.

Per-customer texts are built on numpy object arrays (never pandas' arrow strings, whose conversions dominate
the time on large customer bases); repeated values (dates, codes) are formatted once per distinct value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from xlsegment.labels import day_text, label

_PLACEHOLDER = re.compile(r"(\{\w+\})")


def as_text(values: object, n: int) -> np.ndarray:
    """`values` (scalar, Series or array) as an object array of `n` strings, missing values as ''."""
    if isinstance(values, pd.Series | pd.Index | np.ndarray):
        arr = np.asarray(values.to_numpy(dtype=object) if not isinstance(values, np.ndarray) else values)
        arr = arr.astype(object, copy=True)
        missing = pd.isna(arr)
        if missing.any():
            arr[missing] = ""
        if len(arr) and pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
            arr = lookup(arr, {}, None)
        return arr
    return np.full(n, "" if values is None else str(values), dtype=object)


def lookup(values: np.ndarray, mapping: Mapping[object, str], default: str | None = "") -> np.ndarray:
    """Map each value through `mapping` (default: `default`, or str(value) when default is None),
    computing once per distinct value."""
    arr = np.asarray(values, dtype=object)
    if len(arr) == 0:
        return arr.copy()
    keys = pd.Series(arr, dtype=object)
    codes, uniques = pd.factorize(keys, use_na_sentinel=True)
    mapped = np.array(
        [mapping.get(u, str(u) if default is None else default) for u in uniques] + [""], dtype=object
    )
    return mapped[codes]  # code -1 (missing) picks the trailing ''


def fill_array(key: str, lang: str, n: int, /, **values: object) -> np.ndarray:
    """The label `key` in `lang` with each `{name}` replaced by `values[name]` (scalar or per-customer array)."""
    template = label(key, lang)
    out = np.full(n, "", dtype=object)
    for piece in _PLACEHOLDER.split(template):
        if not piece:
            continue
        name = piece[1:-1] if _PLACEHOLDER.fullmatch(piece) else None
        value = piece if name is None or name not in values else as_text(values[name], n)
        out = out + value
    return out


def fill(key: str, lang: str, index: pd.Index, /, **values: object) -> pd.Series:
    """`fill_array` as a Series on `index` (Series values are aligned on `index` first)."""
    aligned = {k: (v.reindex(index) if isinstance(v, pd.Series) else v) for k, v in values.items()}
    return pd.Series(fill_array(key, lang, len(index), **aligned), index=index, dtype=object)


def text(key: str, lang: str, **values: object) -> str:
    """The label `key` in `lang` formatted with scalar values."""
    template = label(key, lang)
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(0)[1:-1], m.group(0))), template)


def date_strings(dates: object, lang: str) -> np.ndarray:
    """Dates as text the reader expects, the workbook's format (`format.date_text`: 31/12/2026 in French,
    31 Dec 2026 in English; '' when unknown)."""
    arr = np.asarray(pd.to_datetime(pd.Series(np.asarray(dates))).to_numpy(dtype="datetime64[ns]"))

    codes, uniques = pd.factorize(arr.astype("datetime64[D]"), use_na_sentinel=True)
    shown = np.array([day_text(pd.Timestamp(u), lang) for u in uniques] + [""], dtype=object)
    return shown[codes]


def date_text(dates: pd.Series, lang: str) -> pd.Series:
    """`date_strings` as a Series on the index of `dates`."""
    return pd.Series(date_strings(dates.to_numpy(), lang), index=dates.index, dtype=object)


def money(value: float, lang: str) -> str:
    """An amount with two decimals, French style (1 234,50) or English (1,234.50)."""
    if lang == "fr":
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,.2f}"


def percent(share: float, lang: str) -> str:
    """A share as a percentage with at most one decimal (20 %, 17.5 %)."""
    pct = round(share * 100, 1)
    shown = f"{pct:g}"
    if lang == "fr":
        shown = shown.replace(".", ",")
    return f"{shown} %"
